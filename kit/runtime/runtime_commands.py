"""CLI for the per-Glue-version runtimes: ``kit runtime list|install|remove``."""

from __future__ import annotations

import click

from kit.runtime import runtimes


def echo_progress(line: str) -> None:
    """Build progress goes to stderr, so a command's own output stays clean."""
    click.echo(line, err=True)


def own_run_options(
    script_args: tuple[str, ...], glue_version: str | None, compare: bool
) -> tuple[tuple[str, ...], str | None, bool]:
    """``kit run JOB --glue-version V --compare``: kit's own options after the job name.

    ``kit run`` passes what follows the job to the script verbatim; these two are kit's (a Glue
    job never gets arguments with these names), so they are taken out wherever they appear.
    """
    rest: list[str] = []
    args = list(script_args)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--compare":
            compare = True
        elif arg == "--glue-version":
            if i + 1 >= len(args):
                raise click.UsageError("--glue-version needs a value (5.0, 5.1 or 6.0)")
            glue_version = args[i + 1]
            i += 1
        elif arg.startswith("--glue-version="):
            glue_version = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return tuple(rest), glue_version, compare


@click.group("runtime")
def runtime() -> None:
    """Local runtimes per Glue version (5.0 is kit's own; 5.1 and 6.0 are built once, cached)."""


@runtime.command("list")
def list_() -> None:
    """Show each Glue version's Spark and Python and whether its runtime is ready."""
    click.echo(f"runtimes cache: {runtimes.runtimes_dir()}")
    for status in runtimes.list_runtimes():
        rt = status.runtime
        if rt.builtin:
            state = "built in (kit's own environment)"
        elif status.installed:
            built = f", built in {status.built_seconds:.0f}s" if status.built_seconds else ""
            state = f"installed ({status.size / 1e6:.0f} MB{built})"
        else:
            state = "not installed (built on first use)"
        click.echo(
            f"Glue {rt.glue_version}  Spark {rt.spark}  Python {rt.python}  Scala {rt.scala}  "
            f"{state}"
        )


@runtime.command("install")
@click.argument("versions", nargs=-1)
@click.option("--all", "all_versions", is_flag=True, help="Install every Glue version's runtime.")
@click.option("--offline", is_flag=True, help="Use only pip's local caches, never the index.")
def install(versions: tuple[str, ...], all_versions: bool, offline: bool) -> None:
    """Build the runtime of each Glue VERSION (e.g. 5.1 6.0) unless it is already cached."""
    wanted = list(runtimes.GLUE_VERSIONS) if all_versions else list(versions)
    if not wanted:
        raise click.UsageError("give Glue versions (e.g. `kit runtime install 6.0`) or --all")
    for version in wanted:
        runtimes.spec(version)  # every version is checked before anything is built
    for version in wanted:
        before = runtimes.status_of(version).installed
        status = runtimes.ensure(version, echo_progress, offline=offline)
        where = "kit's own environment" if status.path is None else str(status.path)
        verb = "ready" if before else "installed"
        click.echo(f"Glue {version}: {verb} ({where})")


@runtime.command("remove")
@click.argument("versions", nargs=-1, required=True)
def remove(versions: tuple[str, ...]) -> None:
    """Delete the cached runtime of each Glue VERSION (rebuilt on next use)."""
    for version in versions:
        runtimes.spec(version)
    for version in versions:
        folder = runtimes.remove(version)
        click.echo(f"removed the Glue {version} runtime ({folder})")
