"""Livy sessions and statements as a state machine, knowing nothing of HTTP.

Session states follow Livy: ``starting`` -> ``idle`` <-> ``busy``; ``dead`` when the interpreter
dies or fails to start; ``shutting_down`` while being deleted. Statements: ``waiting`` ->
``running`` -> ``available`` (output ``ok`` or ``error``), or ``cancelling`` -> ``cancelled``;
``error`` when the interpreter died under them. Each session runs its statements in order on its
own thread, in its own worker process (``kit.endpoints.interpreter``).
"""

from __future__ import annotations

import builtins
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kit.endpoints.interpreter import Worker, WorkerDied, worker_env
from kit.runtime.spark import DEFAULT_MASTER

SESSION_KINDS = ("pyspark", "sql")
STATEMENT_KINDS = ("pyspark", "python", "sql")
FINAL_STATEMENT_STATES = ("available", "error", "cancelled")
LOG_TAIL = 10  # Livy's session view carries the last 10 log lines
# Livy's session request fields and the Spark settings they stand for.
LIVY_SETTINGS = {
    "driverMemory": "spark.driver.memory", "driverCores": "spark.driver.cores",
    "executorMemory": "spark.executor.memory", "executorCores": "spark.executor.cores",
    "numExecutors": "spark.executor.instances", "jars": "spark.jars",
    "pyFiles": "spark.submit.pyFiles", "files": "spark.files", "archives": "spark.archives",
}


class LivyRequestError(Exception):
    """A request Livy would refuse (400); the message is Livy's ``msg``."""


class NotFound(LivyRequestError):
    """No such session or statement (404)."""


class Interpreter(Protocol):
    pid: int

    def wait_ready(self) -> dict[str, Any]: ...
    def execute(self, statement_id: int, code: str, kind: str) -> dict[str, Any]: ...
    def interrupt(self, statement_id: int) -> None: ...
    def alive(self) -> bool: ...
    def death(self) -> str: ...
    def stop(self, timeout: float = 10.0) -> None: ...


