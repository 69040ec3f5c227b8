"""The environment a job gets: the local AWS only, unless the user opts in to real AWS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import LocalFixtureError, RunError
from kit.localaws import jobrun


@pytest.fixture
def project(tmp_path: Path) -> kit_config.ProjectConfig:
    (tmp_path / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    return kit_config.load(tmp_path)


def test_isolated_env_drops_every_aws_variable():
    env = {"PATH": "/bin", "AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIA",
           "AWS_ENDPOINT_URL_S3": "https://s3.example"}
    assert jobrun.isolated_env(env, {"AWS_REGION": "us-east-1"}) == {
        "PATH": "/bin", "AWS_REGION": "us-east-1"}


@pytest.mark.parametrize(("env", "expected"), [
    ({"AWS_PROFILE": "prod"}, True),
    ({"AWS_ACCESS_KEY_ID": "AKIA"}, True),
    ({"AWS_SHARED_CREDENTIALS_FILE": os.devnull}, False),
])
def test_has_credentials(env, expected):
    assert jobrun.has_credentials(env) is expected


def test_a_local_aws_at_aws_endpoint_url_is_used_and_the_profile_dropped(project, server):
    said: list[str] = []
    environ = {"AWS_ENDPOINT_URL": server.endpoint, "AWS_PROFILE": "prod", "PATH": "/bin"}
    with jobrun.job_aws(project, echo=said.append, environ=environ) as env:
        assert env["AWS_ENDPOINT_URL"] == server.endpoint
        assert "AWS_PROFILE" not in env and env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
        assert env["KIT_S3_ROOT"] == str(server.s3_root)
    assert said == [f"kit: the job's AWS clients use kit's local AWS at {server.endpoint}"]


def test_credentials_for_elsewhere_are_ignored_and_said_once(project, server):
    said: list[str] = []
    (project.state_dir).mkdir(parents=True, exist_ok=True)
    jobrun.state_file(project).write_text(f'{{"endpoint": "{server.endpoint}"}}', encoding="utf-8")
    environ = {"AWS_ACCESS_KEY_ID": "AKIAREAL", "AWS_SECRET_ACCESS_KEY": "x", "PATH": "/bin"}
    with jobrun.job_aws(project, echo=said.append, environ=environ) as env:
        assert env["AWS_ACCESS_KEY_ID"] == "kit-local" and env["AWS_ENDPOINT_URL"] == server.endpoint
    assert len(said) == 1 and "credentials in this environment are ignored" in said[0]


def test_bad_fixtures_stop_before_anything_starts(project, server):
    (project.root / "local").mkdir()
    (project.root / "local" / "aws.toml").write_text("[[buckets]]\nname = 1\n", encoding="utf-8")
    with pytest.raises(LocalFixtureError, match=r"buckets\[0\] needs a name"):
        with jobrun.job_aws(project, environ={"AWS_ENDPOINT_URL": server.endpoint}):
            pytest.fail("the run must not start")


def test_real_aws_without_credentials_is_one_line(project, monkeypatch):
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)  # boto3 reads the process environment
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(RunError, match="--aws real: cannot identify the AWS account"):
        with jobrun.job_aws(project, aws="real", environ=dict(os.environ)):
            pytest.fail("the run must not start")
