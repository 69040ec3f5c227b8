"""The ``kit`` command line: a thin layer over kit's library API.

This is kit's one error boundary: user errors (``kit.errors.KitError``), refused writes and
usage errors become one ``kit: error: ...`` line on stderr and a documented exit code here, and
only here (docs/cli.md): 1 user error, 2 usage error, 3 differences found.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from kit import __version__
from kit import config as kit_config
from kit.errors import (
    EXIT_USAGE,
    EXIT_USER_ERROR,
    CheckFailed,
    KitError,
    NoProject,
    PipelineError,
    StaleExport,
)
from kit.fsutil import check_writable
from kit.names import validate_job_name

# jsonschema (pulled in by nbformat) loads rfc3987_syntax, which compiles a grammar for 0.7 s on
# every start; nbformat never validates IRI formats, so the CLI process goes without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


class KitGroup(click.Group):
    """The error boundary: every failure a user can cause ends as one line and an exit code.

    It also loads the capability commands (``CAPABILITY_COMMANDS``) on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(CAPABILITY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in CAPABILITY_COMMANDS:
            module, _, attr = CAPABILITY_COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            self.add_command(command, cmd_name)
        return command

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            value = super().main(args, "kit", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            code = EXIT_USAGE
        except click.UsageError as exc:
            code = _fail(usage_line(exc), EXIT_USAGE)
        except click.ClickException as exc:  # click.FileError and friends: bad input files
            code = _fail(exc.format_message(), EXIT_USER_ERROR)
        except click.Abort:
            code = _fail("aborted", EXIT_USER_ERROR)
        except KitError as exc:
            code = _fail(str(exc), exc.exit_code)
        except UnicodeDecodeError as exc:  # only reading settings decodes without a named path
            code = _fail(_undecodable(exc), EXIT_USER_ERROR)
        except OSError as exc:  # a read or write the system refused, outside kit's own checks
            code = _fail(_os_error_line(exc), EXIT_USER_ERROR)
        else:
            if not standalone_mode:
                return value
            code = value if isinstance(value, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


def one_line(message: str) -> str:
    """``message`` as one line without a repeated ``kit: error:`` prefix."""
    text = " ".join(str(message).split())
    while text.lower().startswith("kit: error:"):
        text = text[len("kit: error:"):].strip()
    return text or "failed"


def usage_line(exc: click.UsageError) -> str:
    """Click's usage error as one line plus where to look: ``...; try 'kit CMD --help'``."""
    path = exc.ctx.command_path if exc.ctx is not None else "kit"
    message = one_line(exc.format_message()).rstrip(".")
    return f"{message[:1].lower()}{message[1:]}; try '{path} --help'"


def _fail(message: str, code: int) -> int:
    click.echo(f"kit: error: {one_line(message)}", err=True)
    return code


def _undecodable(exc: UnicodeDecodeError) -> str:
    try:
        pyproject = kit_config.find_root() / kit_config.PYPROJECT
        pyproject.read_bytes().decode("utf-8")
    except UnicodeDecodeError as bad:
        return (
            f"{pyproject} is not UTF-8 text ({bad.reason} at byte {bad.start}); "
            "re-save it as UTF-8"
        )
    except (KitError, OSError):
        pass
    return f"a file kit read is not UTF-8 text ({exc.reason}); re-save it as UTF-8"


def _os_error_line(exc: OSError) -> str:
    from kit.fsutil import describe

    return describe(exc)


def _config() -> kit_config.ProjectConfig:
    """The project's settings, with the settings this module's commands read checked up front."""
    from kit.notebooks.tags import allowed_tags

    cfg = kit_config.load()
    allowed_tags(cfg.raw)  # [tool.kit] tags: refused before any command acts, not mid-export
    return cfg


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
    from kit.notebooks import pairing
    from kit.notebooks.template import create

    validate_job_name(name)
    cfg = _config()
    made = create(name, cfg)
    pairing.record_in_sync(name, cfg)
    click.echo(f"created {cfg.relative(made.notebook)}")
    click.echo(f"created {cfg.relative(made.module)}  (paired with jupytext, percent format)")
    if made.sample:
        click.echo(f"created {cfg.relative(made.sample)}  (sample input for local runs)")
    if made.test:
        click.echo(f"created {cfg.relative(made.test)}  (unit tests for the job's functions)")
    from kit.runtime.runtimes import CURRENT_AWS_DEFAULT, write_new_job_version

    if write_new_job_version(cfg, name):
        click.echo(f"set [tool.kit.job.{name}] glue_version = \"{CURRENT_AWS_DEFAULT}\" in pyproject.toml")
    click.echo(f"next: open the notebook in JupyterLab, or `kit run {name}`")


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--all", "all_jobs", is_flag=True, help="Export every notebook in the project.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 3 if any build folder is stale (CI, pre-commit).")
@click.option("--force", is_flag=True, help="Replace build files that kit did not write.")
def export(targets: tuple[str, ...], all_jobs: bool, check: bool, force: bool) -> None:
    """Export notebooks (or their .py twins, or job names) to deployable Glue scripts.

    Cells tagged "job" become build/NAME/NAME.py; the job's CloudFormation stack is written
    beside it as build/NAME/stack.yml. Dev cells, untagged cells and magics are dropped.
    """
    from kit.notebooks import export as exporter
    from kit.notebooks import pairing

    cfg = _config()
    names = list(targets) or (cfg.job_names() if all_jobs or check else [])
    if not names:
        raise click.UsageError("nothing to export; give a notebook path or job name, or use --all")
    sources = [pairing.source_to_read(target, cfg) for target in names]
    if check:
        stale = 0
        for target, source in zip(names, sources, strict=True):
            try:
                exporter.check(source, cfg)
                click.echo(f"up to date: {target}")
            except StaleExport as exc:
                click.echo(f"stale: {exc}", err=True)
                stale += 1
        project_stale = exporter.stale_project_builds(  # the catalog's and pipelines' builds
            exporter.render_project_builds(
                cfg, None if all_jobs or not targets else [Path(t).stem for t in names]), cfg)
        for label in project_stale:
            click.echo(f"stale: {label} out of date; run `kit export --all`", err=True)
        stale += len(project_stale)
        if stale:
            raise StaleExport(
                f"{stale} export(s) stale; run `kit export --all` and commit the build folder"
            )
        return
    rendered = [exporter.render(source, cfg) for source in sources]  # all refusals first
    project = exporter.render_project_builds(  # catalog + pipelines running these jobs
        cfg, None if all_jobs else [r.job for r in rendered])
    for path in (*(p for r in rendered for p in r.files), *project):
        check_writable(path)
    for source, ready in zip(sources, rendered, strict=True):
        result = exporter.export(source, cfg, force=force, rendered=ready)
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
    if project:
        done = exporter.write_project_builds(project, cfg, force=force)
        for path in done.written:
            click.echo(f"wrote {cfg.relative(path)}")
        for path in done.unchanged:
            click.echo(f"unchanged {cfg.relative(path)}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--keep", type=click.Choice(["notebook", "py"]), default=None,
              help="When both twins changed since the last sync: the twin whose cells win.")
def sync(paths: tuple[Path, ...], keep: str | None) -> None:
    """Sync notebooks with their paired job modules (jupytext).

    The twin edited since the last sync wins. When both were edited, nothing is changed and
    kit exits 1; `--keep notebook` or `--keep py` says which twin's cells to keep.
    """
    from kit.notebooks import pairing

    cfg = _config()
    targets = list(paths) or [
        cfg.notebook_path(n) if cfg.notebook_path(n).is_file() else cfg.job_module_path(n)
        for n in cfg.job_names()
    ]
    if keep and len(targets) != 1:
        raise click.UsageError("--keep applies to one pair; name one notebook or job module")
    for path in targets:  # refuse before the first write: names, twins inside, no conflict
        pairing.check_sync(path, cfg, keep)  # type: ignore[arg-type]
    for path in targets:
        written = pairing.sync(path, cfg, keep=keep)  # type: ignore[arg-type]
        if written:
            click.echo(f"synced {cfg.relative(path)} -> {', '.join(cfg.relative(p) for p in written)}")
        else:
            click.echo(f"in sync {cfg.relative(path)}")


@main.command("upgrade-bootstrap")
@click.argument("jobs", nargs=-1)
def upgrade_bootstrap(jobs: tuple[str, ...]) -> None:
    """Replace old copied bootstrap cells (both twins) by a call to kit.bootstrap (all jobs by default)."""
    from kit.notebooks.upgrade import upgrade

    cfg = _config()
    for job_plan in upgrade(list(jobs), cfg):
        for twin in job_plan.twins:
            verb = {"upgraded": "upgraded", "current": "up to date"}.get(twin.state, "no bootstrap cell in")
            click.echo(f"{verb} {cfg.relative(twin.path)}")


@main.command()
def check() -> None:
    """Project hygiene without git: pairs in sync, no outputs, exports fresh (exit 3 if not)."""
    from kit.hygiene import findings as hygiene_findings

    findings = hygiene_findings(_config())
    for finding in findings:
        click.echo(f"- {finding}", err=True)
    if findings:
        raise CheckFailed(f"{len(findings)} problem(s) found; fix them and run `kit check` again")
    click.echo("all checks passed")


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("target", required=False)
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--glue-version", default=None,
              help="Run on this Glue version (5.0, 5.1, 6.0) instead of the job's setting.")
@click.option("--compare", is_flag=True,
              help="Run on the job's version and on --glue-version; exit 3 if outputs differ.")
@click.option("--aws", "aws_mode", type=click.Choice(["local", "real"]), default="local",
              show_default=True, help="Where the job's AWS clients go (real: your account).")
@click.option("--profile", help="AWS profile for the job's clients (implies --aws real).")
@click.option("--warm", is_flag=True, help="Run in a resident Spark driver (started on first use).")
@click.option("--stop", is_flag=True, help="With --warm: stop the resident driver.")
@click.option("--pipeline", "pipeline_name", default=None, metavar="NAME",
              help="Run the pipeline's jobs in dependency order as a local workflow run.")
def run(
    target: str | None, script_args: tuple[str, ...], master: str, glue_version: str | None,
    compare: bool, warm: bool, stop: bool, aws_mode: str, profile: str | None,
    pipeline_name: str | None = None,
) -> None:
    """Run a job (name, notebook or any Glue script) locally; ARGS reach the script verbatim.

    \b
    kit run orders_by_month
    kit run orders_by_month --glue-version 6.0 --compare
    kit run build/orders_by_month/orders_by_month.py --JOB_NAME demo --output_path /tmp/out
    kit run my_job --master spark://127.0.0.1:7077
    kit run --warm orders_by_month    reuse a resident driver: no JVM start after the first run
    kit run --warm --stop             stop that driver
    kit run --pipeline sales          the pipeline's jobs, in order, as one workflow run
    """
    from kit.runtime import preflight, runner, runtimes
    from kit.runtime.runtime_commands import echo_progress, own_run_options

    if stop:
        from kit.runtime import warm as warm_runner

        stopped = warm_runner.stop(_config())
        click.echo("stopped the warm driver" if stopped else "no warm driver was running", err=True)
        return
    if pipeline_name is not None:
        if target is not None or compare or warm or glue_version or aws_mode != "local" or profile:
            raise click.UsageError("--pipeline takes no job, --compare, --warm, --glue-version "
                                   "or real AWS: it runs the declared jobs on the local AWS")
        from kit.pipelines.run import run_pipeline

        outcome = run_pipeline(_config(), pipeline_name, master=master)
        if not outcome.ok:
            raise PipelineError(outcome.summary())
        click.echo(outcome.summary(), err=True)
        return
    if target is None:
        raise click.UsageError("give a job name, notebook or script to run")
    if target.startswith("-"):  # an unknown option of kit's own, before the job
        raise click.UsageError(f"no such option: {target.split('=', 1)[0]}")
    script_args, glue_version, compare = own_run_options(script_args, glue_version, compare)
    try:
        cfg, projectless = _config(), False
    except NoProject:
        if not (Path(target).is_file() or Path(target).suffix == ".py"):
            raise  # a job name needs a project
        cfg, projectless = kit_config.for_folder(Path.cwd()), True  # any Glue script runs anywhere
    argv = list(script_args)
    preflight.check_master(master)
    if not projectless and preflight.is_job_target(target, cfg):
        from kit.notebooks import export as exporter
        from kit.notebooks import pairing

        target = pairing.source_to_read(target, cfg)
        rendered = exporter.render(target, cfg)  # nothing is written before the checks pass
        preflight.check_job(rendered.job, argv, rendered.job_args, cfg)
    if compare:
        from kit.runtime import compare as comparing

        if glue_version is None:
            raise click.UsageError("--compare needs --glue-version (the version to compare with)")
        note = runtimes.python_note(glue_version)
        if note:
            click.echo(note, err=True)
        report = comparing.compare(
            target, cfg, glue_version, argv, master=master, progress=echo_progress
        )
        for line in report.lines():
            click.echo(line)
        sys.exit(0 if report.same else comparing.DIFFERENCES_EXIT)
    plan = runner.plan(target, argv, cfg)
    if projectless:
        click.echo(
            f"kit: no kit project here; local state (s3:// root, bookmarks) goes to "
            f"{cfg.state_dir} (KIT_S3_ROOT, KIT_BOOKMARK_DIR move it)",
            err=True,
        )
    version = runtimes.spec(glue_version or runtimes.job_glue_version(cfg, plan.job)).glue_version
    from kit.runtime import dependencies

    dependencies.check(plan.argv, cfg, plan.job, version)  # one line before the run starts
    if warm:
        from kit.runtime import warm as warm_runner

        if version != runtimes.spec(None).glue_version:
            raise click.UsageError(f"--warm runs on kit's own runtime only, not Glue {version}")
        preflight.check_plan(plan.script, plan.argv, plan.job, cfg, master)
        click.echo(f"running {cfg.relative(plan.script)} on {master} (Glue {version}, warm)",
                   err=True)
        result = warm_runner.run(plan, cfg, master=master)
    else:
        runtimes.ensure(version, echo_progress)
        note = runtimes.python_note(version)
        if note:
            click.echo(note, err=True)
        click.echo(f"running {cfg.relative(plan.script)} on {master} (Glue {version})", err=True)
        result = runner.run(plan, cfg, master=master, glue_version=version, aws=aws_mode,
                            profile=profile)
    if result.returncode == 0:
        for folder, files, size in result.outputs:
            click.echo(f"wrote {cfg.relative(folder)}: {files} file(s), {_human(size)}", err=True)
        click.echo(f"done in {result.seconds:.1f}s", err=True)
    sys.exit(result.returncode)


# Commands that live with their capability (one module each), imported only when a command line
# names them: `kit run` need not import boto3, pydantic's AWS settings or Jupyter to start.
CAPABILITY_COMMANDS = {
    "aws": "kit.localaws.commands:aws_group",
    "bookmark": "kit.runtime.commands:bookmark",
    "bootstrap": "kit.infra.commands:bootstrap",
    "catalog": "kit.catalog.commands:catalog",
    "db": "kit.localdb_commands:db_group",
    "deploy": "kit.infra.commands:deploy",
    "deps": "kit.runtime.deps_commands:deps",
    "diff": "kit.infra.commands:diff",
    "endpoint": "kit.endpoints.commands:endpoint",
    "graph": "kit.graph.commands:graph",
    "import": "kit.adopt.commands:import_",
    "init": "kit.adopt.commands:init",
    "itest": "kit.infra.commands:itest",
    "kernel": "kit.runtime.kernel_commands:kernel",
    "lab": "kit.runtime.kernel_commands:lab",
    "pull": "kit.adopt.commands:pull",
    "runtime": "kit.runtime.runtime_commands:runtime",
    "sample": "kit.catalog.commands:sample",
    "validate": "kit.infra.commands:validate",
}


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


if __name__ == "__main__":
    main()
