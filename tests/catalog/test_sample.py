"""`kit sample` against a moto server: deterministic, masked, partition-aware, bounded, resumable."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

BUCKET = "kit-example-dev-data"
CUSTOMERS = [("customer_id", "name", "age", "country")] + [
    (str(i), f"Person {i}", str(20 + i), "FR" if i % 2 else "DE") for i in range(1, 9)
]
ORDERS = [("order_id", "customer_id", "order_date", "amount")] + [
    (str(100 + i), str(1 + i % 8), f"2024-01-{1 + i:02d}", f"{i}.50") for i in range(12)
]


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def target_endpoint() -> Iterator[str]:
    """A second local AWS in its own process (moto servers in one process share their state)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def loaded(catalog_project, s3, cli, tmp_path, monkeypatch) -> Path:
    """The example catalog loaded into the local AWS, with its CSV data in S3 (two files each)."""
    assert cli("catalog", "load", "--env", "dev").exit_code == 0
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="in/customers/part-0.csv", Body=_csv(CUSTOMERS[:5]))
    s3.put_object(Bucket=BUCKET, Key="in/customers/part-1.csv", Body=_csv(CUSTOMERS[:1] + CUSTOMERS[5:]))
    s3.put_object(Bucket=BUCKET, Key="in/customers/_SUCCESS", Body=b"")
    s3.put_object(Bucket=BUCKET, Key="in/orders/orders.csv", Body=_csv(ORDERS))
    root = tmp_path / "objects"
    monkeypatch.setenv("KIT_S3_ROOT", str(root))
    return root


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text().splitlines()))


