"""trusted_orders (the example pipeline's second job): valid orders, once each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kit.testing import import_job
from tests.conftest import REPO

job = import_job("trusted_orders", root=REPO)  # ENV=test: the job's functions, nothing runs

SCHEMA = ("order_id bigint, customer_id bigint, order_date date, amount decimal(12,2), "
          "status string, source string")
DAY = dt.date(2024, 3, 1)


def test_trusted_keeps_valid_orders_once_with_a_normal_status(spark_session):
    raw = spark_session.createDataFrame(
        [
            (1, 10, DAY, Decimal("5.00"), " Completed", "s"),
            (1, 10, DAY, Decimal("5.00"), " Completed", "s"),  # the export repeats a row
            (2, 10, DAY, Decimal("-1.00"), "completed", "s"),  # not a positive amount
            (3, None, DAY, Decimal("1.00"), "completed", "s"),  # no customer
            (None, 10, DAY, Decimal("1.00"), "completed", "s"),  # no order id
            (4, 11, None, Decimal("1.00"), "completed", "s"),  # no date
            (5, 11, DAY, None, "completed", "s"),  # no amount
            (6, 12, DAY, Decimal("2.50"), "PENDING", "s"),
        ],
        SCHEMA,
    )
    rows = sorted(tuple(r) for r in job.trusted_orders(raw).collect())
    assert rows == [
        (1, 10, DAY, Decimal("5.00"), "completed", "s"),
        (6, 12, DAY, Decimal("2.50"), "pending", "s"),
    ]


def test_rejected_counts_what_trusted_left_out():
    assert job.rejected(12, 6) == 6
    assert job.rejected(3, 3) == 0
