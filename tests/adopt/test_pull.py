"""``kit pull`` against a local AWS (moto server on 127.0.0.1): adopt a deployed job, then
``kit diff`` is clean; bad input is one line and writes nothing."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from kit import localaws as moto_server
from tests.conftest import tree_digest

CORPUS = Path(__file__).resolve().parent / "corpus"
SCRIPTS, TEMP, DATA = "team-glue-scripts", "team-glue-temp", "team-data"
PYPROJECT = """\
# The team's repository: its own settings stay as they are.
[project]
name = "etl"  # keep me

[tool.kit]
"""


@pytest.fixture(scope="module")
def moto() -> Iterator[moto_server.LocalAws]:
    server = moto_server.start()
    yield server
    server.stop()


@pytest.fixture
def aws(moto, monkeypatch):
    moto.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", moto_server.LOCAL_REGION)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "KIT_PROJECT"):
        monkeypatch.delenv(name, raising=False)

    def client(service: str):
        return boto3.client(service, endpoint_url=moto.endpoint, region_name=moto_server.LOCAL_REGION)

    for bucket in (SCRIPTS, TEMP, DATA):
        client("s3").create_bucket(Bucket=bucket)
    return client


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "etl"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def deploy_by_hand(client, name: str = "dev-sales", **overrides) -> str:
    """A job made outside kit (console / CLI), with its script and a scheduled trigger."""
    key = "scripts/sales.py"
    client("s3").put_object(Bucket=SCRIPTS, Key=key, Body=(CORPUS / "studio_applymapping.py").read_bytes())
    job = {
        "Name": name,
        "Role": "arn:aws:iam::123456789012:role/team-glue",
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{SCRIPTS}/{key}", "PythonVersion": "3"},
        "DefaultArguments": {
            "--TempDir": f"s3://{TEMP}/glue-temp/sales/",
            "--job-bookmark-option": "job-bookmark-enable",
            "--job-language": "python",
            "--enable-metrics": "true",
            "--input_path": f"s3://{DATA}/raw/orders/",
            "--output_path": f"s3://{DATA}/curated/orders/",
            "--enable-spark-ui": "true",
        },
        "Connections": {"Connections": ["warehouse-vpc"]},
        "GlueVersion": "5.0",
        "WorkerType": "G.2X",
        "NumberOfWorkers": 5,
        "Timeout": 120,
        "MaxRetries": 1,
    }
    job.update(overrides)
    client("glue").create_job(**job)
    client("glue").create_trigger(
        Name=f"{name}-nightly", Type="SCHEDULED", Schedule="cron(30 2 * * ? *)",
        Actions=[{"JobName": name}], StartOnCreation=True,
    )
    return name


def test_pull_then_diff_reports_no_drift(aws, repo: Path, cli):
    deploy_by_hand(aws)
    result = cli("pull", "sales", "--env", "dev")
    assert result.exit_code == 0, result.output
    assert "pulled dev-sales" in result.output

    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(PYPROJECT)  # the team's keys and comments untouched
    kit = tomllib.loads(text)["tool"]["kit"]
    job = kit["job"]["sales"]
    assert job["glue_version"] == "5.0"  # the deployed job's GlueVersion, written explicitly
    assert job["worker_type"] == "G.2X" and job["workers"] == 5 and job["timeout"] == 120
    assert job["max_retries"] == 1 and job["connections"] == ["warehouse-vpc"]
    assert job["schedule"] == "cron(30 2 * * ? *)" and job["bookmark"] == "enable"
    assert job["environments"]["dev"]["arguments"] == {
        "enable-spark-ui": "true",
        "input_path": f"s3://{DATA}/raw/orders/",
        "output_path": f"s3://{DATA}/curated/orders/",
    }
    assert kit["environments"]["dev"] == {"scripts_bucket": SCRIPTS, "temp_bucket": TEMP}
    module = (repo / "jobs" / "sales.py").read_text(encoding="utf-8")
    assert "# Script generated for node Change Schema" in module and "JOB_ARGS = {}" in module

    diff = cli("diff", "sales", "--env", "dev")
    assert diff.exit_code == 0, diff.output
    assert "dev-sales: deployed job matches the local export" in diff.output

    # the console edits the job afterwards: now kit diff sees it
    aws("s3").put_object(Bucket=SCRIPTS, Key="scripts/sales.py", Body=b"print('edited')\n")
    drifted = cli("diff", "sales", "--env", "dev")
    assert drifted.exit_code == 3 and "differs from the local export" in drifted.stderr


@pytest.mark.parametrize("version", ["5.1", "6.0"])
def test_pull_keeps_the_deployed_glue_version(aws, repo: Path, cli, version):
    deploy_by_hand(aws, GlueVersion=version)
    result = cli("pull", "sales", "--env", "dev")
    assert result.exit_code == 0, result.output
    job = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["kit"]
    assert job["job"]["sales"]["glue_version"] == version
    stack = (repo / "build" / "sales" / "stack.yml").read_text(encoding="utf-8")
    assert f"Default: '{version}'" in stack or f'Default: "{version}"' in stack, stack
    diff = cli("diff", "sales", "--env", "dev")
    assert diff.exit_code == 0, diff.output  # the deployed version is what kit would deploy


def test_pull_never_overwrites_without_force(aws, repo: Path, cli):
    deploy_by_hand(aws)
    assert cli("pull", "sales", "--env", "dev").exit_code == 0
    (repo / "jobs" / "sales.py").write_text("# my edits\n", encoding="utf-8")
    before = tree_digest(repo)
    again = cli("pull", "sales", "--env", "dev")
    assert again.exit_code == 1 and again.stderr.count("\n") == 1
    assert "already exists; pass --force" in again.stderr
    assert tree_digest(repo) == before
    forced = cli("pull", "sales", "--env", "dev", "--force")
    assert forced.exit_code == 0, forced.output
    assert "# Script generated for node" in (repo / "jobs" / "sales.py").read_text(encoding="utf-8")
    assert cli("diff", "sales", "--env", "dev").exit_code == 0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing job", "no Glue job dev-sales in dev"),
        ("missing script", "its script s3://team-glue-scripts/scripts/sales.py cannot be read"),
        ("python shell", "it is a 'pythonshell' job"),
        ("glue 4", "it runs Glue 4.0 (kit runs and deploys Glue 5.0, 5.1, 6.0;"),
        ("foreign temp dir", "kit cannot express its DefaultArguments --TempDir"),
        ("no metrics", "kit cannot express its DefaultArguments --enable-metrics"),
        ("secret argument", "DefaultArguments --db_password looks like a credential"),
    ],
)
def test_pull_refuses_with_one_line_and_writes_nothing(aws, repo: Path, cli, setup, message):
    if setup == "missing script":
        deploy_by_hand(aws)
        aws("s3").delete_object(Bucket=SCRIPTS, Key="scripts/sales.py")
    elif setup == "python shell":
        deploy_by_hand(aws, Command={"Name": "pythonshell", "ScriptLocation": f"s3://{SCRIPTS}/x.py"})
    elif setup == "glue 4":
        deploy_by_hand(aws, GlueVersion="4.0")
    elif setup == "foreign temp dir":
        aws("cloudformation")  # the environment has buckets configured: no bootstrap needed
        (repo / "pyproject.toml").write_text(
            PYPROJECT + f'\n[tool.kit.environments.dev]\nscripts_bucket = "{SCRIPTS}"\n'
            f'temp_bucket = "{TEMP}"\n', encoding="utf-8",
        )
        deploy_by_hand(aws, DefaultArguments={"--TempDir": "s3://aws-glue-assets-1/temporary/",
                                              "--job-language": "python", "--enable-metrics": "true"})
    elif setup == "no metrics":
        deploy_by_hand(aws, DefaultArguments={"--TempDir": f"s3://{TEMP}/glue-temp/sales/",
                                              "--job-bookmark-option": "job-bookmark-disable",
                                              "--job-language": "python"})
    elif setup == "secret argument":
        deploy_by_hand(aws, DefaultArguments={"--TempDir": f"s3://{TEMP}/glue-temp/sales/",
                                              "--job-language": "python", "--enable-metrics": "true",
                                              "--db_password": "hunter22"})
    before = tree_digest(repo)
    result = cli("pull", "sales", "--env", "dev")
    assert result.exit_code == 1, result.output
    assert "hunter22" not in result.output
    assert result.stderr.startswith("kit: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert tree_digest(repo) == before