@dataclass
class Statement:
    id: int
    code: str
    kind: str
    state: str = "waiting"
    output: dict[str, Any] | None = None
    started: int = 0
    completed: int = 0

    def to_json(self) -> dict[str, Any]:
        done = self.state in FINAL_STATEMENT_STATES
        return {
            "id": self.id, "code": self.code, "state": self.state, "output": self.output,
            "progress": 1.0 if done else 0.0, "started": self.started,
            "completed": self.completed,
        }


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Session:
    """One Livy session: its interpreter, its statements and its state."""

    id: int
    kind: str
    name: str | None
    owner: str | None
    proxy_user: str | None
    conf: dict[str, str]
    log_path: Path
    heartbeat_timeout: int = 0
    state: str = "starting"
    app_id: str | None = None
    spark_ui_url: str | None = None
    statements: list[Statement] = field(default_factory=list)
    last_seen: float = field(default_factory=time.monotonic)
    interpreter: Interpreter | None = None
    _queue: deque[Statement] = field(default_factory=deque)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=itertools.count)
    _closing: bool = False

    # -- requests ---------------------------------------------------------------------------

    def submit(self, code: str, kind: str | None = None) -> Statement:
        """Queue a statement; it runs when the session is idle."""
        kind = (kind or self.kind).lower()
        if kind not in STATEMENT_KINDS:
            raise LivyRequestError(
                f"Unsupported statement kind '{kind}'; use one of {', '.join(STATEMENT_KINDS)}"
            )
        with self._lock:
            if self.state in ("dead", "shutting_down", "error", "killed"):
                raise LivyRequestError(f"Session {self.id} is {self.state}; start a new session")
            statement = Statement(next(self._ids), code, "sql" if kind == "sql" else "pyspark")
            self.statements.append(statement)
            self._queue.append(statement)
            if self.state == "idle":
                self.state = "busy"
            self._lock.notify_all()
        return statement

    def statement(self, statement_id: int) -> Statement:
        with self._lock:
            if 0 <= statement_id < len(self.statements):
                return self.statements[statement_id]
        raise NotFound(f"Statement '{statement_id}' not found in session {self.id}.")

    def cancel(self, statement_id: int) -> Statement:
        """Cancel a waiting statement at once, or interrupt a running one."""
        statement = self.statement(statement_id)
        with self._lock:
            if statement.state == "waiting":
                self._queue.remove(statement)
                statement.state, statement.completed = "cancelled", _now_ms()
            elif statement.state == "running":
                statement.state = "cancelling"
                if self.interpreter is not None:
                    self.interpreter.interrupt(statement.id)
        return statement

    def logs(self) -> list[str]:
        """The interpreter's stdout/stderr so far (Spark's driver log), line by line."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []

    def log_tail(self, lines: int = LOG_TAIL, chunk: int = 64 * 1024) -> list[str]:
        """The last ``lines`` log lines, reading only the end of the file (polled often)."""
        try:
            with open(self.log_path, "rb") as log:
                size = log.seek(0, 2)
                log.seek(max(0, size - chunk))
                data = log.read()
        except FileNotFoundError:
            return []
        tail = data.decode("utf-8", errors="replace").splitlines()
        if size > chunk:
            tail = tail[1:]  # the first line read is probably cut
        return tail[-lines:]

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "appId": self.app_id, "owner": self.owner,
            "proxyUser": self.proxy_user, "state": self.state, "kind": self.kind,
            "appInfo": {"driverLogUrl": None, "sparkUiUrl": self.spark_ui_url},
            "log": self.log_tail(),
        }

    # -- lifecycle --------------------------------------------------------------------------

    def run(self, start: Callable[[Session], Interpreter]) -> None:
        """Session thread: start the interpreter, then run queued statements until closed."""
        try:
            interpreter = start(self)
            with self._lock:
                self.interpreter = interpreter
            info = interpreter.wait_ready()
        except (WorkerDied, OSError) as exc:
            self._die(str(exc))
            return
        with self._lock:
            self.app_id, self.spark_ui_url = info.get("appId"), info.get("sparkUiUrl")
            if self._closing:
                return
            self.state = "busy" if self._queue else "idle"
        while True:
            with self._lock:
                while not self._queue and not self._closing and interpreter.alive():
                    self._lock.wait(timeout=0.5)  # also notices an interpreter killed while idle
                if self._closing:
                    return
                if not interpreter.alive():
                    break
                statement = self._queue.popleft()
                statement.state, statement.started = "running", _now_ms()
                self.state = "busy"
            try:
                output = interpreter.execute(statement.id, statement.code, statement.kind)
            except WorkerDied as exc:
                with self._lock:
                    statement.output = {
                        "status": "error", "execution_count": statement.id,
                        "ename": "SessionDead", "evalue": str(exc), "traceback": [],
                    }
                    statement.state, statement.completed = "error", _now_ms()
                self._die(str(exc))
                return
            with self._lock:
                if output.get("status") == "cancelled":
                    statement.state = "cancelled"
                else:
                    statement.output = _numbered(output, statement.id)
                    statement.state = "available"
                statement.completed = _now_ms()
                if not self._queue and not self._closing:
                    self.state = "idle"
        self._die(interpreter.death())

    def close(self) -> None:
        """Stop the interpreter and free its resources (Spark driver, process)."""
        with self._lock:
            self._closing = True
            if self.state not in ("dead",):
                self.state = "shutting_down"
            interpreter = self.interpreter
            self._lock.notify_all()
        if interpreter is not None:
            interpreter.stop()

    def _die(self, reason: str) -> None:
        with self._lock:
            for statement in self._queue:
                statement.state, statement.completed = "cancelled", _now_ms()
            self._queue.clear()
            if not self._closing:
                self.state = "dead"
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"kit: session {self.id} is dead: {reason}\n")


def _numbered(output: dict[str, Any], statement_id: int) -> dict[str, Any]:
    """Livy's ``StatementOutput``: ``status``, then ``execution_count`` (the statement id)."""
    return {"status": output.get("status"), "execution_count": statement_id,
            **{k: v for k, v in output.items() if k != "status"}}


