"""``kit kernel ...`` and ``kit lab``: thin click commands over kit.runtime.kernel and .lab."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kit.runtime import kernel as glue_kernel


@click.group()
def kernel() -> None:
    """Manage the local Glue Jupyter kernel ("Glue 5.0 (local)")."""


@kernel.command("install")
@click.option("--name", default=None,
              help="Kernel name (default: glue-local, or glue-local-V for --glue-version V).")
@click.option("--glue-version", default=None,
              help="Glue version of the kernel (5.0, 5.1, 6.0; its runtime is built once).")
@click.option("--user", "where", flag_value="user", help="Install for the current user.")
@click.option(
    "--sys-prefix", "where", flag_value="sys-prefix",
    help="Install into this Python environment (the default inside a virtualenv).",
)
@click.option("--prefix", type=click.Path(file_okay=False, path_type=Path),
              help="Install under PREFIX/share/jupyter.")
@click.option("--force", is_flag=True, help="Replace a kernelspec of that name that kit did not write.")
def install_command(
    name: str | None, glue_version: str | None, where: str | None, prefix: Path | None,
    force: bool,
) -> None:
    """Register the local Glue kernel so notebooks can `from awsglue ... import` locally."""
    from kit.runtime import runtimes
    from kit.runtime.runtime_commands import echo_progress

    if prefix is None and where == "sys-prefix":
        prefix = Path(sys.prefix)
    runtimes.ensure(glue_version, echo_progress)
    name = name or glue_kernel.kernel_name(glue_version)
    made = glue_kernel.install(
        name, user=where == "user", prefix=prefix, force=force, glue_version=glue_version
    )
    verb = "replaced" if made.replaced else "installed"
    click.echo(f"{verb} kernel {name!r} ({glue_kernel.version_display_name(glue_version)}) in {made.path}")
    if not made.visible:
        click.echo(
            f"warning: Jupyter does not search {made.path.parent}; add "
            f"{made.path.parent.parent} to JUPYTER_PATH to use this kernel",
            err=True,
        )
    if made.shadowed_by is not None:
        click.echo(
            f"warning: Jupyter will use another kernelspec {name!r} at {made.shadowed_by} first; "
            "remove it or install with --name",
            err=True,
        )


@kernel.command("list")
def list_command() -> None:
    """List the kernels kit installed that Jupyter can see."""
    found = glue_kernel.list_kernels()
    if not found:
        click.echo("no kit kernels installed; run `kit kernel install`")
    for item in found:
        click.echo(f"{item.name}\t{item.display_name}\t{item.path}\t{item.python}")


@kernel.command("uninstall")
@click.option("--name", default=glue_kernel.KERNEL_NAME, show_default=True, help="Kernel name.")
@click.option("--force", is_flag=True, help="Remove it even if kit did not write it.")
def uninstall_command(name: str, force: bool) -> None:
    """Remove the local Glue kernel's kernelspec."""
    removed = glue_kernel.uninstall(name, force=force)
    click.echo(f"removed kernel {name!r} from {removed}")


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED)
def lab(jupyter_args: tuple[str, ...]) -> None:
    """Start JupyterLab on this project with kit's settings; extra ARGS go to `jupyter lab`.

    \b
    Job modules (jobs/*.py) open as notebooks (jupytext), new notebooks use the
    "Glue 5.0 (local)" kernel, and the settings stay in .kit/jupyter (your own Jupyter
    setup is not changed).
    kit lab --no-browser --port 8890
    """
    from kit import config as kit_config
    from kit.runtime import lab as kit_lab

    kit_lab.start(kit_config.load(), jupyter_args)
