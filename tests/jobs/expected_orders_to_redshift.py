"""orders_to_redshift's expected rows computed in plain Python (no Spark), from the sample CSVs
that local/aws.toml puts at the catalog tables' locations."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "orders_by_month"

Row = tuple[int, str, int, Decimal, dt.date, dt.date]


def expected_revenue(data: Path = DATA) -> list[Row]:
    """(customer_id, country, orders, revenue, first_order, last_order) by customer_id."""
    with open(data / "customers.csv", encoding="utf-8") as fh:
        country = {int(r["customer_id"]): r["country"] for r in csv.DictReader(fh)}
    totals: dict[int, list] = {}
    with open(data / "orders.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            cid = int(r["customer_id"])
            if cid not in country:
                continue
            day = dt.date.fromisoformat(r["order_date"])
            t = totals.setdefault(cid, [0, Decimal("0"), day, day])
            t[0] += 1
            t[1] += Decimal(r["amount"])
            t[2], t[3] = min(t[2], day), max(t[3], day)
    return [(c, country[c], t[0], t[1], t[2], t[3]) for c, t in sorted(totals.items())]
