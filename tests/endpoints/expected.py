"""The example job's result computed with the standard library only (independent of Spark)."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path


def monthly_totals(data: Path, min_age: int = 18) -> list[tuple[str, str, int, int, Decimal]]:
    """(month, country, orders, customers, revenue) sorted by month and country."""
    with open(data / "customers.csv", newline="") as fh:
        countries = {
            row["customer_id"]: row["country"]
            for row in csv.DictReader(fh)
            if row["age"].strip() and int(row["age"]) >= min_age
        }
    orders: dict[tuple[str, str], int] = defaultdict(int)
    customers: dict[tuple[str, str], set[str]] = defaultdict(set)
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    with open(data / "orders.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["customer_id"] not in countries:
                continue
            key = (row["order_date"][:7], countries[row["customer_id"]])
            orders[key] += 1
            customers[key].add(row["customer_id"])
            revenue[key] += Decimal(row["amount"])
    return [(m, c, orders[(m, c)], len(customers[(m, c)]), revenue[(m, c)])
            for m, c in sorted(orders)]


def parse_show(text: str) -> list[list[str]]:
    """Rows of a DataFrame.show() table (header excluded)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in rows[1:]]
