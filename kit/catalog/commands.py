"""``kit catalog load|diff|pull|export``: a thin click layer over :mod:`kit.catalog`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

DIFFERENCES_EXIT = 3
"""Exit code when ``kit catalog diff`` finds differences (0: clean)."""

_env = click.option("--env", "env", default="dev", show_default=True,
                    help="Environment: fills {env} in the declared locations.")
_endpoint = click.option("--endpoint-url", default=None,
                         help="Glue API endpoint (default: AWS_ENDPOINT_URL, else AWS).")


def _project():
    from kit import config as kit_config

    return kit_config.load()


@click.group()
def catalog() -> None:
    """The Data Catalog as code: catalog/DATABASE.yml declarations (docs/catalog.md)."""


@catalog.command()
@_env
@_endpoint
def load(env: str, endpoint_url: str | None) -> None:
    """Create or update the declared databases and tables in a Glue catalog."""
    from kit.catalog import declaration, live

    databases = declaration.load_all(_project().root)
    result = live.load(databases, env, live.glue(endpoint_url, env))
    for name in result.created:
        click.echo(f"created {name}")
    for name in result.updated:
        click.echo(f"updated {name}")


@catalog.command()
@_env
@_endpoint
def diff(env: str, endpoint_url: str | None) -> None:
    """Compare the declarations with the live catalog (exit 3 when they differ)."""
    from kit.catalog import declaration, live
    from kit.catalog.diff import diff as compare

    databases = declaration.load_all(_project().root)
    lines = compare(databases, env, live.glue(endpoint_url, env))
    for line in lines:
        click.echo(line)
    if lines:
        click.echo(f"{len(lines)} difference(s) between catalog/ and the live catalog ({env})",
                   err=True)
        sys.exit(DIFFERENCES_EXIT)
    click.echo(f"catalog/ matches the live catalog ({env})", err=True)


@catalog.command()
@click.argument("database")
@_env
@_endpoint
@click.option("--force", is_flag=True, help="Overwrite an existing catalog/DATABASE.yml.")
def pull(database: str, env: str, endpoint_url: str | None, force: bool) -> None:
    """Write catalog/DATABASE.yml from a database in the live catalog (adoption)."""
    from kit.catalog import live
    from kit.catalog import pull as pulling

    cfg = _project()
    path = pulling.write(cfg.root, live.glue(endpoint_url, env), database, env, force=force)
    click.echo(f"wrote {cfg.relative(path)}")


@catalog.command()
def export() -> None:
    """Write build/_catalog/ (stack.yml: AWS::Glue::Database / Table, and its manifest)."""
    from kit.catalog import declaration, stack

    cfg = _project()
    path = stack.export(declaration.load_all(cfg.root), cfg.build_dir, root=cfg.root)
    click.echo(f"wrote {cfg.relative(path)}")


@click.command()
@click.argument("table", metavar="DATABASE.TABLE")
@click.option("--env", "env", default="dev", show_default=True,
              help="Environment whose AWS target (region/profile/endpoint_url) holds the table.")
@click.option("--rows", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows to take (newest partitions first).")
@click.option("--mask", default="", help="Comma-separated columns to mask (PII columns always are).")
@click.option("--partition", default=None, help="Glue partition filter, e.g. \"month >= '2024-01'\".")
@click.option("--max-bytes", type=click.IntRange(min=1), default=100 * 1024 * 1024,
              show_default=True, help="Refuse when the sample would be larger.")
@click.option("--endpoint-url", default=None,
              help="Glue/S3 endpoint to sample from (default: the environment's, AWS_ENDPOINT_URL).")
@click.option("--to-endpoint-url", default=None,
              help="Local Glue endpoint to register the sample in (default: the project's "
                   "local AWS, where kit run reads the catalog).")
def sample(table: str, env: str, rows: int, mask: str, partition: str | None, max_bytes: int,
           endpoint_url: str | None, to_endpoint_url: str | None) -> None:
    """Copy a deterministic, masked sample of a catalog table to the local object root."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kit.catalog import live
    from kit.catalog.sample import sample as take
    from kit.errors import SampleRefused
    from kit.runtime import s3local

    database, _, name = table.partition(".")
    if not database or not name:
        raise SampleRefused(f"{table!r}: name the table as DATABASE.TABLE")
    cfg = _project()
    columns = [c.strip() for c in mask.split(",") if c.strip()]
    if to_endpoint_url:
        target = live.glue(to_endpoint_url)
    else:  # the local catalog `kit run` reads: the project's local AWS, as kit run finds it
        target = _project_local_glue(cfg)
    root = Path(os.environ.get(s3local.ENV_ROOT) or cfg.state_dir / "s3").resolve()
    console = _stderr_console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  transient=True, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task(f"sampling {table}", total=rows)
        result = take(
            database, name, rows=rows, mask=columns, partition=partition, max_bytes=max_bytes,
            state_dir=cfg.state_dir, object_root=root,
            glue=live.glue(endpoint_url, env), s3=live.glue(endpoint_url, env, "s3"),
            target_glue=target, progress=lambda done, total: bar.update(task, completed=done),
        )
    masked = f", masked: {', '.join(result.masked)}" if result.masked else ""
    reused = f", {result.reused} file(s) reused" if result.reused else ""
    click.echo(f"sampled {result.rows} row(s) of {result.table} into {len(result.files)} file(s), "
               f"{result.bytes} bytes{masked}{reused}, under {root}")
    where = result.registered if target is not None else cfg.relative(Path(result.registered))
    click.echo(f"registered in {where}")
    if target is None:
        click.echo("kit: no local AWS for this project (KIT_LOCAL_AWS_IDLE=0 or no moto): "
                   "`kit run` reads the local AWS's catalog; start `kit aws local` and sample "
                   "again, or pass --to-endpoint-url", err=True)


def _project_local_glue(cfg: Any) -> Any:
    """A Glue client on the project's local AWS: found running (``kit aws local``, or kept for
    the project) or started and kept as ``kit run`` does; None without one."""
    from kit.errors import LocalAwsError
    from kit.localaws import background, jobrun

    environ = dict(os.environ)
    found = jobrun.find_running(cfg, environ)
    if found is None and background.available():
        try:
            idle = background.idle_seconds(environ)
            found = background.ensure(cfg, environ, idle) if idle else None
        except LocalAwsError:
            found = None
    if found is None:
        return None
    env = jobrun.local_client_env(found["endpoint"], found.get("region") or "us-east-1", None)
    return jobrun.local_clients(env)("glue")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
