"""sparkmagic config and kernels, interactive-session magics, and `kit endpoint local`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from kit.cli import KitGroup
from kit.config import load
from kit.endpoints import sparkmagic_conf
from kit.endpoints.commands import endpoint
from kit.endpoints.sessions import session_magics
from kit.errors import ConfigError

from .conftest import Livy
from .sshd import free_port


def test_config_points_both_kernels_at_livy_and_keeps_user_settings(tmp_path):
    folder = tmp_path / "sm"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "kernel_python_credentials": {"username": "me", "password": "pw", "url": "http://old",
                                      "auth": "Basic_Access"},
        "heartbeat_refresh_seconds": 17,
    }))
    sparkmagic_conf.write_config(folder, "http://127.0.0.1:9000/")
    data = json.loads((folder / "config.json").read_text())
    assert data["kernel_python_credentials"] == {
        "username": "me", "password": "pw", "url": "http://127.0.0.1:9000", "auth": "Basic_Access"}
    assert data["kernel_scala_credentials"]["url"] == "http://127.0.0.1:9000"
    assert data["heartbeat_refresh_seconds"] == 17
    assert sparkmagic_conf.livy_url(folder) == "http://127.0.0.1:9000"


def test_damaged_config_is_refused_not_overwritten(tmp_path):
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ConfigError, match="not valid JSON"):
        sparkmagic_conf.write_config(tmp_path, "http://127.0.0.1:1")
    assert (tmp_path / "config.json").read_text() == "{broken"


def test_kernels_run_this_interpreter_with_kits_config(tmp_path):
    paths = sparkmagic_conf.install_kernels(tmp_path / "kernels", tmp_path / "conf")
    spec = json.loads((tmp_path / "kernels" / "pysparkkernel" / "kernel.json").read_text())
    assert len(paths) == 2
    assert spec["argv"][:3] == [sys.executable, "-m",
                                "sparkmagic.kernels.pysparkkernel.pysparkkernel"]
    assert spec["env"] == {"SPARKMAGIC_CONF_DIR": str((tmp_path / "conf").resolve())}


def test_session_magics_follow_the_job_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kit.job.orders]\nworker_type = "G.2X"\nworkers = 5\nconnections = ["vpc-db"]\n')
    cell = session_magics("orders", load(tmp_path), idle_timeout=15,
                          extra_py_files=["s3://b/lib.zip"])
    assert cell.splitlines() == [
        "%glue_version 5.0", "%worker_type G.2X", "%number_of_workers 5", "%idle_timeout 15",
        "%connections vpc-db", "%extra_py_files s3://b/lib.zip",
    ]
    assert "%worker_type G.1X" in session_magics("other", load(tmp_path))


def test_local_refuses_a_taken_port_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_PROJECT", str(tmp_path))
    cli = KitGroup("kit")
    cli.add_command(endpoint)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["endpoint", "local", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"kit: error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "stop what uses it or pass --port"
    ]


def test_local_command_serves_livy_until_interrupted(tmp_path):
    port = free_port()
    env = {**os.environ, "KIT_PROJECT": str(tmp_path)}
    code = "import sys; from kit.endpoints.commands import endpoint; endpoint(sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", code, "local", "--port", str(port)],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        client = Livy(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                assert client.request("GET", "/sessions") == (
                    200, {"from": 0, "total": 0, "sessions": []})
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert sparkmagic_conf.livy_url(tmp_path / ".kit" / "sparkmagic") == client.url
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert f"local Livy endpoint at http://127.0.0.1:{port}" in err
