"""Fixtures for deployment tests: one moto server per session (reset per test) and a project."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from kit import config as kit_config
from kit import localaws
from kit.cli import main
from kit.infra.commands import COMMANDS
from kit.notebooks.export import export
from kit.notebooks.template import create

REPO = Path(__file__).resolve().parents[2]
DATA_BUCKET = "kit-demo-data"

PYPROJECT = """\
[project]
name = "demo"
version = "0"

[tool.kit]

[tool.kit.environments.dev]
arguments = {{ input_path = "s3://{bucket}/input/{{job}}/", output_path = "s3://{bucket}/output/{{job}}/" }}

[tool.kit.environments.test]
arguments = {{ input_path = "s3://{bucket}/test/input/{{job}}/", output_path = "s3://{bucket}/test/output/{{job}}/" }}

[tool.kit.environments.prod]
name_prefix = "prd-"
arguments = {{ input_path = "s3://{bucket}/prod/input/{{job}}/", output_path = "s3://{bucket}/prod/output/{{job}}/" }}

[tool.kit.job.sales]
schedule = "cron(0 6 * * ? *)"
workers = 3
arguments = {{ min_rows = "1" }}

[tool.kit.job.sales.environments.prod]
workers = 10
worker_type = "G.2X"
"""

for command in COMMANDS:  # the lead registers these in kit/cli.py; idempotent here
    if command.name not in main.commands:
        main.add_command(command)


@pytest.fixture(scope="session")
def moto() -> Iterator[localaws.LocalAws]:
    server = localaws.start()
    yield server
    server.stop()


@pytest.fixture
def local_aws(moto: localaws.LocalAws, monkeypatch: pytest.MonkeyPatch):
    """A clean local AWS; AWS_* variables point every client (kit's and the AWS CLI's) at it."""
    moto.reset()
    moto.unstage_job_runs()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", localaws.LOCAL_REGION)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return moto


@pytest.fixture
def aws_clients(local_aws):
    """Plain boto3 clients on the local AWS, for the tests' own (independent) checks."""

    def make(service: str):
        return boto3.client(service, endpoint_url=local_aws.endpoint, region_name="us-east-1")

    return make


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh project (the cwd) with job ``sales`` from kit's template; no AWS needed."""
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(bucket=DATA_BUCKET), encoding="utf-8")
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    create("sales", kit_config.load(root))
    return root


@pytest.fixture
def deploy_project(project_dir: Path, aws_clients) -> Path:
    """``project_dir`` on a clean local AWS, with its data bucket created and ``sales`` exported
    (deploy ships builds, never notebooks)."""
    aws_clients("s3").create_bucket(Bucket=DATA_BUCKET)
    export("sales", kit_config.load(project_dir))
    return project_dir


@pytest.fixture
def kit(cli):
    """Run the kit CLI in-process (tests/conftest.py's ``cli``): click's Result."""
    return cli


def edit_job_cell(root: Path, job: str, marker: str) -> None:
    """Change the job's exported code (append a line to its last job cell), as a user would."""
    module = root / "jobs" / f"{job}.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.rstrip("\n") + f"\n    print({marker!r})\n", encoding="utf-8")
    notebook = root / "notebooks" / f"{job}.ipynb"
    notebook.unlink()  # the module is now the only twin; export reads it


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()
