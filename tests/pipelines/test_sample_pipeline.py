"""The example pipeline `sales` on a masked sample of "real" data, as a user would do it.

Two local AWSes on 127.0.0.1, each a ``kit aws local`` process started here:

* **the real account**: the environment ``dev`` (``[tool.kit.environments.dev] endpoint_url``)
  holds the catalog table ``kit_example.raw_orders`` (made by ``kit catalog load --env dev``)
  and its Parquet data on its own S3 (two objects, 20 orders);
* **the project's local AWS** (``kit aws local`` in the project: its S3 is the project's object
  root ``.kit/s3/``), where ``kit run`` finds the local catalog.

``kit sample kit_example.raw_orders --env dev --rows 15 --mask customer_id`` copies the first 15
orders, ``customer_id`` masked, to the object root and registers the table in the local catalog
(the project's local AWS, where ``kit run`` looks: no ``--to-endpoint-url`` needed). Then the pipeline's jobs that read it run on it: ``kit run
trusted_orders`` (which reads ``kit_example.raw_orders`` through the catalog, ``from_catalog``)
and ``kit run curated_sales``.

Why not ``kit run --pipeline sales``: its first job, ``raw_orders``, lands the repository's CSV
export at exactly that table's location (``s3://kit-example-dev-data/lake/raw_orders/``, mode
overwrite), so a whole-pipeline run would replace the sample by the 12 example rows before
``trusted_orders`` reads it (and its ``rejected_rows`` property is computed from ``raw_rows``,
which the sample does not set). The sample *is* ``raw_orders``' output taken from the real
account, so the faithful run is the rest of the DAG, in its order, through the real CLI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.pipelines.test_example import example  # noqa: F401 - the project copy fixture

pytestmark = pytest.mark.slow

BUCKET = "kit-example-dev-data"
PREFIX = "lake/raw_orders/"
ROWS = 15  # the sample: all 10 orders of the first object, the first 5 of the second
SCHEMA = pa.schema([
    ("order_id", pa.int64()), ("customer_id", pa.int64()), ("order_date", pa.date32()),
    ("amount", pa.decimal128(12, 2)), ("status", pa.string()), ("source", pa.string()),
])
D = dt.date
# (order_id, customer_id, order_date, amount, status), as raw_orders lands them in the real account
FIRST = [
    (1, 101, D(2024, 3, 1), "10.00", "completed"),
    (2, 102, D(2024, 3, 1), "20.00", " Completed "),
    (3, 101, D(2024, 3, 2), "5.50", "completed"),
    (3, 101, D(2024, 3, 2), "5.50", "completed"),   # repeated: trusted keeps it once
    (4, 103, D(2024, 3, 2), None, "completed"),     # no amount: rejected
    (5, 102, D(2024, 3, 3), "7.25", "cancelled"),
    (6, 103, D(2024, 3, 3), "12.00", "completed"),
    (7, None, D(2024, 3, 3), "3.00", "completed"),  # no customer: rejected
    (8, 101, D(2024, 3, 4), "-1.00", "completed"),  # not positive: rejected
    (9, 104, D(2024, 3, 4), "30.00", "completed"),
]
SECOND = [
    (10, 102, D(2024, 3, 5), "15.00", "completed"),
    (11, 104, D(2024, 3, 5), "25.00", "pending"),
    (12, 101, D(2024, 3, 5), "1.00", "completed"),
    (13, 103, D(2024, 3, 6), "2.00", "completed"),
    (14, 105, D(2024, 3, 6), "4.00", "completed"),
    # beyond the sample: never reach the laptop
    *[(i, 999, D(2024, 3, 9), "100.00", "completed") for i in range(15, 20)],
]
CUSTOMER = {order: customer for order, customer, *_ in FIRST + SECOND}


@contextmanager
def kit_aws_local(cwd: Path, env: dict[str, str], log: Path, *args: str) -> Iterator[str]:
    """``kit aws local --port 0`` in ``cwd`` until the block ends; its endpoint."""
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kit", "aws", "local", "--port", "0", *args],
                                cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err)
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode().strip()
            if line.startswith("export AWS_ENDPOINT_URL="):
                yield line.split("=", 1)[1]
                break
        else:
            pytest.fail(f"kit aws local did not start:\n{log.read_text()}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parquet(rows: list[tuple]) -> bytes:
    table = pa.Table.from_pylist([
        {"order_id": o, "customer_id": c, "order_date": d,
         "amount": None if a is None else Decimal(a), "status": s, "source": "daily-export"}
        for o, c, d, a, s in rows
    ], schema=SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def test_kit_sample_then_the_pipeline_runs_on_the_masked_sample(example: Path,  # noqa: F811
                                                                tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("KIT_S3_ROOT", "KIT_PROJECT")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    outside = tmp_path / "account"
    outside.mkdir()

    def kit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kit", *args], cwd=example, env=env,
                              capture_output=True, text=True, timeout=900)

    with kit_aws_local(outside, env, tmp_path / "account.log", "--s3-root",
                       str(outside / "s3")) as real, \
         kit_aws_local(example, env, tmp_path / "local.log") as local:
        # the environment dev is the real account
        with open(example / "pyproject.toml", "a", encoding="utf-8") as fh:
            fh.write(f'\n[tool.kit.environments.dev]\nendpoint_url = "{real}"\n')
        loaded = kit("catalog", "load", "--env", "dev")
        assert loaded.returncode == 0, loaded.stderr
        s3 = boto3.client("s3", endpoint_url=real, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key=PREFIX + "part-00000.snappy.parquet", Body=parquet(FIRST))
        s3.put_object(Bucket=BUCKET, Key=PREFIX + "part-00001.snappy.parquet", Body=parquet(SECOND))
        s3.put_object(Bucket=BUCKET, Key=PREFIX + "_SUCCESS", Body=b"")
        local_glue = boto3.client("glue", endpoint_url=local, region_name="us-east-1",
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
        assert "kit_example" not in {d["Name"] for d in local_glue.get_databases()["DatabaseList"]}

        sampled = kit("sample", "kit_example.raw_orders", "--env", "dev", "--rows", str(ROWS),
                      "--mask", "customer_id")
        assert sampled.returncode == 0, sampled.stdout + sampled.stderr
        assert f"sampled {ROWS} row(s) of kit_example.raw_orders into 2 file(s)" in sampled.stdout
        assert "masked: customer_id" in sampled.stdout
        assert f"registered in {local}: kit_example.raw_orders" in sampled.stdout
        registered = local_glue.get_table(DatabaseName="kit_example", Name="raw_orders")["Table"]
        assert registered["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{PREFIX}"
        on_laptop = pq.read_table(example / ".kit" / "s3" / BUCKET / PREFIX).to_pylist()
        assert [r["order_id"] for r in on_laptop] == [o for o, *_ in (FIRST + SECOND)[:ROWS]]

        trusted_run = kit("run", "trusted_orders")
        assert trusted_run.returncode == 0, trusted_run.stderr[-4000:]
        assert local in trusted_run.stderr  # its from_catalog went to the project's local AWS
        curated_run = kit("run", "curated_sales")
        assert curated_run.returncode == 0, curated_run.stderr[-4000:]

    key = (example / ".kit" / "sample.key").read_bytes()
    mask: Callable[[int], int] = lambda v: int.from_bytes(  # noqa: E731 - kit's documented mask
        hmac.new(key, str(v).encode(), hashlib.sha256).digest()[:8], "big") % (1 << 63)
    trusted = pq.read_table(example / "build" / "output" / "trusted_orders").to_pylist()
    # the sample's valid orders, once each: 15 sampled rows minus one repeat and three invalid
    assert sorted(r["order_id"] for r in trusted) == [1, 2, 3, 5, 6, 9, 10, 11, 12, 13, 14]
    originals = set(CUSTOMER.values()) - {None}
    assert not {r["customer_id"] for r in trusted} & originals  # masked, not the real ids
    # keyed and stable: each order carries its customer's mask, the same customer the same mask
    assert all(r["customer_id"] == mask(CUSTOMER[r["order_id"]]) for r in trusted)
    by_customer: dict[int, set[int]] = {}
    for r in trusted:
        by_customer.setdefault(CUSTOMER[r["order_id"]], set()).add(r["customer_id"])
    assert len(by_customer[101]) == 1 and all(len(m) == 1 for m in by_customer.values())
    assert len({m for ms in by_customer.values() for m in ms}) == len(by_customer) == 5

    curated = pq.read_table(example / "build" / "output" / "curated_sales").to_pylist()
    assert sorted((r["order_date"], r["orders"], r["revenue"]) for r in curated) == [
        (D(2024, 3, 1), 2, Decimal("30.00")),
        (D(2024, 3, 2), 1, Decimal("5.50")),
        (D(2024, 3, 3), 1, Decimal("12.00")),
        (D(2024, 3, 4), 1, Decimal("30.00")),
        (D(2024, 3, 5), 2, Decimal("16.00")),
        (D(2024, 3, 6), 2, Decimal("6.00")),
    ]  # the orders beyond the sample (2024-03-09) are not there
