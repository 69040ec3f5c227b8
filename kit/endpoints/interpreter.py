"""The server's handle on one session's worker process (see ``kit.endpoints.worker``).

Spawns the worker with the local Spark environment and the local awsglue layer importable,
sends it statements one at a time, interrupts it to cancel, and stops it for good.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kit
from kit.runtime.environment import layer_env
from kit.runtime.runtimes import python_note
from kit.runtime.spark import DEFAULT_MASTER

KIT_SOURCE = Path(kit.__file__).resolve().parent.parent
# ``-P``: no current folder first on sys.path, so a project folder holding its own ``kit`` (or a
# module named like one of kit's) cannot shadow the kit that serves the session.
PYTHON = (sys.executable, "-P")
GLUE_VERSION_CONF = "spark.kit.glue_version"  # a session's Glue version (default 5.0)


class WorkerDied(Exception):
    """The worker process ended (crash, kill, or Spark failed to start)."""


def worker_env(
    cwd: Path, master: str = DEFAULT_MASTER, conf: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment of a session worker: kit's Spark settings, the Glue layer and the project.

    The session's conf ``spark.kit.glue_version`` (e.g. ``%%configure {"conf":
    {"spark.kit.glue_version": "6.0"}}``) picks the Glue version; its runtime must be installed.
    """
    from kit.errors import KitError

    # kit before the project: the Glue layer imports ``kit.runtime`` and must get this very kit,
    # even when the project folder holds another ``kit`` (e.g. a checkout of kit's repository).
    try:
        env = layer_env(
            cwd, master, conf, (conf or {}).get(GLUE_VERSION_CONF), extra_paths=[KIT_SOURCE]
        )
        env = session_aws_env(cwd, env)
    except KitError as exc:  # an unknown version or a runtime not installed: the session dies
        raise WorkerDied(str(exc)) from exc
    env["PYTHONUNBUFFERED"] = "1"
    env["KIT_ATTACH_MODE"] = "local-endpoint"
    return env


def session_aws_env(cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """``env`` with the session's AWS clients on the project's local AWS, as ``kit run``'s
    (kept alive while this server lives); bad fixtures end the session with one line."""
    from kit.localaws.jobrun import process_env
    from kit.runtime.kernel import project_root

    return process_env(project_root(cwd), env, holder=os.getpid())


class Worker:
    """A running worker process; ``execute`` blocks until its statement finishes."""

    def __init__(self, env: Mapping[str, str], cwd: Path, log_path: Path, app_name: str):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        control_r, self._control = os.pipe()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            note = python_note(env.get("KIT_GLUE_VERSION"))
            if note:  # once per session, first in its log (Livy's GET /sessions/N/log)
                log.write(f"{note}\n".encode())
                log.flush()
            self.process = subprocess.Popen(
                [*PYTHON, "-m", "kit.endpoints.worker", str(to_child_r),
                 str(from_child_w), str(control_r), app_name],
                cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, pass_fds=(to_child_r, from_child_w, control_r),
                start_new_session=True,
            )
        for fd in (to_child_r, from_child_w, control_r):
            os.close(fd)
        self._writer = os.fdopen(self._to_child, "w", encoding="utf-8")
        self._reader = os.fdopen(self._from_child, "r", encoding="utf-8")
        self._controller = os.fdopen(self._control, "w", encoding="utf-8")

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self) -> dict[str, Any]:
        """Block until Spark is up; returns ``appId``/``sparkUiUrl``. Raises ``WorkerDied``."""
        message = self._receive()
        if message.get("event") != "ready":
            raise WorkerDied(message.get("error", "the worker failed to start").strip())
        return message

    def execute(self, statement_id: int, code: str, kind: str) -> dict[str, Any]:
        """Run one statement and return its Livy output (``status`` ok/error/cancelled)."""
        try:
            self._writer.write(json.dumps({"id": statement_id, "code": code, "kind": kind}) + "\n")
            self._writer.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise WorkerDied(self.death()) from exc
        while True:
            message = self._receive()
            if message.get("event") == "result" and message.get("id") == statement_id:
                return message["output"]

    def interrupt(self, statement_id: int) -> None:
        """Ask the worker to cancel ``statement_id`` (its Spark jobs and its Python code)."""
        try:
            self._controller.write(f"cancel {statement_id}\n")
            self._controller.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # the worker is gone; the session thread reports it

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Close its input (the worker exits), then terminate and kill its group if it lingers."""
        for stream in (self._writer, self._controller):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=timeout / 2)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout / 2)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
        self._signal_group(signal.SIGKILL)  # the Spark driver JVM shares the worker's group
        deadline = time.monotonic() + 5
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        # Closed only now: the session thread may be blocked reading until the worker exits.
        try:
            self._reader.close()
        except OSError:
            pass

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def _receive(self) -> dict[str, Any]:
        try:
            line = self._reader.readline()
        except (ValueError, OSError):
            line = ""
        if not line:
            raise WorkerDied(self.death())
        return json.loads(line)

    def death(self) -> str:
        """Why the worker ended, for the session log."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the session's interpreter stopped answering"
        if code < 0:
            return f"the session's interpreter was killed by signal {-code}"
        return f"the session's interpreter exited with code {code}"
