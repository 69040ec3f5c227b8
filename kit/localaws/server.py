"""kit's local AWS: moto in server mode on 127.0.0.1, with kit's gaps closed and its guard.

Clients reach it over HTTP only (boto3 with ``endpoint_url``, the AWS CLI with
``AWS_ENDPOINT_URL``). The server runs in this process's threads, which lets kit close moto's
gaps (:mod:`kit.localaws.gaps`) and offer controls that have no HTTP API (failing a job run).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from kit.errors import LocalAwsError
from kit.localaws.guard import INFO_PATH, TOKEN_HEADER, Guard
from kit.localaws.moto_compat import require_moto

LOCAL_REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account: STS GetCallerIdentity and every ARN
HOST = "127.0.0.1"


@dataclass
class LocalAws:
    """A running local AWS. ``endpoint`` is ``http://localhost:PORT`` (moto reads nested
    template URLs path-style only on ``localhost``); it listens on 127.0.0.1 only."""

    endpoint: str
    port: int
    token: str = field(repr=False)
    s3_root: Path | None = None
    region: str = LOCAL_REGION
    account_id: str = ACCOUNT_ID
    last_request: float = field(default_factory=time.monotonic)  # for the kept server's idle stop
    _server: Any = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _control(self, path: str, body: dict[str, Any] | None = None) -> None:
        requests.post(f"{self.endpoint}/moto-api/{path}", json=body,
                      headers={TOKEN_HEADER: self.token}, timeout=30).raise_for_status()

    def reset(self) -> None:
        """Forget every resource (moto's reset; S3 objects in ``s3_root`` stay on disk)."""
        self._control("reset")

    def stage_job_runs(self, polls: int) -> None:
        """Keep new Glue job runs STARTING/RUNNING for ``polls`` reads of each state."""
        self._control("state-manager/set-transition", {
            "model_name": "glue::job_run",
            "transition": {"progression": "manual", "times": polls},
        })

    def unstage_job_runs(self) -> None:
        self._control("state-manager/unset-transition", {"model_name": "glue::job_run"})

    def fail_job_runs(self, job_name: str, message: str) -> None:
        """Make the job's runs end FAILED with ``message`` (no HTTP API for it); "" stops it."""
        from kit.localaws.gaps import glue_job_runs

        glue_job_runs.fail_runs(self.region, job_name, message)

    def client_env(self) -> dict[str, str]:
        """Environment variables that point an AWS SDK or the AWS CLI at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "kit-local",
            "AWS_SECRET_ACCESS_KEY": "kit-local",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }


def start(port: int = 0, *, s3_root: Path | None = None) -> LocalAws:
    """Start the local AWS on 127.0.0.1 (``port`` 0: a free one).

    With ``s3_root``, S3 objects live as files under ``s3_root/BUCKET/KEY`` (the folder Spark's
    ``s3://`` paths map to), so boto3 and Spark see the same objects.
    """
    version = require_moto()
    warnings.filterwarnings("ignore", module="moto")
    with _no_profile():  # moto opens a boto3 session on import: a user's profile is irrelevant
        from moto.moto_server import werkzeug_app
        from moto.moto_server.threaded_moto_server import MotoRequestHandler
        from werkzeug.serving import make_server

        from kit.localaws import gaps

        gaps.install()
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AWSGlueServiceRole exists, as in AWS
    werkzeug_app.DISABLE_GLOBAL_CORS = True  # moto answers CORS "*" otherwise
    from kit.localaws.s3folder import RootScope
    token = secrets.token_urlsafe(24)
    info = {"kit": "local-aws", "moto": version, "account": ACCOUNT_ID, "region": LOCAL_REGION,
            "s3_root": str(s3_root) if s3_root is not None else None}
    moto_app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    guarded = Guard(RootScope(moto_app, s3_root), token, info)
    local = LocalAws(endpoint="", port=0, token=token, s3_root=s3_root)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        local.last_request = time.monotonic()
        return guarded(environ, start_response)

    listener = _listen(port)  # werkzeug would print and exit on a taken port
    with listener:
        server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler,
                             fd=listener.fileno())
    bound = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="kit-local-aws", daemon=True)
    thread.start()
    local.endpoint, local.port = f"http://localhost:{bound}", bound
    local._server, local._thread = server, thread
    return local


@contextlib.contextmanager
def _no_profile() -> Iterator[None]:
    saved = {k: os.environ.pop(k) for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE") if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise LocalAwsError(
                f"port {port} is already in use on {HOST}; pick another with --port "
                "(0 for any free port)"
            ) from exc
        raise LocalAwsError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
    return sock


def probe(endpoint: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The info of a kit local AWS at ``endpoint``, or None when none answers there."""
    try:
        response = requests.get(endpoint.rstrip("/") + INFO_PATH, timeout=timeout)
        data = response.json() if response.ok else None
    except (requests.RequestException, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kit") == "local-aws" else None
