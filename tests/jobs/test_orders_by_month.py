"""The example job's business logic, tested as DataFrame-in/DataFrame-out functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from kit.testing import import_job
from tests.conftest import REPO
from tests.jobs.expected_orders_by_month import DATA, expected_totals


@pytest.fixture(scope="module")
def job():
    return import_job("orders_by_month", root=REPO)


def test_import_in_test_mode_starts_nothing(job):
    assert job.RUN_MODE == "test"
    assert job.spark is None and job.job is None and job.glue_context is None
    assert job.args == job.JOB_ARGS


def test_filter_adults_keeps_18_and_over_and_drops_unknown_ages(spark_session, job):
    customers = spark_session.createDataFrame(
        [(1, "a", 18, "DE"), (2, "b", 17, "DE"), (3, "c", None, "FR"), (4, "d", 40, "FR")],
        job.CUSTOMERS_SCHEMA,
    )
    kept = sorted(r.customer_id for r in job.filter_adults(customers).collect())
    assert kept == [1, 4]
    assert sorted(r.customer_id for r in job.filter_adults(customers, 30).collect()) == [4]


def test_orders_with_country_is_an_inner_join(spark_session, job):
    customers = spark_session.createDataFrame([(1, "a", 30, "DE")], job.CUSTOMERS_SCHEMA)
    orders = spark_session.createDataFrame(
        [(10, 1, dt.date(2024, 1, 5), Decimal("1.50")), (11, 99, dt.date(2024, 1, 6), Decimal("2"))],
        job.ORDERS_SCHEMA,
    )
    rows = job.orders_with_country(orders, customers).collect()
    assert [(r.order_id, r.country) for r in rows] == [(10, "DE")]


def test_monthly_totals_groups_by_month_and_country(spark_session, job):
    joined = spark_session.createDataFrame(
        [
            (1, dt.date(2024, 1, 5), Decimal("1.25"), "DE"),
            (1, dt.date(2024, 1, 30), Decimal("2.50"), "DE"),
            (2, dt.date(2024, 1, 7), Decimal("4.00"), "DE"),
            (3, dt.date(2024, 2, 1), Decimal("9.99"), "FR"),
        ],
        "customer_id long, order_date date, amount decimal(12,2), country string",
    ).withColumn("order_id", F.monotonically_increasing_id())
    actual = job.monthly_totals(joined)
    expected = spark_session.createDataFrame(
        [("2024-01", "DE", 3, 2, Decimal("7.75")), ("2024-02", "FR", 1, 1, Decimal("9.99"))],
        "month string, country string, orders long, customers long, revenue decimal(14,2)",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_pipeline_on_sample_data_matches_plain_python(spark_session, job):
    customers = spark_session.read.csv(
        str(DATA / "customers.csv"), header=True, schema=job.CUSTOMERS_SCHEMA
    )
    orders = spark_session.read.csv(str(DATA / "orders.csv"), header=True, schema=job.ORDERS_SCHEMA)
    result = job.monthly_totals(job.orders_with_country(orders, job.filter_adults(customers)))
    actual = [(r.month, r.country, r.orders, r.customers, r.revenue) for r in result.collect()]
    assert actual == expected_totals()
    assert len(actual) > 24  # twelve months, several countries
