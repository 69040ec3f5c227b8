"""``kit graph``: a thin click layer over :mod:`kit.graph`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="FILE.html (default: build/graph.html) or FILE.svg.")
def graph(output: Path | None) -> None:
    """Draw the project: jobs, the tables and paths they read and write, their triggers."""
    from kit import config as kit_config
    from kit.graph import model, render

    cfg = kit_config.load()
    target = output or cfg.build_dir / "graph.html"
    project = model.scan(cfg.build_dir) if cfg.build_dir.is_dir() else model.Project()
    written = render.write(project, target, f"kit project {cfg.root.name}")
    click.echo(f"wrote {cfg.relative(written)}: {len(project.jobs())} job(s)")
