"""The issue's "done when", as a new user: a folder holding only a Glue script runs it with
``kit run``; then ``kit init``, ``kit import``, ``kit export`` and ``kit run`` of the job give the
same output. Expected outputs are computed here without Spark (csv/json only)."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import boto3
import pytest

from kit import localaws as moto_server

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent / "corpus"
ORDERS = [  # id, amount, name
    ("1", "10.5", "alpha"),
    ("2", "20", "beta"),
    ("3", "7.25", "alpha"),
    ("4", "12", "beta"),
    ("5", "3", "gamma"),
]


def _write_orders(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "amount", "name"])
        writer.writerows(ORDERS)


def _totals(threshold: float = float("-inf")) -> dict[str, tuple[float, int]]:
    out: dict[str, list] = defaultdict(lambda: [0.0, 0])
    for _, amount, name in ORDERS:
        if float(amount) >= threshold:
            out[name][0] += float(amount)
            out[name][1] += 1
    return {k: (round(v[0], 6), v[1]) for k, v in out.items()}


def _json_rows(folder: Path) -> list[dict]:
    rows = []
    for part in sorted(folder.glob("part-*")):
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def _csv_rows(folder: Path) -> list[dict]:
    rows = []
    for part in sorted(folder.glob("part-*.csv")):
        with part.open(encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return sorted(rows, key=lambda r: r["name"])


# script, its arguments (INPUT/OUTPUT filled in), how to read its output, the expected rows
CASES = {
    "studio_applymapping": (
        ["--input_path", "s3://raw/orders/", "--output_path", "s3://curated/OUTPUT/"],
        _json_rows,
        sorted(
            ({"order_id": int(i), "amount": float(a)} for i, a, _ in ORDERS),
            key=lambda r: json.dumps(r, sort_keys=True),
        ),
    ),
    "studio_sql_getsink": (
        ["--source_path", "s3://raw/orders/", "--target_path", "s3://curated/OUTPUT/"],
        lambda folder: {r["name"]: (round(r["total"], 6), r["orders"]) for r in _json_rows(folder)},
        _totals(),
    ),
    "legacy_generated_bookmarks": (
        ["--input_path", "s3://raw/orders/", "--output_path", "s3://curated/OUTPUT/",
         "--job-bookmark-option", "job-bookmark-enable"],
        _json_rows,
        sorted(
            ({"id": int(i), "customer": n} for i, _, n in ORDERS),
            key=lambda r: json.dumps(r, sort_keys=True),
        ),
    ),
    "handwritten_optional_args": (
        ["--input_path", "s3://raw/orders/", "--output_path", "s3://curated/OUTPUT/",
         "--min_amount", "11"],
        lambda folder: {r["name"]: round(float(r["total"]), 6) for r in _csv_rows(folder)},
        {k: v[0] for k, v in _totals(11).items()},
    ),
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_import_export_run_gives_the_original_output(script, tmp_path, monkeypatch, cli):
    args, read, expected = CASES[script]
    _roundtrip(script, args, read, expected, tmp_path, monkeypatch, cli)


def test_catalog_read_round_trip(tmp_path, monkeypatch, cli):
    """AWS's documentation shape: from_catalog (a local AWS holds the table), Filter,
    SelectFields, write_dynamic_frame."""
    server = moto_server.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", moto_server.LOCAL_REGION)
        glue = boto3.client("glue", endpoint_url=server.endpoint, region_name=moto_server.LOCAL_REGION)
        glue.create_database(DatabaseInput={"Name": "sales"})
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "orders",
            "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
            "StorageDescriptor": {
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"},
                            {"Name": "name", "Type": "string"}],
                "Location": "s3://raw/orders/",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                              "Parameters": {"field.delim": ","}},
            },
        })
        expected = sorted(
            ({"id": int(i), "name": n} for i, a, n in ORDERS if float(a) >= 10),
            key=lambda r: json.dumps(r, sort_keys=True),
        )
        _roundtrip(
            "docs_catalog_filter", ["--output_dir", "s3://curated/OUTPUT/"],
            lambda folder: [{**r, "id": int(r["id"])} for r in _json_rows(folder)],
            expected, tmp_path, monkeypatch, cli,
        )
    finally:
        server.stop()


def _roundtrip(script, args, read, expected, tmp_path, monkeypatch, cli):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("KIT_PROJECT", "KIT_S3_ROOT", "KIT_BOOKMARK_DIR"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(CORPUS / f"{script}.py", work / f"{script}.py")
    _write_orders(work / ".kit" / "s3" / "raw" / "orders" / "orders.csv")
    s3 = work / ".kit" / "s3" / "curated"

    def with_output(name: str) -> list[str]:
        return [a.replace("OUTPUT", name) for a in args]

    # 1. no project anywhere: the script runs as Glue would, state in ./.kit
    original = cli("run", f"{script}.py", "--JOB_NAME", "original", *with_output("original"))
    assert original.exit_code == 0, original.output
    assert f"local state (s3:// root, bookmarks) goes to {work / '.kit'}" in original.stderr
    assert original.stderr.count(str(work / ".kit")) == 1  # kit says once where
    assert read(s3 / "original") == expected

    # 2. adopt: init, import, export, run the job
    assert cli("init").exit_code == 0
    imported = cli("import", f"{script}.py", "--name", "adopted")
    assert imported.exit_code == 0, imported.output
    assert cli("export", "adopted").exit_code == 0
    run = cli("run", "adopted", *with_output("imported"))
    assert run.exit_code == 0, run.output
    assert read(s3 / "imported") == read(s3 / "original") == expected
