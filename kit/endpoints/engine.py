"""The warm engine: kit's local endpoint, resident in the background, for ``kit run --warm``.

One engine, two faces: the engine *is* the local Livy endpoint (same server, session manager,
worker processes and security checks), started detached on a free loopback port with a fresh
access token, its own session logs (``<state>/warm/logs``), and its address in
``<state>/warm/engine.json`` (private to the user, like the token in it). ``kit run --warm`` talks
Livy to it (``kit.runtime.warm``); a session whose driver is up makes a run skip the JVM start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kit.endpoints import livy, security, server
from kit.endpoints.errors import EndpointError
from kit.endpoints.interpreter import PYTHON
from kit.endpoints.models import SessionManager
from kit.fsutil import write_atomic

STATE_FOLDER = "warm"
INFO_FILE = "engine.json"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Engine:
    """A running engine: where it listens, its token, its process and its Spark master."""

    url: str
    token: str
    pid: int
    master: str

    def client(self) -> livy.Client:
        return livy.Client(self.url, self.token)


def folder(state_dir: Path) -> Path:
    return Path(state_dir) / STATE_FOLDER


def find(state_dir: Path) -> Engine | None:
    """The engine recorded under ``state_dir`` if its process is alive and Livy answers."""
    path = folder(state_dir) / INFO_FILE
    try:
        engine = Engine(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if not _is_engine(engine.pid):
        return None
    try:
        engine.client().get("/sessions", timeout=5)
    except EndpointError:
        return None
    return engine


def start(root: Path, state_dir: Path, master: str, timeout: float = START_TIMEOUT) -> Engine:
    """Start an engine in the background (detached from this terminal); waits until it answers."""
    home = folder(state_dir)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    (home / INFO_FILE).unlink(missing_ok=True)
    with open(home / "engine.log", "ab") as log:
        process = subprocess.Popen(
            [*PYTHON, "-m", "kit.endpoints.engine", str(root), str(state_dir), master],
            cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        engine = find(state_dir)
        if engine is not None and engine.pid == process.pid:
            return engine
        if process.poll() is not None:
            raise EndpointError(f"the warm engine did not start (exit {process.returncode}); "
                                f"see {home / 'engine.log'}")
        time.sleep(0.05)
    process.terminate()
    raise EndpointError(f"the warm engine did not answer within {timeout:.0f}s; "
                        f"see {home / 'engine.log'}")


def stop(state_dir: Path, timeout: float = 60.0) -> bool:
    """Stop the engine (and its Spark drivers); False when none was running."""
    path = folder(state_dir) / INFO_FILE
    try:
        pid = int(json.loads(path.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    running = _is_engine(pid)
    if running:
        os.kill(pid, signal.SIGTERM)  # the engine deletes its sessions, then exits
        deadline = time.monotonic() + timeout
        while _is_engine(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _is_engine(pid):
            os.killpg(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return running


def _is_engine(pid: int) -> bool:
    """True when ``pid`` is a live engine process (not a recycled pid, not a zombie)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and b"kit.endpoints.engine" in cmdline


def serve(root: Path, state_dir: Path, master: str) -> None:
    """The engine process: serve a token-protected local endpoint until SIGTERM."""
    home = folder(state_dir)
    manager = SessionManager(root, home / "logs", master=master)
    token = security.new_token()
    livy_server = server.make_server(root, port=0, token=token, manager=manager)
    engine = Engine(livy_server.url, token, os.getpid(), master)
    write_atomic(home / INFO_FILE, json.dumps(asdict(engine)) + "\n")
    os.chmod(home / INFO_FILE, 0o600)
    print(f"kit warm engine at {engine.url} (pid {engine.pid}, master {master})", flush=True)
    server.stop_on_signals()
    try:
        server.serve(livy_server)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            if json.loads((home / INFO_FILE).read_text())["pid"] == os.getpid():
                (home / INFO_FILE).unlink()
        except (OSError, ValueError, KeyError):
            pass
        print("kit warm engine stopped", flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
