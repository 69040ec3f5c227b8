"""The local Livy-compatible endpoint: a thin stdlib HTTP layer over ``kit.endpoints.api``.

``ThreadingHTTPServer`` is enough: a notebook client sends a handful of small JSON requests a
second, statements run on session threads, and the server binds to loopback only.
"""

from __future__ import annotations

import ipaddress
import json
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from kit.endpoints import api, security
from kit.endpoints.errors import EndpointError
from kit.endpoints.models import SessionManager

DEFAULT_PORT = 8998
MAX_BODY = 10 * 1024 * 1024
HEARTBEAT_CHECK_SECONDS = 5.0


class _Handler(BaseHTTPRequestHandler):
    server: LivyServer
    protocol_version = "HTTP/1.1"
    server_version = "kit-livy/1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_OPTIONS(self) -> None:  # no CORS preflight is ever answered
        self._dispatch("OPTIONS")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send(api.Response(400, {"msg": "Invalid or too large Content-Length"}))
            return
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        refusal = security.check(method, headers, self.server.policy)
        if refusal is not None:
            self.log_error("refused %s %s: %s", method, url.path, refusal.msg)
            self._send(api.Response(refusal.status, {"msg": refusal.msg}))
            return
        try:
            response = api.handle(self.server.manager, method, url.path, dict(parse_qsl(url.query)),
                                  body)
        except Exception as exc:  # noqa: BLE001 - a server bug must not take the endpoint down
            self.log_error("internal error on %s %s: %r", method, url.path, exc)
            response = api.Response(500, {"msg": f"Internal error: {exc}"})
        self._send(response)

    def _send(self, response: api.Response) -> None:
        data = json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)


class LivyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, manager: SessionManager, host: str, port: int, verbose: bool = False,
                 token: str | None = None, csrf: bool = True):
        self.manager = manager
        self.verbose = verbose
        super().__init__((host, port), _Handler)
        self.policy = security.Policy(port=self.server_address[1], token=token, csrf=csrf)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(
    workdir: Path,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    master: str = "local[*]",
    verbose: bool = False,
    state_dir: Path | None = None,
    token: str | None = None,
    csrf: bool = True,
) -> LivyServer:
    """A server (not yet serving) whose sessions run in ``workdir``; port 0 picks a free one.

    Every request passes ``kit.endpoints.security.check``: loopback ``Host``/``Origin`` only,
    JSON bodies (and ``X-Requested-By`` with ``csrf``) on state-changing requests, and ``token``
    on every request when one is given.
    """
    if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise EndpointError(f"refusing to bind {host}: the local endpoint listens on loopback only")
    log_dir = Path(state_dir or Path(workdir) / ".kit") / "endpoint" / "logs"
    manager = SessionManager(workdir, log_dir, master=master)
    try:
        return LivyServer(manager, host, port, verbose=verbose, token=token, csrf=csrf)
    except OSError as exc:
        raise EndpointError(
            f"cannot listen on {host}:{port} ({exc.strerror}); stop what uses it or pass --port"
        ) from exc


def serve(server: LivyServer, stop: threading.Event | None = None) -> None:
    """Serve until interrupted (or ``stop`` is set); expires idle sessions; stops every session."""
    stop = stop or threading.Event()

    def reap() -> None:
        while not stop.wait(HEARTBEAT_CHECK_SECONDS):
            server.manager.expire()

    threading.Thread(target=reap, name="livy-heartbeat", daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        server.manager.shutdown()


def stop_on_signals() -> None:
    """Make SIGTERM (and SIGINT, even when a background shell ignores it) stop ``serve``.

    Both become ``KeyboardInterrupt`` in the main thread, so ``serve`` deletes every session
    (their Spark drivers) before the process ends, whoever stops it: Ctrl+C, ``kill``, systemd.
    """
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def start_in_thread(server: LivyServer) -> threading.Thread:
    """Serve from a daemon thread (tests, benchmarks); ``shutdown(server)`` stops it."""
    thread = threading.Thread(target=serve, args=(server,), name="livy-server", daemon=True)
    thread.start()
    return thread


def shutdown(server: LivyServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(timeout=60)
