"""The ``kit`` command line: a thin layer over kit's library API.

User errors (``kit.errors.KitError``) become one line on stderr and a non-zero exit here, and
only here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kit import __version__
from kit import config as kit_config
from kit.errors import KitError, StaleExport

# jsonschema (pulled in by nbformat) loads rfc3987_syntax, which compiles a grammar for 0.7 s on
# every start; nbformat never validates IRI formats, so the CLI process goes without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


class KitGroup(click.Group):
    """Turns ``KitError`` into ``kit: error: ...`` and its exit code, with no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KitError as exc:
            click.echo(f"kit: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _config() -> kit_config.ProjectConfig:
    return kit_config.load()


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kit")
def main() -> None:
    """Notebook-first development kit for AWS Glue ETL jobs.

    \b
    Typical loop:
      kit new orders_by_month        notebook + paired job module from a template
      kit run orders_by_month        run it locally on sample data (local Spark)
      kit export orders_by_month     write build/orders_by_month/ (Glue script + stack)
      kit check                      pairs in sync, no outputs, exports fresh (for CI)
    """


@main.command()
@click.argument("name")
def new(name: str) -> None:
    """Create notebooks/NAME.ipynb and its paired jobs/NAME.py from the job template."""
    from kit.notebooks.template import create

    cfg = _config()
    made = create(name, cfg)
    click.echo(f"created {cfg.relative(made.notebook)}")
    click.echo(f"created {cfg.relative(made.module)}  (paired with jupytext, percent format)")
    if made.sample:
        click.echo(f"created {cfg.relative(made.sample)}  (sample input for local runs)")
    if made.test:
        click.echo(f"created {cfg.relative(made.test)}  (unit tests for the job's functions)")
    click.echo(f"next: open the notebook in JupyterLab, or `kit run {name}`")


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--all", "all_jobs", is_flag=True, help="Export every notebook in the project.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any build folder is stale.")
@click.option("--force", is_flag=True, help="Replace build files that kit did not write.")
def export(targets: tuple[str, ...], all_jobs: bool, check: bool, force: bool) -> None:
    """Export notebooks (or their .py twins, or job names) to deployable Glue scripts.

    Cells tagged "job" become build/NAME/NAME.py; the job's CloudFormation stack is written
    beside it as build/NAME/stack.yml. Dev cells, untagged cells and magics are dropped.
    """
    from kit.notebooks import export as exporter

    cfg = _config()
    names = list(targets) or (cfg.job_names() if all_jobs or check else [])
    if not names:
        raise KitError("nothing to export; give a notebook path or job name, or use --all")
    stale = 0
    for target in names:
        if check:
            try:
                exporter.check(target, cfg)
                click.echo(f"up to date: {target}")
            except StaleExport as exc:
                click.echo(f"stale: {exc}", err=True)
                stale += 1
            continue
        result = exporter.export(target, cfg, force=force)
        for path in result.written:
            click.echo(f"wrote {cfg.relative(path)}")
        for path in result.unchanged:
            click.echo(f"unchanged {cfg.relative(path)}")
        dropped = result.stats
        click.echo(
            f"  from {cfg.relative(result.source)}: {dropped.get('dropped_cells', 0)} non-job cell(s), "
            f"{dropped.get('dropped_magic_cells', 0)} magic cell(s) and "
            f"{dropped.get('dropped_magic_lines', 0)} magic line(s) left out"
        )
    if stale:
        raise KitError(f"{stale} export(s) stale; run `kit export --all` and commit the build folder")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def sync(paths: tuple[Path, ...]) -> None:
    """Sync notebooks with their paired job modules (jupytext; the newer twin wins)."""
    from kit.notebooks.pairing import sync as sync_pair

    cfg = _config()
    targets = list(paths) or [
        cfg.notebook_path(n) if cfg.notebook_path(n).is_file() else cfg.job_module_path(n)
        for n in cfg.job_names()
    ]
    for path in targets:
        written = sync_pair(path, cfg)
        if written:
            click.echo(f"synced {cfg.relative(path)} -> {', '.join(cfg.relative(p) for p in written)}")
        else:
            click.echo(f"in sync {cfg.relative(path)}")


@main.command()
def check() -> None:
    """Run the pre-commit checks without git: pairs in sync, no outputs, exports fresh."""
    from kit.hygiene import run_checks

    findings = run_checks(_config())
    for finding in findings:
        click.echo(f"- {finding}", err=True)
    if findings:
        raise KitError(f"{len(findings)} problem(s) found; fix them and run `kit check` again")
    click.echo("all checks passed")


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("target")
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--aws", "aws_mode", type=click.Choice(["local", "real"]), default="local",
              show_default=True, help="Where the job's AWS clients go (real: your account).")
@click.option("--profile", help="AWS profile for the job's clients (implies --aws real).")
def run(target: str, script_args: tuple[str, ...], master: str, aws_mode: str,
        profile: str | None) -> None:
    """Run a job (name, notebook or any Glue script) locally; ARGS reach the script verbatim.

    \b
    kit run orders_by_month
    kit run build/orders_by_month/orders_by_month.py --JOB_NAME demo --output_path /tmp/out
    kit run my_job --master spark://127.0.0.1:7077
    """
    from kit.runtime import runner

    cfg = _config()
    plan = runner.plan(target, list(script_args), cfg)
    click.echo(f"running {cfg.relative(plan.script)} on {master}", err=True)
    result = runner.run(plan, cfg, master=master, aws=aws_mode, profile=profile)
    if result.returncode == 0:
        for folder, files, size in result.outputs:
            click.echo(f"wrote {cfg.relative(folder)}: {files} file(s), {_human(size)}", err=True)
        click.echo(f"done in {result.seconds:.1f}s", err=True)
    sys.exit(result.returncode)


def _register_capabilities() -> None:
    """Commands that live with their capability (one module each), added to the top level."""
    from kit.endpoints.commands import endpoint
    from kit.infra.commands import COMMANDS as infra_commands
    from kit.localaws.commands import aws_group
    from kit.runtime.commands import bookmark
    from kit.runtime.kernel_commands import kernel, lab

    for command in (bookmark, kernel, lab, endpoint, *infra_commands, aws_group):
        main.add_command(command)


_register_capabilities()


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


if __name__ == "__main__":
    main()
