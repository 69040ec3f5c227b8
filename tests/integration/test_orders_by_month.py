"""Integration checks for orders_by_month: `kit itest orders_by_month --env E` runs them on the
output of a real job run, downloaded from S3; expected totals come from the sample CSVs."""

from __future__ import annotations

from kit.infra.itest import itest_output
from tests.jobs.expected_orders_by_month import expected_totals


def test_monthly_totals_match_the_sample_data(spark_session):
    df = spark_session.read.parquet(str(itest_output("output_path")))
    rows = df.select("month", "country", "orders", "customers", "revenue").collect()
    got = sorted((str(r.month), r.country, r.orders, r.customers, r.revenue) for r in rows)
    assert got == expected_totals(18)
