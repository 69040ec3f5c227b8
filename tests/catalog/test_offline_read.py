"""The whole loop offline: declare -> `kit catalog load` -> `kit sample` -> Glue's from_catalog
reads the masked sample locally (kit's awsglue layer on the shared SparkSession)."""

from __future__ import annotations

import pytest

from kit.testing.glue import glue_context  # noqa: F401 - fixture
from tests.catalog.test_sample import BUCKET, CUSTOMERS, _csv

pytestmark = pytest.mark.slow


def test_from_catalog_reads_the_masked_sample(catalog_project, s3, cli, tmp_path, monkeypatch,
                                               glue_context) -> None:  # noqa: F811
    monkeypatch.setenv("KIT_S3_ROOT", str(tmp_path / "objects"))
    assert cli("catalog", "load", "--env", "dev").exit_code == 0
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="in/customers/part-0.csv", Body=_csv(CUSTOMERS))
    result = cli("sample", "kit_example.customers", "--env", "dev", "--rows", "5")
    assert result.exit_code == 0, result.output

    frame = glue_context.create_dynamic_frame.from_catalog(
        database="kit_example", table_name="customers")
    rows = sorted(frame.toDF().collect(), key=lambda r: r["customer_id"])
    assert [r["customer_id"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["age"] for r in rows] == [21, 22, 23, 24, 25]
    assert all(len(r["name"]) == 24 and not r["name"].startswith("Person") for r in rows)
