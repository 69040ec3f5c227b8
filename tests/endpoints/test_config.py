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

from .conftest import TOKEN, Livy, group_members
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


def test_config_carries_the_local_token_only_for_the_local_endpoint(tmp_path):
    folder = tmp_path / "sm"
    sparkmagic_conf.write_config(folder, "http://127.0.0.1:8998", token="t0k")
    data = json.loads((folder / "config.json").read_text())
    assert data["custom_headers"] == {"X-Requested-By": "kit", "X-Kit-Token": "t0k"}
    assert sparkmagic_conf.token(folder) == "t0k"
    assert (folder / "config.json").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    # pointed elsewhere, the config keeps the user's headers but drops the local token
    data["custom_headers"]["X-Mine"] = "1"
    (folder / "config.json").write_text(json.dumps(data))
    sparkmagic_conf.write_config(folder, "http://emr-master:8998")
    data = json.loads((folder / "config.json").read_text())
    assert data["custom_headers"] == {"X-Requested-By": "kit", "X-Mine": "1"}
    assert sparkmagic_conf.token(folder) is None


def test_local_refuses_an_unknowable_token(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_PROJECT", str(tmp_path))
    monkeypatch.delenv("KIT_ENDPOINT_TOKEN", raising=False)
    cli = KitGroup("kit")
    cli.add_command(endpoint)
    result = CliRunner().invoke(cli, ["endpoint", "local", "--no-configure"])
    assert result.exit_code == 1
    assert result.output.startswith("kit: error: with --no-configure") and (
        result.output.count("\n") == 1)
    assert not (tmp_path / ".kit").exists()


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


def _project(root, settings: str):
    (root / "pyproject.toml").write_text(settings)
    (root / "jobs").mkdir()
    for job in ("orders", "other"):
        (root / "jobs" / f"{job}.py").write_text("# %%\n")
    return load(root)


def test_session_magics_follow_the_job_settings(tmp_path):
    config = _project(tmp_path, '[tool.kit]\n[tool.kit.job.orders]\nworker_type = "G.2X"\n'
                                'workers = 5\nconnections = ["vpc-db"]\n')
    cell = session_magics("orders", config, idle_timeout=15, extra_py_files=["s3://b/lib.zip"])
    assert cell.splitlines() == [
        "%glue_version 5.0", "%worker_type G.2X", "%number_of_workers 5", "%idle_timeout 15",
        "%connections vpc-db", "%extra_py_files s3://b/lib.zip",
    ]
    assert "%worker_type G.1X" in session_magics("other", config)


def test_session_magics_use_the_environment_like_deploy(tmp_path):
    config = _project(tmp_path, (
        '[tool.kit]\n[tool.kit.environments.prod]\nregion = "eu-west-1"\nprofile = "ops"\n'
        '[tool.kit.job.orders]\nworkers = 3\n'
        '[tool.kit.job.orders.environments.prod]\nworkers = 10\nworker_type = "G.2X"\n'))
    prod = session_magics("orders", config, env="prod").splitlines()
    assert prod[:5] == ["%profile ops", "%region eu-west-1", "%glue_version 5.0",
                        "%worker_type G.2X", "%number_of_workers 10"]
    assert "%number_of_workers 3" in session_magics("orders", config, env="dev")


def test_session_magics_refuse_what_deploy_refuses(tmp_path):
    config = _project(tmp_path, '[tool.kit]\n[tool.kit.job.orders]\nworker_type = "G.3X"\n')
    with pytest.raises(ConfigError, match="'G.3X' is not a Glue 5.0 worker type"):
        session_magics("orders", config)
    with pytest.raises(ConfigError, match="no job 'ordrs' in this project"):
        session_magics("ordrs", config)
    with pytest.raises(ConfigError, match="s3:// paths"):
        session_magics("other", config, extra_py_files=["lib.zip"])


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
    conf = tmp_path / ".kit" / "sparkmagic"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # the generated token is in kit's sparkmagic config, and nowhere else
                token = sparkmagic_conf.token(conf)
                assert token, "no token in the config yet"
                client = Livy(f"http://127.0.0.1:{port}", token=token)
                assert client.request("GET", "/sessions") == (
                    200, {"from": 0, "total": 0, "sessions": []})
                break
            except (OSError, AssertionError):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert sparkmagic_conf.livy_url(conf) == client.url
        assert Livy(client.url, token=None).request("GET", "/sessions")[0] == 401
        assert (conf / "config.json").stat().st_mode & 0o077 == 0
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert f"local Livy endpoint at http://127.0.0.1:{port}" in err
    assert token not in err  # the token is not printed (terminals get logged)


@pytest.mark.slow
def test_local_command_stopped_by_sigterm_frees_its_sessions(tmp_path):
    from .conftest import copy_project, wait_group_gone

    project = copy_project(tmp_path / "proj")
    port = free_port()
    env = {**os.environ, "KIT_PROJECT": str(project)}
    code = "import sys; from kit.endpoints.commands import endpoint; endpoint(sys.argv[1:])"
    # started the way a shell starts a background job: SIGINT ignored
    proc = subprocess.Popen([sys.executable, "-c", code, "local", "--port", str(port),
                             "--master", "local[1]", "--token", TOKEN],
                            env=env, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        client = Livy(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                client.request("GET", "/sessions")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        status, body = client.request("POST", "/sessions", {"kind": "pyspark"})
        assert status == 201
        assert client.wait_session(body["id"])["state"] == "idle"
        pid = int(client.run(body["id"], "import os\nos.getpid()")["output"]["data"]["text/plain"])
        assert len(group_members(pid)) >= 2  # the session's interpreter and its Spark JVM
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped" in err
    assert wait_group_gone(pid) == []
