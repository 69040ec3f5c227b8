"""A local AWS kept for the project, so a cold ``kit run`` does not start moto every time.

Starting moto (importing it, loading AWS's managed IAM policies) costs seconds; a job run's
clients only need a server that answers. The first run (or kernel, or Livy session) that needs
a local AWS and finds none starts this one in the background: a detached process serving on a
free 127.0.0.1 port with the project's object root as its S3 store, recorded in the project's
state folder (``local-aws.json``: endpoint, pid) where every later run finds it. It stops on
``kit aws stop`` or after ``KIT_LOCAL_AWS_IDLE`` seconds (default 1800) without a request while
no process holding a lease (a kernel, a Livy endpoint) is alive. ``KIT_LOCAL_AWS_IDLE=0`` keeps
nothing: each run starts its own server and stops it afterwards.

Run as ``python -m kit.localaws.background STATE_FILE S3_ROOT IDLE`` (what :func:`ensure` does).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kit.config import ProjectConfig
from kit.errors import LocalAwsError
from kit.fsutil import write_atomic
from kit.localaws.moto_compat import EXTRA

IDLE_ENV = "KIT_LOCAL_AWS_IDLE"
DEFAULT_IDLE = 1800
LOG_FILE = "local-aws.log"
LOCK_FILE = "local-aws.lock"
LEASES = "local-aws.leases"
START_TIMEOUT = 120.0  # seconds: importing moto on a loaded machine is slow
_CHECK = 1.0  # seconds between idle checks


def idle_seconds(environ: dict[str, str]) -> int:
    """``KIT_LOCAL_AWS_IDLE`` as seconds (0: keep no server between runs)."""
    text = environ.get(IDLE_ENV, "").strip()
    if not text:
        return DEFAULT_IDLE
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise LocalAwsError(f"{IDLE_ENV}={text}: give a number of seconds (0: keep no server)")
    return value


def available() -> bool:
    """True when moto is installed (checked without importing it: that is the slow part)."""
    return importlib.util.find_spec("moto") is not None


def ensure(config: ProjectConfig, environ: dict[str, str], idle: int,
           wait: bool = True) -> dict[str, Any]:
    """The project's kept local AWS, started when none runs; its info (endpoint, s3_root...).

    ``wait=False`` returns as soon as the server is started (a kernel must not wait for moto
    to import): its endpoint is fixed beforehand and it loads ``local/aws.toml`` itself.
    """
    from kit.localaws.jobrun import find_running, state_file

    if not available():
        raise LocalAwsError(f"kit's local AWS needs moto in server mode: {EXTRA}")
    record = state_file(config)
    record.parent.mkdir(parents=True, exist_ok=True)
    with open(record.parent / LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs starting at once share one server
        found = find_running(config, {})
        if found is not None:
            return found
        pending = _recorded(record)
        if isinstance(pending.get("pid"), int) and _is_ours(pending["pid"]):  # still starting
            return pending if not wait else _wait(config, pending["pid"], None, None)
        return _spawn(config, environ, idle, record, wait)


def _spawn(config: ProjectConfig, environ: dict[str, str], idle: int, record: Path,
           wait: bool) -> dict[str, Any]:
    from kit.localaws.jobrun import isolated_env
    from kit.localaws.server import LOCAL_REGION
    from kit.runtime import s3local

    s3_root = Path(environ.get(s3local.ENV_ROOT) or config.state_dir / "s3").resolve()  # s3local's
    port = _free_port()
    log_path = config.state_dir / LOG_FILE
    fixtures_from = "" if wait else str(config.root)  # a caller that waits loads them itself
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kit.localaws.background", str(record), str(s3_root),
             str(idle), str(port), fixtures_from],
            cwd=config.root, env=isolated_env(environ, {}), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    info = {"endpoint": f"http://localhost:{port}", "pid": process.pid, "region": LOCAL_REGION,
            "s3_root": str(s3_root), "background": True, "started": True}
    write_atomic(record, json.dumps(info) + "\n")  # a second caller finds it starting
    if not wait:
        return info
    return {**_wait(config, process.pid, process, log_path), "started": True}


def _wait(config: ProjectConfig, pid: int, process: subprocess.Popen[bytes] | None,
          log_path: Path | None) -> dict[str, Any]:
    from kit.localaws.jobrun import find_running

    log_path = log_path or config.state_dir / LOG_FILE
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = find_running(config, {})
        if found is not None:
            return found
        if (process.poll() is not None) if process is not None else not _is_ours(pid):
            raise LocalAwsError(f"the local AWS did not start: {_last_line(log_path)}")
        time.sleep(0.05)
    raise LocalAwsError(f"the local AWS did not answer within {START_TIMEOUT:.0f}s; see {log_path}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lease(config: ProjectConfig, pid: int) -> None:
    """Keep the project's local AWS alive while process ``pid`` lives (a kernel, an endpoint)."""
    folder = config.state_dir / LEASES
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(pid)).touch()


