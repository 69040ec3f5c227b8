"""Click commands for adopting kit: ``kit init``, ``kit import``, ``kit pull`` (thin over kit.adopt)."""

from __future__ import annotations

from pathlib import Path

import click


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


COMMANDS = [init]
