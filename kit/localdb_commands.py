"""``kit db local`` / ``kit db stop``: the project's local PostgreSQL (thin over kit.localdb)."""

from __future__ import annotations

import signal
import threading

import click


@click.group("db")
def db_group() -> None:
    """A local PostgreSQL for jobs that write to Redshift or a JDBC database (docs/localaws.md)."""


@db_group.command("local")
@click.option("--port", default=0, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (default 0: the one it used last if free, else any free "
                   "port; kit finds it through .kit/local-db.json).")
def local(port: int) -> None:
    """Serve the project's PostgreSQL on 127.0.0.1 until Ctrl+C (data kept in .kit/postgres/)."""
    from kit import config, localdb

    cfg = config.load()
    if localdb.find_running(cfg.state_dir) is not None:
        raise click.ClickException("the project's local PostgreSQL already runs; "
                                   "stop it with `kit db stop` first")
    # Ctrl+C and SIGTERM are handled before the server exists (never orphaned), also when the
    # shell started kit with SIGINT ignored (a background job)
    stopped = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopped.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    db = None
    try:
        db = localdb.start(localdb.project_folder(cfg.state_dir), port)
        localdb.record(cfg.state_dir, db)
        passfile = cfg.relative(db.folder / localdb.PASSFILE)
        click.echo(
            f"kit: local PostgreSQL on {db.host}:{db.port} (database {db.database}, user "
            f"{db.user}, password in {passfile}); Ctrl+C stops it", err=True)
        click.echo(f"kit: psql: PGPASSFILE={passfile} psql -h {db.host} -p {db.port} "
                   f"-U {db.user} {db.database}", err=True)
        click.echo(db.jdbc_url)
        while not stopped.wait(0.5):
            if not db.running():  # `kit db stop` or the server died
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if db is not None:
            db.stop()
            localdb.forget(cfg.state_dir)
            click.echo("kit: local PostgreSQL stopped", err=True)


@db_group.command("stop")
def stop() -> None:
    """Stop the project's local PostgreSQL (its data stays in .kit/postgres/)."""
    from kit import config, localdb

    cfg = config.load()
    if localdb.stop_project(cfg.state_dir):
        click.echo("kit: local PostgreSQL stopped", err=True)
    else:
        click.echo("kit: no local PostgreSQL runs for this project", err=True)
