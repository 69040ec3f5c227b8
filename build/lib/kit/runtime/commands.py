"""CLI for the local Glue runtime: ``kit bookmark reset JOB_NAME``."""

from __future__ import annotations

from pathlib import Path

import click

from kit.runtime import bookmarks


@click.group("bookmark")
def bookmark() -> None:
    """Local job bookmarks (what `job-bookmark-enable` runs have already processed)."""


@bookmark.command("reset")
@click.argument("job_name")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Bookmark folder (default: KIT_BOOKMARK_DIR or <project>/.kit/bookmarks).")
def reset(job_name: str, folder: Path | None) -> None:
    """Forget what JOB_NAME has processed, so its next run reads all input again."""
    path = bookmarks.state_path(job_name, folder)
    if bookmarks.reset(job_name, folder):
        click.echo(f"reset the bookmark of {job_name} ({path})")
    else:
        click.echo(f"{job_name} has no bookmark ({path}); nothing to reset")
