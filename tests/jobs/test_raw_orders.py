"""raw_orders (the example pipeline's first job): typed landing, every row kept, tagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kit.testing import import_job
from tests.conftest import REPO

job = import_job("raw_orders", root=REPO)  # ENV=test: the job's functions, nothing runs


def test_land_orders_types_columns_and_keeps_bad_values_as_null(spark_session):
    raw = spark_session.createDataFrame(
        [("1", "7", "2024-03-01", "25.50", "completed"), ("x", "", "not-a-date", "n/a", None)],
        job.RAW_SCHEMA,
    )
    rows = job.land_orders(raw, "daily").collect()
    assert [tuple(r) for r in rows] == [
        (1, 7, dt.date(2024, 3, 1), Decimal("25.50"), "completed", "daily"),
        (None, None, None, None, None, "daily"),
    ]
    assert job.land_orders(raw, "x").columns == [
        "order_id", "customer_id", "order_date", "amount", "status", "source",
    ]


def test_the_sample_input_is_read_with_the_raw_schema(spark_session):
    raw = spark_session.read.csv(str(REPO / job.JOB_ARGS["input_path"]), header=True,
                                 schema=job.RAW_SCHEMA)
    assert raw.count() == 12