def test_masked_sample_keeps_joins_and_never_writes_pii(loaded, catalog_project, cli) -> None:
    result = cli("sample", "kit_example.customers", "--env", "dev", "--rows", "6",
                 "--mask", "customer_id")
    assert result.exit_code == 0, result.output
    assert "sampled 6 row(s) of kit_example.customers into 2 file(s)" in result.stdout
    assert "masked: customer_id, name" in result.stdout
    first = _rows(loaded / BUCKET / "in/customers/part-0.csv")
    second = _rows(loaded / BUCKET / "in/customers/part-1.csv")
    assert first[0] == list(CUSTOMERS[0]) and second[0] == list(CUSTOMERS[0])
    assert len(first) == 5 and len(second) == 3  # header + 4 rows, header + 2 rows (6 in all)
    assert not (loaded / BUCKET / "in/customers/_SUCCESS").exists()

    written = b"".join(p.read_bytes() for p in (loaded / BUCKET).rglob("*") if p.is_file())
    for _, name, _, _ in CUSTOMERS[1:]:
        assert name.encode() not in written  # PII column (catalog parameter) never unmasked
    key_file = catalog_project / ".kit" / "sample.key"
    key = key_file.read_bytes()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key.hex() not in result.output and key.hex().encode() not in written
    expected_name = hmac.new(key, b"Person 1", hashlib.sha256).hexdigest()[:24]
    assert first[1][1] == expected_name
    assert first[1][2:] == ["21", "FR"]  # unmasked columns unchanged

    orders = cli("sample", "kit_example.orders", "--env", "dev", "--rows", "12",
                 "--mask", "customer_id")
    assert orders.exit_code == 0, orders.output
    order_rows = _rows(loaded / BUCKET / "in/orders/orders.csv")[1:]
    customer_ids = {r[0] for r in first[1:] + second[1:]}
    assert all(r[0].isdigit() for r in order_rows)  # a masked bigint is still a bigint
    joined = {r[0] for r in order_rows if r[1] in customer_ids}
    expected = {o[0] for o in ORDERS[1:] if int(o[1]) <= 6}  # customers 1..6 were sampled
    assert joined == expected and {r[1] for r in order_rows}.isdisjoint({str(i) for i in range(1, 9)})

    registered = json.loads((catalog_project / ".kit/catalog/kit_example.customers.json").read_text())
    assert registered["Table"]["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/in/customers/"


def test_sample_is_deterministic_and_resumes(loaded, catalog_project, cli) -> None:
    args = ("sample", "kit_example.customers", "--env", "dev", "--rows", "6")
    assert cli(*args).exit_code == 0
    files = sorted((loaded / BUCKET).rglob("*.csv"))
    before = {p: p.read_bytes() for p in files}
    files[1].unlink()  # an interrupted sample: the second object is missing
    again = cli(*args)
    assert again.exit_code == 0
    assert "1 file(s) reused" in again.stdout
    assert {p: p.read_bytes() for p in files} == before


def test_partitions_newest_first_filter_and_registration(
    loaded, catalog_project, s3, glue, cli, target_endpoint
) -> None:
    sd = {"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "email", "Type": "string"}],
          "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
          "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
          "Location": f"s3://{BUCKET}/events/"}
    glue.create_table(DatabaseName="kit_example", TableInput={
        "Name": "events", "StorageDescriptor": sd, "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": "month", "Type": "string"}],
        "Parameters": {"classification": "json", "kit:pii_columns": "email"}})
    for month in ("2024-01", "2024-02", "2024-03"):
        loc = f"s3://{BUCKET}/events/month={month}/"
        glue.create_partition(DatabaseName="kit_example", TableName="events", PartitionInput={
            "Values": [month], "StorageDescriptor": {**sd, "Location": loc}})
        body = "\n".join(json.dumps({"id": i, "email": f"u{i}@{month}.example"}) for i in range(3))
        s3.put_object(Bucket=BUCKET, Key=f"events/month={month}/data.json", Body=body.encode())

    newest = cli("sample", "kit_example.events", "--env", "dev", "--rows", "4",
                 "--to-endpoint-url", target_endpoint)
    assert newest.exit_code == 0, newest.output
    march = (loaded / BUCKET / "events/month=2024-03/data.json").read_text().splitlines()
    feb = (loaded / BUCKET / "events/month=2024-02/data.json").read_text().splitlines()
    assert (len(march), len(feb)) == (3, 1)
    assert not (loaded / BUCKET / "events/month=2024-01").exists()
    assert all("example" not in line for line in march + feb)  # PII listed on the table

    target = boto3.client("glue", endpoint_url=target_endpoint, region_name="us-east-1")
    parts = target.get_partitions(DatabaseName="kit_example", TableName="events")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["2024-02", "2024-03"]
    assert target.get_table(DatabaseName="kit_example", Name="events")["Table"][
        "Parameters"]["kit:pii_columns"] == "email"

    filtered = cli("sample", "kit_example.events", "--env", "dev", "--rows", "10",
                   "--partition", "month = '2024-01'")
    assert filtered.exit_code == 0, filtered.output
    assert "sampled 3 row(s)" in filtered.stdout
    assert len((loaded / BUCKET / "events/month=2024-01/data.json").read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("kit_example.customers", "--rows", "8", "--max-bytes", "60"),
         "kit: error: the sample of kit_example.customers would exceed --max-bytes 60 ("),
        (("kit_example.customers", "--mask", "nope"),
         "kit: error: --mask nope: kit_example.customers has no such column"),
        (("kit_example.customers", "--mask", "age", "--partition", "x = '1'"),
         "kit: error: --partition: kit_example.customers has no partition keys"),
        (("kit_example.missing",), "kit: error: cannot read kit_example.missing: EntityNotFoundException"),
        (("customers",), "kit: error: 'customers': name the table as DATABASE.TABLE"),
    ],
)
def test_refusals_are_one_line(loaded, cli, args, message) -> None:
    result = cli("sample", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_table_without_location_is_refused(loaded, glue, cli) -> None:
    glue.create_table(DatabaseName="kit_example", TableInput={
        "Name": "nowhere", "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "string"}]}})
    result = cli("sample", "kit_example.nowhere")
    assert result.exit_code == 1
    assert result.stderr == "kit: error: table kit_example.nowhere has no location: nothing to sample\n"


def _parquet_table(glue, s3) -> list[dict]:
    """A parquet table (written with pyarrow) in the local AWS; its rows."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"id": i, "email": f"u{i}@example.org", "score": i * 10} for i in range(6)]
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    s3.put_object(Bucket=BUCKET, Key="scores/part-0.parquet", Body=sink.getvalue())
    glue.create_table(DatabaseName="kit_example", TableInput={
        "Name": "scores", "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "bigint"},
                        {"Name": "email", "Type": "string", "Parameters": {"pii": "true"}},
                        {"Name": "score", "Type": "bigint"}],
            "Location": f"s3://{BUCKET}/scores/"}})
    return rows


def test_parquet_sample_with_pyarrow(loaded, glue, s3, cli) -> None:
    rows = _parquet_table(glue, s3)
    import pyarrow.parquet as pq

    result = cli("sample", "kit_example.scores", "--rows", "4", "--mask", "id")
    assert result.exit_code == 0, result.output
    got = pq.read_table(loaded / BUCKET / "scores/part-0.parquet").to_pylist()
    assert [r["score"] for r in got] == [r["score"] for r in rows[:4]]
    assert all("example" not in r["email"] for r in got)
    assert all(isinstance(r["id"], int) for r in got) and [r["id"] for r in got] != [0, 1, 2, 3]
