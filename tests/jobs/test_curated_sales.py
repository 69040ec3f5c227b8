"""curated_sales (the example pipeline's last job): daily sales of completed orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kit.testing import import_job
from tests.conftest import REPO

job = import_job("curated_sales", root=REPO)  # ENV=test: the job's functions, nothing runs

SCHEMA = ("order_id bigint, customer_id bigint, order_date date, amount decimal(12,2), "
          "status string, source string")


def test_daily_sales_counts_completed_orders_per_day(spark_session):
    d1, d2 = dt.date(2024, 3, 1), dt.date(2024, 3, 2)
    trusted = spark_session.createDataFrame(
        [
            (1, 1, d2, Decimal("10.00"), "completed", "s"),
            (2, 1, d1, Decimal("2.50"), "completed", "s"),
            (3, 2, d1, Decimal("1.25"), "completed", "s"),
            (4, 2, d1, Decimal("99.00"), "cancelled", "s"),
        ],
        SCHEMA,
    )
    rows = [tuple(r) for r in job.daily_sales(trusted).collect()]
    assert rows == [(d1, 2, Decimal("3.75")), (d2, 1, Decimal("10.00"))]
    assert job.daily_sales(trusted).schema["revenue"].dataType.simpleString() == "decimal(14,2)"
