"""The local AWS kept for a project between runs: started once, found again, stopped on demand
or when idle with no live lease holder. Each test stops what it started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from kit import config as kit_config
from kit import localaws
from kit.errors import LocalAwsError
from kit.localaws import background, jobrun

WAIT = 120.0  # seconds: a generous bound for events on a loaded machine (not a speed check)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[kit_config.ProjectConfig]:
    (tmp_path / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "aws.toml").write_text(
        '[[buckets]]\nname = "kept"\n[ssm]\n"/cfg/limit" = "7"\n', encoding="utf-8")
    config = kit_config.load(tmp_path)
    yield config
    background.stop(config)


def _env(config: kit_config.ProjectConfig) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    return {**env, "KIT_S3_ROOT": str(config.state_dir / "s3")}


def _pid(config: kit_config.ProjectConfig) -> int:
    return int(background._recorded(jobrun.state_file(config))["pid"])


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for: {what}"
        time.sleep(0.2)


def test_idle_setting_is_checked():
    assert background.idle_seconds({}) == background.DEFAULT_IDLE
    assert background.idle_seconds({"KIT_LOCAL_AWS_IDLE": "0"}) == 0
    with pytest.raises(LocalAwsError, match="KIT_LOCAL_AWS_IDLE=soon"):
        background.idle_seconds({"KIT_LOCAL_AWS_IDLE": "soon"})


def test_kept_for_later_runs_then_stopped_by_kit_aws_stop(project):
    said: list[str] = []
    with jobrun.job_aws(project, echo=said.append, environ=_env(project) | {
            "KIT_LOCAL_AWS_IDLE": "600"}) as env:
        endpoint = env["AWS_ENDPOINT_URL"]
    assert "started for this project; `kit aws stop` stops it" in said[0]
    # the run is over; the server is not: the next run finds it, fixtures and objects intact
    info = localaws.probe(endpoint)
    assert info is not None and info["s3_root"] == str((project.state_dir / "s3").resolve())
    said.clear()
    with jobrun.job_aws(project, echo=said.append, environ=_env(project)) as env:
        assert env["AWS_ENDPOINT_URL"] == endpoint
        ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="k", aws_secret_access_key="s")
        assert ssm.get_parameter(Name="/cfg/limit")["Parameter"]["Value"] == "7"
    assert said[0] == f"kit: the job's AWS clients use kit's local AWS at {endpoint}"
    pid = _pid(project)
    proc = subprocess.run([sys.executable, "-m", "kit", "aws", "stop"], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr.strip() == "kit: local AWS stopped"
    assert not background._is_ours(pid)
    assert not jobrun.state_file(project).exists()
    assert localaws.probe(endpoint) is None
    proc = subprocess.run([sys.executable, "-m", "kit", "aws", "stop"], cwd=project.root,
                          capture_output=True, text=True, timeout=120)
    assert proc.stderr.strip() == "kit: no kept local AWS was running for this project"


def test_stops_when_idle_once_no_lease_holder_lives(project):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        env = jobrun.process_env(project.root, _env(project) | {"KIT_LOCAL_AWS_IDLE": "1"},
                                 echo=lambda _m: None, holder=holder.pid)
        # returned at once (a kernel does not wait for moto): the server loads the fixtures
        endpoint = env["AWS_ENDPOINT_URL"]
        _until(lambda: localaws.probe(endpoint) is not None, "the kept server to answer")
        ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="k", aws_secret_access_key="s")
        _until(lambda: ssm.describe_parameters()["Parameters"], "the fixtures to be loaded")
        pid = _pid(project)
        time.sleep(3)  # idle for longer than its 1 s limit, but the holder lives
        assert background._is_ours(pid)
    finally:
        holder.kill()
        holder.wait()
    _until(lambda: not background._is_ours(pid), "the idle server to stop")
    assert not jobrun.state_file(project).exists()
