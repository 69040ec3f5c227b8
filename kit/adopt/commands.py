"""Click commands for adopting kit: ``kit init``, ``kit import``, ``kit pull`` (thin over kit.adopt)."""

from __future__ import annotations

from pathlib import Path

import click

from kit.infra.commands import AwsCommand, _resolve, target_options


def _show(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


@click.command("init")
@click.argument("folder", default=".", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
def init(folder: Path, dry_run: bool) -> None:
    """Make FOLDER (default: here) a kit project; never overwrites a file.

    Adds [tool.kit] to pyproject.toml (keeping every other key and comment), jupytext.toml,
    notebooks/ jobs/ tests/ data/ infra/ (the shared CloudFormation templates), pre-commit hooks
    and a CI workflow. Running it again changes nothing.
    """
    from kit.adopt.init import init as run_init

    result = run_init(folder, dry_run=dry_run)
    root = result.root
    verb = "would " if dry_run else ""
    for path in result.folders:
        click.echo(f"{verb}create {_show(path, root)}/")
    for path in result.create:
        click.echo(f"{verb}write {_show(path, root)}")
    for path in result.edit:
        click.echo(f"{verb}add [tool.kit] to {_show(path, root)}")
    for path in result.kept:
        click.echo(f"left alone {_show(path, root)} (exists)")
    if result.empty:
        click.echo(f"{root} is already a kit project; nothing to do")
    elif not dry_run:
        click.echo("next: `kit import SCRIPT.py` for an existing Glue script, or `kit new NAME`")


@click.command("import")
@click.argument("script", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Job name (default: from the script's file name).")
def import_(script: Path, name: str | None) -> None:
    """Turn a Glue script (hand-written or Glue Studio) into a notebook and its job module.

    The script is left unchanged. Its getResolvedOptions arguments are declared once, its
    set-up is replaced by kit's bootstrap, and its body is split into cells tagged "job", so
    `kit export NAME` ships the same program.
    """
    from kit import config as kit_config
    from kit.adopt.importer import import_script

    cfg = kit_config.load()
    made = import_script(script, cfg, name)
    click.echo(f"created {cfg.relative(made.notebook)}  ({made.cells} cells)")
    click.echo(f"created {cfg.relative(made.module)}  (paired with jupytext, percent format)")
    if made.shape.required:
        click.echo(
            "required arguments (no local default): "
            + " ".join(f"--{k}" for k in made.shape.required)
        )
    click.echo(f"next: `kit export {made.name}`, then `kit run {made.name}` with its arguments")


@click.command("pull", cls=AwsCommand)
@click.argument("job")
@click.option("--force", is_flag=True, help="Replace the local job and its [tool.kit] settings.")
@target_options
def pull(
    job: str,
    force: bool,
    env_name: str,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> None:
    """Adopt the deployed Glue job JOB (the environment's name prefix + JOB) as a kit job.

    Downloads its script and imports it (notebook + job module), and writes its settings
    (workers, timeout, connections, schedule, DefaultArguments) into [tool.kit], so that
    `kit diff JOB --env ENV` reports no drift right after.
    """
    from kit.adopt.pull import pull as run_pull

    cfg, env, target = _resolve(env_name, endpoint_url, profile, region)
    result = run_pull(cfg, job, env, target, force=force)
    for path in result.written:
        click.echo(f"wrote {cfg.relative(path)}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"pulled {result.job_name} ({result.script_location}) as job {result.job}")
    click.echo(f"next: `kit diff {result.job} --env {env.name}`, then edit the notebook")


COMMANDS = [init, import_, pull]
