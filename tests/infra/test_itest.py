"""kit itest on the example job: sample data up, job run (local runner), wait, integration checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BUCKET = "kit-itest-data"
PYPROJECT = f"""\
[project]
name = "demo"
version = "0"

[tool.kit]

[tool.kit.environments.dev.arguments]
customers_path = "s3://{BUCKET}/in/{{job}}/customers.csv"
orders_path = "s3://{BUCKET}/in/{{job}}/orders.csv"
output_path = "s3://{BUCKET}/out/{{job}}/"
"""


@pytest.fixture
def itest_project(project: Path, local_aws, aws_clients, kit) -> Path:
    """The repository's example project, deployed to the local AWS with checks in place."""
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    checks = project / "tests" / "integration" / "test_orders_by_month.py"
    checks.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "itest_orders_by_month.py", checks)
    aws_clients("s3").create_bucket(Bucket=BUCKET)
    assert kit("bootstrap").exit_code == 0
    deployed = kit("deploy", "orders_by_month", "--export")  # new settings: a new build
    assert deployed.exit_code == 0, deployed.output
    return project


def test_itest_uploads_runs_waits_and_checks(itest_project, local_aws, aws_clients, kit):
    local_aws.stage_job_runs(2)  # the run stays RUNNING for a few reads before SUCCEEDED
    result = kit("itest", "orders_by_month", "--poll", "0.1")
    assert result.exit_code == 0, result.output
    run_id = result.stdout.split(" run ")[1].split()[0]
    assert result.stdout.strip() == f"dev-orders_by_month: run {run_id} SUCCEEDED; checks passed"
    err = result.stderr
    assert f"uploaded data/orders_by_month/orders.csv to s3://{BUCKET}/in/orders_by_month/orders.csv" in err
    states = [line.split()[0] for line in err.splitlines() if line.startswith("  ") and line.strip().endswith("s")]
    # each state change is reported once, in order, while kit waits for the run
    assert states[-2:] == ["RUNNING", "SUCCEEDED"] and states in (
        ["RUNNING", "SUCCEEDED"], ["STARTING", "RUNNING", "SUCCEEDED"]
    )
    s3 = aws_clients("s3")
    sample = s3.get_object(Bucket=BUCKET, Key="in/orders_by_month/customers.csv")["Body"].read()
    assert sample == (itest_project / "data" / "orders_by_month" / "customers.csv").read_bytes()
    written = s3.list_objects_v2(Bucket=BUCKET, Prefix="out/orders_by_month/")["Contents"]
    assert any(o["Key"].endswith(".parquet") and "/month=" in o["Key"] for o in written)
    run = aws_clients("glue").get_job_run(JobName="dev-orders_by_month", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "SUCCEEDED"


def test_itest_reports_a_failed_run_with_its_error(itest_project, local_aws, kit):
    local_aws.fail_job_runs("dev-orders_by_month", "Command failed with exit code 1: KeyError 'x'")
    try:
        result = kit("itest", "orders_by_month", "--poll", "0.1")
    finally:
        local_aws.fail_job_runs("dev-orders_by_month", "")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kit: error: dev-orders_by_month run jr_")
    assert last.endswith(" FAILED: Command failed with exit code 1: KeyError 'x'")
    assert "running tests/integration" not in result.stderr  # no checks after a failed run


def test_itest_needs_the_jobs_checks(project, local_aws, kit):
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    result = kit("itest", "orders_by_month")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kit: error: no integration checks for orders_by_month: create "
        "tests/integration/test_orders_by_month.py (read the output with "
        "kit.infra.itest.itest_output())"
    )


def test_itest_fails_when_the_checks_fail(itest_project, kit):
    checks = itest_project / "tests" / "integration" / "test_orders_by_month.py"
    checks.write_text(
        checks.read_text().replace("assert got == _expected()", "assert got == set()"),
        encoding="utf-8",
    )
    result = kit("itest", "orders_by_month", "--poll", "0.1")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "kit: error: integration checks tests/integration/test_orders_by_month.py failed for run jr_"
    )


def test_itest_gives_up_after_its_timeout(itest_project, local_aws, kit):
    local_aws.stage_job_runs(10_000)  # the run never leaves STARTING
    result = kit("itest", "orders_by_month", "--poll", "0.2", "--timeout", "1")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kit: error: dev-orders_by_month run jr_")
    assert last.endswith(
        " still STARTING after 1s; raise --timeout or check the run in the Glue console"
    )
