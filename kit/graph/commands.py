"""``kit graph``: a thin click layer over :mod:`kit.graph`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="FILE.html (default: build/graph.html) or FILE.svg.")
@click.option("--pipeline", "pipeline_name", default=None, metavar="NAME",
              help="Only this pipeline's jobs, with its triggers and edges.")
def graph(output: Path | None, pipeline_name: str | None) -> None:
    """Draw the project: jobs, the tables and paths they read and write, their triggers and
    pipelines."""
    from kit import config as kit_config
    from kit.graph import model, render
    from kit.pipelines.model import load_pipeline, pipeline_names

    cfg = kit_config.load()
    target = output or cfg.build_dir / "graph.html"
    if pipeline_name is not None:
        pipelines = [load_pipeline(cfg, pipeline_name)]  # an unknown or bad one: one line, first
    else:
        pipelines = [load_pipeline(cfg, name) for name in pipeline_names(cfg)]
    project = model.scan(cfg.build_dir) if cfg.build_dir.is_dir() else model.Project()
    for pipeline in pipelines:
        model.add_pipeline(project, pipeline)
    title = f"kit project {cfg.root.name}"
    if pipeline_name is not None:
        project = model.only_jobs(project, set(pipelines[0].jobs))
        title = f"pipeline {pipeline_name} ({cfg.root.name})"
    written = render.write(project, target, title)
    click.echo(f"wrote {cfg.relative(written)}: {len(project.jobs())} job(s)")
