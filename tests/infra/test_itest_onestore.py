"""kit itest on kit's local AWS whose S3 is the object root (as `kit aws local` and kit run's):
the deployed script runs with its s3:// arguments in place, nothing is mirrored."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit import localaws
from tests.infra.test_itest import BUCKET, FIXTURES, PYPROJECT


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[localaws.LocalAws]:
    """Overrides the session's in-memory server: this one keeps S3 in a folder."""
    server = localaws.start(s3_root=tmp_path_factory.mktemp("object-root"))
    yield server
    server.stop()


def test_itest_runs_in_place_on_the_local_aws_object_root(project: Path, local_aws, aws_clients,
                                                          kit):
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    checks = project / "tests" / "integration" / "test_orders_by_month.py"
    checks.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "itest_orders_by_month.py", checks)
    s3 = aws_clients("s3")
    s3.create_bucket(Bucket=BUCKET)
    assert kit("bootstrap").exit_code == 0
    deployed = kit("deploy", "orders_by_month", "--export")
    assert deployed.exit_code == 0, deployed.output
    stale = local_aws.s3_root / BUCKET / "out" / "orders_by_month" / "stale.parquet"
    s3.put_object(Bucket=BUCKET, Key="out/orders_by_month/stale.parquet", Body=b"old run")
    assert stale.is_file()  # boto3's put is a file of the object root

    result = kit("itest", "orders_by_month", "--poll", "0.1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("SUCCEEDED; checks passed")
    assert "on the local AWS's own S3" in result.stderr
    assert not stale.exists()  # the previous output was removed through S3, on disk too
    # Spark wrote the output straight into the object root; boto3 lists the same objects
    written = local_aws.s3_root / BUCKET / "out" / "orders_by_month"
    files = {p.relative_to(written).as_posix() for p in written.rglob("*.parquet")}
    listed = {o["Key"][len("out/orders_by_month/"):] for o in s3.list_objects_v2(
        Bucket=BUCKET, Prefix="out/orders_by_month/")["Contents"] if o["Key"].endswith(".parquet")}
    assert files and files == listed
    # no mirror: nothing was downloaded or staged for the run
    assert not (project / ".kit" / "itest" / "orders_by_month").exists()