def session_conf(request: Mapping[str, Any]) -> dict[str, str]:
    """Spark settings of a ``POST /sessions`` body: ``conf`` plus Livy's named fields."""
    conf = request.get("conf") or {}
    if not isinstance(conf, dict):
        raise LivyRequestError("'conf' must be an object of Spark settings")
    if any(not isinstance(v, str | int | float | bool) for v in conf.values()):
        raise LivyRequestError("'conf' values must be strings (Spark settings)")
    merged = {str(k): str(v) for k, v in conf.items()}
    for field_name, key in LIVY_SETTINGS.items():
        value = request.get(field_name)
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str | int):
            raise LivyRequestError(f"'{field_name}' must be a string, number or list")
        merged.setdefault(key, str(value))
    return merged


class SessionManager:
    """All sessions of one endpoint: create, look up, list, delete, expire on missed heartbeats."""

    def __init__(
        self,
        workdir: Path,
        log_dir: Path,
        master: str = DEFAULT_MASTER,
        conf: Mapping[str, str] | None = None,
    ):
        self.workdir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.master = master
        self.conf = dict(conf or {})
        self._sessions: dict[int, Session] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()

    def create(self, request: Mapping[str, Any]) -> Session:
        """Start a session from a Livy ``POST /sessions`` body (``kind``, ``conf``, ...)."""
        kind = request.get("kind") or "pyspark"
        if not isinstance(kind, str):
            raise LivyRequestError("'kind' must be a string")
        kind = kind.lower()
        if kind not in SESSION_KINDS:
            raise LivyRequestError(
                f"Session kind '{kind}' is not supported by kit's local endpoint; "
                f"use one of {', '.join(SESSION_KINDS)}"
            )
        conf = session_conf(request)
        timeout = request.get("heartbeatTimeoutInSecond") or 0
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 0:
            raise LivyRequestError("'heartbeatTimeoutInSecond' must be a non-negative integer")
        name = request.get("name")
        if name is not None and not isinstance(name, str):
            raise LivyRequestError("'name' must be a string")
        proxy_user = request.get("proxyUser")
        if proxy_user is not None and not isinstance(proxy_user, str):
            raise LivyRequestError("'proxyUser' must be a string")
        with self._lock:
            if name is not None and any(s.name == name for s in self._sessions.values()):
                raise LivyRequestError(f"Duplicate session name: {name}")  # as Livy refuses
            session_id = next(self._ids)
            session = Session(
                id=session_id, kind=kind, name=name,
                owner=request.get("proxyUser"), proxy_user=request.get("proxyUser"),
                conf={**self.conf, **conf},
                log_path=self.log_dir / f"session-{session_id}.log",
                heartbeat_timeout=timeout,
            )
            self._sessions[session_id] = session
        thread = threading.Thread(
            target=session.run, args=(self._start_worker,), name=f"livy-session-{session_id}",
            daemon=True,
        )
        self._threads[session_id] = thread
        thread.start()
        return session

    def get(self, session_id: int) -> Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(f"Session '{session_id}' not found.")
        session.touch()
        return session

    def list(self) -> list[Session]:
        with self._lock:
            return [self._sessions[k] for k in sorted(self._sessions)]

    def delete(self, session_id: int) -> None:
        """Stop the session's interpreter and forget the session."""
        session = self.get(session_id)
        session.close()
        thread = self._threads.pop(session_id, None)
        if thread is not None:
            thread.join(timeout=15)
        with self._lock:
            self._sessions.pop(session_id, None)

    def expire(self) -> builtins.list[int]:
        """Delete sessions whose client stopped polling for longer than their heartbeat timeout."""
        now = time.monotonic()
        stale = [
            s.id for s in self.list()
            if s.heartbeat_timeout and now - s.last_seen > s.heartbeat_timeout
        ]
        for session_id in stale:
            self._delete_quietly(session_id)
        return stale

    def shutdown(self) -> None:
        """Delete every session (the server is stopping)."""
        for session in self.list():
            self._delete_quietly(session.id)

    def _delete_quietly(self, session_id: int) -> None:
        try:
            self.delete(session_id)
        except NotFound:
            pass  # a client deleted it meanwhile

    def _start_worker(self, session: Session) -> Worker:
        env = worker_env(self.workdir, self.master, session.conf)
        return Worker(env, self.workdir, session.log_path, f"livy-session-{session.id}")
