"""The example job's expected result computed in plain Python (no Spark), from the sample CSVs."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "orders_by_month"


def expected_totals(min_age: int = 18, data: Path = DATA) -> list[tuple[str, str, int, int, Decimal]]:
    """(month, country, orders, distinct customers, revenue) sorted by month then country."""
    with open(data / "customers.csv", encoding="utf-8") as fh:
        country = {
            int(r["customer_id"]): r["country"]
            for r in csv.DictReader(fh)
            if r["age"] and int(r["age"]) >= min_age
        }
    groups: dict[tuple[str, str], list] = defaultdict(lambda: [0, set(), Decimal("0")])
    with open(data / "orders.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            cid = int(r["customer_id"])
            if cid not in country:
                continue
            g = groups[(r["order_date"][:7], country[cid])]
            g[0] += 1
            g[1].add(cid)
            g[2] += Decimal(r["amount"])
    return [(m, c, g[0], len(g[1]), g[2]) for (m, c), g in sorted(groups.items())]
