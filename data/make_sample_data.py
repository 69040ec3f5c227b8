"""Regenerate the example job's sample data (deterministic): python data/make_sample_data.py"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "orders_by_month"
COUNTRIES = ["DE", "FR", "GB", "IE", "US"]
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Isla", "Jon", "Kai", "Lena"]
LAST = ["Smith", "Meyer", "Dubois", "Byrne", "Jones", "Rossi", "Novak", "Silva"]


def main() -> None:
    rng = random.Random(42)
    OUT.mkdir(parents=True, exist_ok=True)
    customers = []
    for cid in range(1, 301):
        age = rng.randint(14, 80)
        if cid == 1:
            age = 18  # boundary: exactly 18 counts as an adult
        if cid == 2:
            age = 17  # boundary: one year short
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        customers.append((cid, name, age, rng.choice(COUNTRIES)))
    with open(OUT / "customers.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["customer_id", "name", "age", "country"])
        writer.writerows(customers)
    start = date(2024, 1, 1)
    with open(OUT / "orders.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["order_id", "customer_id", "order_date", "amount"])
        for oid in range(1, 3001):
            cid = rng.randint(1, 310)  # ids above 300 have no customer record
            day = start + timedelta(days=rng.randint(0, 365))
            amount = f"{rng.randint(100, 50000) / 100:.2f}"
            writer.writerow([oid, cid, day.isoformat(), amount])


if __name__ == "__main__":
    main()
