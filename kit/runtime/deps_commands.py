"""CLI for job dependencies: ``kit deps list|install|clear`` (the cached module overlays)."""

from __future__ import annotations

from pathlib import Path

import click

from kit import config as kit_config
from kit.errors import DependencyError, NoProject
from kit.runtime import dependencies
from kit.runtime.runtime_commands import echo_progress


@click.group("deps")
def deps() -> None:
    """A job's Python modules (--additional-python-modules), installed once into cached overlays."""


@deps.command("list")
def list_() -> None:
    """Every cached overlay: its key, Glue version, what it installed, and where."""
    found = dependencies.overlays()
    for info in found:
        packages = ", ".join(info.get("packages") or []) or "nothing beyond kit's environment"
        click.echo(f"{info.get('key')}  Glue {info.get('glue_version')}  {packages}  {info['path']}")
    if not found:
        click.echo(f"no overlay cached in {dependencies.deps_dir()}")


@deps.command("install", context_settings={"ignore_unknown_options": True})
@click.argument("job")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--glue-version", default=None, help="The runtime to install for (default: the job's).")
def install(job: str, args: tuple[str, ...], glue_version: str | None) -> None:
    """Install JOB's modules now (from its settings, or ARGS such as
    --additional-python-modules x==1), so later runs need no package index."""
    from kit.runtime import runtimes

    try:
        cfg = kit_config.load()
    except NoProject:
        cfg = kit_config.for_folder(Path.cwd())
    version = glue_version or runtimes.job_glue_version(cfg, job)
    req = dependencies.request(list(args), dependencies.job_arguments(cfg, job))
    folder = dependencies.overlay(
        req, cfg.root, version, dependencies.object_root(cfg), echo_progress
    )
    if folder is None:
        raise DependencyError(
            f"{job} asks for no Python modules; set --additional-python-modules in "
            f"[tool.kit.job.{job}] arguments or give it after the job"
        )
    packages = ", ".join(dependencies.installed(folder)) or "nothing beyond kit's environment"
    click.echo(f"{job}: {packages} ({folder})")


@deps.command("clear")
@click.argument("key", required=False)
def clear(key: str | None) -> None:
    """Remove the overlay KEY (see `kit deps list`), or every overlay."""
    removed = dependencies.clear(key)
    if key is not None and not removed:
        raise DependencyError(f"no overlay {key!r} in {dependencies.deps_dir()}; see `kit deps list`")
    click.echo(f"removed {len(removed)} overlay(s) from {dependencies.deps_dir()}")
