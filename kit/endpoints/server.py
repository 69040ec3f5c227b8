"""The local Livy-compatible endpoint: a thin tornado layer over ``kit.endpoints.api``.

Tornado (Jupyter's own server) parses HTTP and keeps every connection answered: its listen
backlog and event loop take bursts of concurrent requests that ``http.server`` resets. Each
request first passes ``kit.endpoints.security.check``; then ``api.handle`` (pure, may block:
starting or deleting a session joins processes) runs on a thread pool, so a slow request never
stalls the others. The server binds to loopback only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from kit.endpoints import api, security
from kit.endpoints.errors import EndpointError
from kit.endpoints.models import SessionManager

DEFAULT_PORT = 8998
MAX_BODY = 10 * 1024 * 1024
HEARTBEAT_CHECK_SECONDS = 5.0
REQUEST_THREADS = 16
BACKLOG = 1024  # a burst of connections waits here instead of being reset

log = logging.getLogger("kit.endpoint")


class LivyServer:
    """Bound sockets, the session manager and the request policy; ``serve`` runs it."""

    def __init__(self, manager: SessionManager, sockets: list[socket.socket],
                 policy: security.Policy, verbose: bool = False):
        self.manager = manager
        self.sockets = sockets
        self.policy = policy
        self.verbose = verbose
        self.executor = ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="livy-request")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stop_requested = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        """(host, port) it listens on, as ``http.server`` servers name it."""
        host, port = self.sockets[0].getsockname()[:2]
        return host, port

    @property
    def url(self) -> str:
        host, port = self.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Make ``serve`` return (from any thread)."""
        self._stop_requested.set()
        loop, event = self._loop, self._stop
        if loop is not None and event is not None:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                pass  # the loop already ended


@tornado.web.stream_request_body
class _Handler(tornado.web.RequestHandler):
    """Every route: guard, then ``api.handle`` on the server's thread pool.

    The body is streamed in (``data_received``) rather than parsed by tornado, so the guard
    runs on the headers alone, before any of a refused request's body is read or decoded.
    """

    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")

    def initialize(self, livy: LivyServer) -> None:
        self.livy = livy
        self.body = bytearray()

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    def set_default_headers(self) -> None:
        self.set_header("Server", "kit-livy/1")
        self.set_header("Content-Type", "application/json")

    def prepare(self) -> None:
        headers = {k.lower(): v for k, v in self.request.headers.get_all()}
        refusal = security.check(self.request.method or "", headers, self.livy.policy)
        if refusal is not None:
            log.warning("refused %s %s from %s: %s", self.request.method, self.request.path,
                        self.request.remote_ip, refusal.msg)
            self._reply(api.Response(refusal.status, {"msg": refusal.msg}))

    async def _dispatch(self, *args: Any) -> None:
        request = self.request
        query = {k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()}
        loop = asyncio.get_running_loop()
        try:
            response = await loop.run_in_executor(
                self.livy.executor, api.handle, self.livy.manager, request.method, request.path,
                query, bytes(self.body),
            )
        except Exception as exc:  # noqa: BLE001 - a server bug must not take the endpoint down
            log.exception("internal error on %s %s", request.method, request.path)
            response = api.Response(500, {"msg": f"Internal error: {exc}"})
        self._reply(response)

    get = post = put = delete = patch = options = head = _dispatch

    def _reply(self, response: api.Response) -> None:
        self.set_status(response.status)
        self.finish(json.dumps(response.body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """tornado's own refusals (unknown method, malformed request) in Livy's shape."""
        self.finish(json.dumps({"msg": self._reason or f"HTTP {status_code}"}))

    def log_exception(self, typ, value, tb) -> None:  # noqa: ANN001 - tornado's signature
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


def make_server(
    workdir: Path,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    master: str = "local[*]",
    verbose: bool = False,
    state_dir: Path | None = None,
    token: str | None = None,
    csrf: bool = True,
    manager: SessionManager | None = None,
) -> LivyServer:
    """A server (bound, not yet serving) whose sessions run in ``workdir``; port 0 picks one.

    Every request passes ``kit.endpoints.security.check``: loopback ``Host``/``Origin`` only,
    JSON bodies (and ``X-Requested-By`` with ``csrf``) on state-changing requests, and ``token``
    on every request when one is given.
    """
    if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise EndpointError(f"refusing to bind {host}: the local endpoint listens on loopback only")
    if manager is None:
        log_dir = Path(state_dir or Path(workdir) / ".kit") / "endpoint" / "logs"
        manager = SessionManager(workdir, log_dir, master=master)
    try:
        sockets = tornado.netutil.bind_sockets(port, address=host, family=socket.AF_INET,
                                               backlog=BACKLOG)
    except OSError as exc:
        raise EndpointError(
            f"cannot listen on {host}:{port} ({exc.strerror}); stop what uses it or pass --port"
        ) from exc
    bound = sockets[0].getsockname()[1]
    return LivyServer(manager, sockets, security.Policy(bound, token, csrf), verbose=verbose)


def serve(server: LivyServer) -> None:
    """Serve until ``server.stop()`` or an interrupt; expires idle sessions; stops every session."""
    # every request with --verbose; else only server errors (refusals are logged on their own)
    logging.getLogger("tornado.access").setLevel(logging.INFO if server.verbose else logging.ERROR)
    if server.verbose:
        logging.basicConfig(format="%(asctime)s %(name)s %(message)s")

    async def run() -> None:
        server._loop = asyncio.get_running_loop()
        server._stop = asyncio.Event()
        if server._stop_requested.is_set():
            return
        app = tornado.web.Application([(r"/.*", _Handler, {"livy": server})])
        http = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)
        http.add_sockets(server.sockets)
        reaper = asyncio.create_task(_reap(server))
        try:
            await server._stop.wait()
        finally:
            reaper.cancel()
            http.stop()
            await http.close_all_connections()

    try:
        asyncio.run(run())
    finally:
        for sock in server.sockets:
            sock.close()
        server.manager.shutdown()
        server.executor.shutdown(wait=False, cancel_futures=True)


async def _reap(server: LivyServer) -> None:
    """Delete sessions whose client stopped sending heartbeats."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(HEARTBEAT_CHECK_SECONDS)
        await loop.run_in_executor(server.executor, server.manager.expire)


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
    """Serve from a daemon thread (tests, benchmarks, the warm engine); ``shutdown`` stops it."""
    thread = threading.Thread(target=serve, args=(server,), name="livy-server", daemon=True)
    thread.start()
    return thread


def shutdown(server: LivyServer, thread: threading.Thread) -> None:
    server.stop()
    thread.join(timeout=60)
