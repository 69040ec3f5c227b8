"""``kit catalog load|diff|pull|export``: a thin click layer over :mod:`kit.catalog`."""

from __future__ import annotations

import sys

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
    """Write build/catalog/stack.yml (AWS::Glue::Database / AWS::Glue::Table)."""
    from kit.catalog import declaration, stack

    cfg = _project()
    path = stack.export(declaration.load_all(cfg.root), cfg.build_dir)
    click.echo(f"wrote {cfg.relative(path)}")