def stop(config: ProjectConfig, timeout: float = 30.0) -> bool:
    """Stop the project's kept local AWS; False when none was running."""
    from kit.localaws.jobrun import state_file

    record = state_file(config)
    pid = _recorded(record).get("pid")
    if not isinstance(pid, int) or not _is_ours(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _is_ours(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _is_ours(pid):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        if _recorded(record).get("pid") == pid:
            record.unlink()
    return True


def serve(record: Path, s3_root: Path, idle: int, port: int = 0, root: Path | None = None) -> None:
    """The background process: serve until SIGTERM, or until idle with no live lease."""
    from kit.localaws.server import start

    try:
        server = start(port, s3_root=s3_root)
    except LocalAwsError as exc:
        print(exc, flush=True)  # the starting run reports this last line
        with contextlib.suppress(OSError):
            if _recorded(record).get("pid") == os.getpid():
                record.unlink()
        raise SystemExit(1) from None
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    if root is not None:
        _load_fixtures(root, server)
    write_atomic(record, json.dumps({"endpoint": server.endpoint, "pid": os.getpid(),
                                     "background": True, "s3_root": str(s3_root)}) + "\n")
    print(f"kit: local AWS at {server.endpoint} (pid {os.getpid()}), S3 under {s3_root}",
          flush=True)
    leases = record.parent / LEASES
    try:
        while not stopped.wait(_CHECK):
            quiet = time.monotonic() - server.last_request
            if idle and quiet > idle and not _live_leases(leases):
                print(f"kit: local AWS idle for {idle}s: stopping", flush=True)
                break
    finally:
        server.stop()
        with contextlib.suppress(OSError):
            if _recorded(record).get("pid") == os.getpid():
                record.unlink()
        print("kit: local AWS stopped", flush=True)


def _load_fixtures(root: Path, server: Any) -> None:
    """``local/aws.toml`` into the new server (counts only: values are never printed)."""
    from kit.errors import KitError
    from kit.localaws import fixtures
    from kit.localaws.jobrun import local_client_env, local_clients

    try:
        loaded = fixtures.load(root)
        env = local_client_env(server.endpoint, server.region, None)
        for line in fixtures.apply(loaded, local_clients(env)):
            print(f"kit: local AWS: {line}", flush=True)
    except KitError as exc:
        print(f"kit: error: {exc}", flush=True)


def _live_leases(folder: Path) -> bool:
    alive = False
    for path in folder.glob("*") if folder.is_dir() else []:
        try:
            os.kill(int(path.name), 0)
            alive = True
        except (ValueError, ProcessLookupError):
            path.unlink(missing_ok=True)
        except PermissionError:
            alive = True
    return alive


def _recorded(record: Path) -> dict[str, Any]:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_ours(pid: int) -> bool:
    """True when ``pid`` is a live background local AWS (not a recycled pid, not a zombie)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and b"kit.localaws.background" in cmdline


def _last_line(log_path: Path) -> str:
    try:
        lines = [ln for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    return lines[-1].strip() if lines else "no log"


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
          Path(sys.argv[5]) if sys.argv[5] else None)
