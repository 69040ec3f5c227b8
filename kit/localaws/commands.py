"""``kit aws local``: kit's local AWS as a command, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from pathlib import Path

import click


@click.group("aws")
def aws_group() -> None:
    """kit's local AWS (moto with kit's gaps closed), for trying kit without an account."""


@aws_group.command("local")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--s3-root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding the S3 objects (default: the project's object root, where "
                   "kit run maps s3:// paths).")
def local(port: int, s3_root: Path | None) -> None:
    """Serve a local AWS on 127.0.0.1 until Ctrl+C; prints the AWS_ENDPOINT_URL to export."""
    from kit.localaws.server import start
    from kit.runtime import s3local

    root = (s3_root or s3local.object_root(announce=False)).resolve()
    server = start(port, s3_root=root)
    record = _state_file()
    click.echo(
        f"kit: local AWS on 127.0.0.1:{server.port} (account {server.account_id}, region "
        f"{server.region}); S3 objects are the files under {root}; any access key works; "
        "Ctrl+C stops it",
        err=True,
    )
    if record is not None:  # before the export line: whoever waits for it finds the record
        with contextlib.suppress(OSError):
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps({"endpoint": server.endpoint}), encoding="utf-8")
    click.echo(f"export AWS_ENDPOINT_URL={server.endpoint}")
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        if record is not None:
            with contextlib.suppress(OSError):
                record.unlink()
        click.echo("kit: local AWS stopped", err=True)


def _state_file() -> Path | None:
    """Where kit run of this project finds the running server (None outside a project)."""
    from kit import config
    from kit.errors import KitError
    from kit.localaws.jobrun import state_file

    try:
        return state_file(config.load())
    except KitError:
        return None


@aws_group.command("stop")
def stop() -> None:
    """Stop the local AWS kit keeps for this project between runs (KIT_LOCAL_AWS_IDLE)."""
    from kit import config
    from kit.localaws import background

    if background.stop(config.load()):
        click.echo("kit: local AWS stopped", err=True)
    else:
        click.echo("kit: no kept local AWS was running for this project", err=True)
