"""Endpoint test harness: a real local Livy endpoint on 127.0.0.1 and sparkmagic kernels for it."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.endpoints import server as livy_server
from kit.endpoints import sparkmagic_conf

REPO = Path(__file__).resolve().parents[2]
TOKEN = "endpoint-tests-token"


def copy_project(root: Path) -> Path:
    """A throwaway copy of the example project (notebook, data), so runs write nothing here."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    for folder in ("notebooks", "data"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


class Livy:
    """A minimal Livy REST client over urllib (independent of the server code)."""

    def __init__(self, url: str, token: str | None = TOKEN):
        self.url = url.rstrip("/")
        self.headers = {"Content-Type": "application/json", "X-Requested-By": "tests"}
        if token:
            self.headers["X-Kit-Token"] = token

    def request(self, method: str, path: str, body: Any = None, raw: bytes | None = None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=self.headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def wait_session(self, session_id: int, until: tuple[str, ...] = ("idle",),
                     timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.request("GET", f"/sessions/{session_id}")
            assert status == 200, body
            if body["state"] in until or body["state"] in ("dead", "error", "killed"):
                return body
            time.sleep(0.1)
        raise AssertionError(f"session {session_id} never reached {until}")

    def run(self, session_id: int, code: str, kind: str | None = None,
            timeout: float = 240) -> dict:
        """Submit ``code`` and wait for the statement to finish; returns the statement."""
        body: dict[str, Any] = {"code": code}
        if kind:
            body["kind"] = kind
        status, statement = self.request("POST", f"/sessions/{session_id}/statements", body)
        assert status == 201, statement
        return self.wait_statement(session_id, statement["id"], timeout=timeout)

    def wait_statement(self, session_id: int, statement_id: int,
                       until: tuple[str, ...] = ("available", "error", "cancelled"),
                       timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.request("GET", f"/sessions/{session_id}/statements/{statement_id}")
            assert status == 200, body
            if body["state"] in until:
                return body
            time.sleep(0.05)
        raise AssertionError(f"statement {statement_id} never reached {until}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("endpoint") / "proj")


@pytest.fixture(scope="module")
def livy(workdir: Path) -> Iterator[livy_server.LivyServer]:
    """kit's local endpoint, serving from a thread on a free loopback port."""
    server = livy_server.make_server(workdir, port=0, state_dir=workdir / ".kit", master="local[1]",
                                     token=TOKEN)
    thread = livy_server.start_in_thread(server)
    yield server
    livy_server.shutdown(server, thread)


@pytest.fixture(scope="module")
def client(livy) -> Livy:
    return Livy(livy.url)


def sparkmagic_home(folder: Path, url: str) -> dict[str, str]:
    """Kernel specs and a sparkmagic config pointing at ``url``; returns the env to set."""
    conf = sparkmagic_conf.write_config(
        folder / "sparkmagic", url,
        # a failing cell must fail the run; no widgets (there is no browser to answer them)
        {"all_errors_are_fatal": True, "use_auto_viz": False}, token=TOKEN,
    ).parent
    sparkmagic_conf.install_kernels(folder / "jupyter" / "kernels")
    return {"SPARKMAGIC_CONF_DIR": str(conf), "JUPYTER_PATH": str(folder / "jupyter")}


def run_notebook(nb, env: dict[str, str], cwd: Path, timeout: int = 300):
    """Execute ``nb`` with sparkmagic's PySpark kernel (nbclient, like a headless Jupyter)."""
    from nbclient import NotebookClient

    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        client = NotebookClient(nb, kernel_name="pysparkkernel", timeout=timeout,
                                resources={"metadata": {"path": str(cwd)}})
        client.execute()
    return nb


def text_of(cell) -> str:
    """Everything a cell printed (stream and text/plain outputs), joined."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        elif "data" in output and "text/plain" in output["data"]:
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


def wait_no_sessions(server, timeout: float = 60) -> list:
    """Wait until the endpoint has no session (a kernel's DELETE may still be stopping one)."""
    deadline = time.monotonic() + timeout
    while (left := server.manager.list()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def wait_group_gone(pgid: int, timeout: float = 30) -> list[int]:
    """Wait until process group ``pgid`` has no live process; returns what is left."""
    deadline = time.monotonic() + timeout
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
