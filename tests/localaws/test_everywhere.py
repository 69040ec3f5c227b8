"""The local kernel and the local endpoint's session workers (so `kit run --warm` too) get the
same local AWS as `kit run`: the project's kept server, fixtures loaded, the user's AWS dropped."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from kit import config as kit_config
from kit import localaws
from kit.localaws import background, jobrun

WAIT = 180.0  # seconds: a bound for events on a loaded machine, not a speed check
AWS_TOML = '[[buckets]]\nname = "nb-data"\n[ssm]\n"/cfg/limit" = "7"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "proj"
    (root / "local").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (root / "local" / "aws.toml").write_text(AWS_TOML, encoding="utf-8")
    for name in [k for k in os.environ if k.startswith(("AWS_", "KIT_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_PROFILE", "someone-elses-prod")  # must never reach a job
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    yield root
    background.stop(kit_config.load(root))


def _wait_for_parameter(endpoint: str) -> str:
    with pytest.MonkeyPatch.context() as patch:  # the test's own client: not the user's profile
        patch.delenv("AWS_PROFILE", raising=False)
        ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="k", aws_secret_access_key="s")
    deadline = time.monotonic() + WAIT
    while True:
        try:
            return ssm.get_parameter(Name="/cfg/limit")["Parameter"]["Value"]
        except Exception:  # noqa: BLE001 - not up yet, or the fixtures not loaded yet
            assert time.monotonic() < deadline, "the kept local AWS never served the fixtures"
            time.sleep(0.5)


def test_a_session_worker_gets_the_projects_local_aws(project: Path):
    from kit.endpoints.interpreter import worker_env

    env = worker_env(project)
    record = jobrun.state_file(kit_config.load(project))
    endpoint = env["AWS_ENDPOINT_URL"]
    assert endpoint == background._recorded(record)["endpoint"]
    assert "AWS_PROFILE" not in env and env["AWS_ACCESS_KEY_ID"] == "kit-local"
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert Path(env["KIT_S3_ROOT"]) == (project / ".kit" / "s3").resolve()
    assert _wait_for_parameter(endpoint) == "7"
    # the next session finds the same server (this process holds its lease)
    assert worker_env(project)["AWS_ENDPOINT_URL"] == endpoint
    assert (project / ".kit" / background.LEASES / str(os.getpid())).exists()


def test_bad_fixtures_end_the_session_in_one_line(project: Path):
    from kit.endpoints.interpreter import WorkerDied, worker_env

    (project / "local" / "aws.toml").write_text('[[buckets]]\nname = "b"\n[[buckets]]\nname = "b"\n',
                                                 encoding="utf-8")
    with pytest.raises(WorkerDied, match="^local/aws.toml: bucket b is declared twice$"):
        worker_env(project)


@pytest.mark.slow
def test_the_local_kernel_uses_the_projects_local_aws(project: Path):
    """A real kit kernel (the spec tests' conftest installs), started in the project."""
    from jupyter_client.manager import start_new_kernel

    from kit.runtime.kernel import KERNEL_NAME

    manager, client = start_new_kernel(kernel_name=KERNEL_NAME, cwd=str(project),
                                       startup_timeout=WAIT)
    try:
        outputs: list[str] = []
        code = ("import boto3, os\n"
                "print(boto3.client('ssm').get_parameter(Name='/cfg/limit')['Parameter']['Value'],"
                " os.environ.get('AWS_PROFILE'), boto3.client('sts').get_caller_identity()['Account'],"
                " os.environ['AWS_ENDPOINT_URL'])\n")
        deadline = time.monotonic() + WAIT
        while True:  # the kernel does not wait for the server: it may still be starting
            outputs.clear()
            reply = client.execute_interactive(
                code, timeout=WAIT,
                output_hook=lambda m: outputs.append(m["content"].get("text", "")))
            if reply["content"]["status"] == "ok":
                break
            assert time.monotonic() < deadline, outputs
            time.sleep(1)
        value, profile, account, endpoint = "".join(outputs).split()
        assert (value, profile, account) == ("7", "None", localaws.ACCOUNT_ID)
        assert endpoint == background._recorded(
            jobrun.state_file(kit_config.load(project)))["endpoint"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
