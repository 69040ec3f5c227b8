"""orders_to_redshift's business logic, tested as DataFrame-in/DataFrame-out functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_df_equality

from kit.testing import import_job
from tests.conftest import REPO
from tests.jobs.expected_orders_to_redshift import DATA, expected_revenue

ORDERS = "order_id long, customer_id long, order_date date, amount decimal(12,2)"
CUSTOMERS = "customer_id long, name string, age int, country string"


@pytest.fixture(scope="module")
def job():
    return import_job("orders_to_redshift", root=REPO)


def test_import_in_test_mode_starts_nothing(job):
    assert job.RUN_MODE == "test"
    assert job.spark is None and job.job is None and job.glue_context is None
    assert job.args == job.JOB_ARGS


def test_orders_of_unknown_customers_are_dropped(spark_session, job):
    customers = spark_session.createDataFrame([(1, "a", 30, "DE"), (2, "b", 40, None)], CUSTOMERS)
    orders = spark_session.createDataFrame(
        [(10, 1, dt.date(2024, 1, 5), Decimal("1.50")), (11, 99, dt.date(2024, 1, 6), Decimal("2")),
         (12, 2, dt.date(2024, 1, 7), Decimal("3"))],
        ORDERS,
    )
    rows = job.orders_of_known_customers(orders, customers).collect()
    assert sorted((r.order_id, r.country) for r in rows) == [(10, "DE"), (12, None)]


def test_customer_revenue_sums_per_customer(spark_session, job):
    joined = spark_session.createDataFrame(
        [
            (1, 1, dt.date(2024, 3, 5), Decimal("1.25"), "DE"),
            (2, 1, dt.date(2024, 1, 30), Decimal("2.50"), "DE"),
            (3, 2, dt.date(2024, 2, 1), Decimal("9.99"), "FR"),
        ],
        "order_id long, customer_id long, order_date date, amount decimal(12,2), country string",
    )
    expected = spark_session.createDataFrame(
        [(1, "DE", 2, Decimal("3.75"), dt.date(2024, 1, 30), dt.date(2024, 3, 5)),
         (2, "FR", 1, Decimal("9.99"), dt.date(2024, 2, 1), dt.date(2024, 2, 1))],
        "customer_id long, country string, orders long, revenue decimal(14,2), "
        "first_order date, last_order date",
    )
    assert_df_equality(job.customer_revenue(joined), expected, ignore_nullable=True)


def test_preactions_create_the_table_when_missing_then_empty_it(job):
    sql = job.preactions("public.customer_revenue")
    create, truncate = (s.strip() for s in sql.split(";"))
    assert create.startswith("CREATE TABLE IF NOT EXISTS public.customer_revenue (customer_id BIGINT")
    assert create.endswith("last_order DATE NOT NULL)")
    assert truncate == "TRUNCATE TABLE public.customer_revenue"
    # the table's columns are the DataFrame's, in its order (Spark's JDBC writer matches by name)
    declared = [line.split()[0] for line in job.TARGET_COLUMNS.strip().splitlines()]
    assert declared == ["customer_id", "country", "orders", "revenue", "first_order", "last_order"]


def test_pipeline_on_sample_data_matches_plain_python(spark_session, job):
    customers = spark_session.read.csv(str(DATA / "customers.csv"), header=True, schema=CUSTOMERS)
    orders = spark_session.read.csv(str(DATA / "orders.csv"), header=True, schema=ORDERS)
    result = job.customer_revenue(job.orders_of_known_customers(orders, customers))
    assert result.columns == ["customer_id", "country", "orders", "revenue", "first_order",
                              "last_order"]
    assert [tuple(r) for r in result.collect()] == expected_revenue()
    assert len(expected_revenue()) > 100
