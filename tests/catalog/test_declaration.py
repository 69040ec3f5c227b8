"""Declarations: the example reads, short formats map to Glue's classes, mistakes are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.catalog import declaration
from kit.catalog.formats import FORMATS
from kit.errors import CatalogDeclarationError

REPO = Path(__file__).resolve().parents[2]

VALID = """\
database: sales
tables:
  orders:
    format: {fmt}
    location: s3://bucket-{{env}}/orders/
    columns:
      - {{name: id, type: bigint}}
      - {{name: email, type: string, pii: true}}
    partition_keys:
      - {{name: day, type: string}}
"""


def write(tmp_path: Path, text: str, name: str = "sales.yml") -> Path:
    (tmp_path / "catalog").mkdir(exist_ok=True)
    path = tmp_path / "catalog" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_declaration_reads() -> None:
    [db] = declaration.load_all(REPO)
    assert db.name == "kit_example"
    customers = db.table("customers")
    assert customers.location_for("prod") == "s3://kit-example-prod-data/in/customers/"
    assert customers.pii_columns() == ["name"]
    assert db.table("orders_by_month").partition_keys[0].name == "month"


@pytest.mark.parametrize(
    ("fmt", "serde", "input_format"),
    [
        ("parquet", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
         "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
        ("csv", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
         "org.apache.hadoop.mapred.TextInputFormat"),
        ("json", "org.openx.data.jsonserde.JsonSerDe", "org.apache.hadoop.mapred.TextInputFormat"),
    ],
)
def test_short_formats_map_to_glue_classes(tmp_path, fmt, serde, input_format) -> None:
    db = declaration.load_file(write(tmp_path, VALID.format(fmt=fmt)))
    table = db.table("orders")
    assert (table.storage.serde, table.storage.input_format) == (serde, input_format)
    params = table.all_parameters()
    assert params["classification"] == fmt
    assert params[declaration.PII_TABLE_PARAMETER] == "email"
    assert table.columns[1].parameters == {declaration.PII_PARAMETER: "true"}
    assert FORMATS[fmt].serde == serde


def test_location_per_environment(tmp_path) -> None:
    text = VALID.format(fmt="csv").replace(
        "location: s3://bucket-{env}/orders/",
        "location: {dev: 's3://dev-bucket/o/', prod: 's3://prod-bucket/o/'}",
    )
    table = declaration.load_file(write(tmp_path, text)).table("orders")
    assert table.location_for("prod") == "s3://prod-bucket/o/"
    with pytest.raises(CatalogDeclarationError, match="no location for environment 'test'"):
        table.location_for("test")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("format: csv", "format: orc2"), r"catalog/sales.yml: tables.orders.format: unknown format 'orc2'"),
        (("type: bigint", "type: bigg"), r"catalog/sales.yml: tables.orders.columns\[0\].type: 'bigg'"),
        (("{name: id, type: bigint}", "{name: id}"), r"tables.orders.columns\[0\].type: missing"),
        (("location: s3://bucket-{env}/orders/", "location: /tmp/x"), r"tables.orders.location: '/tmp/x' is not an s3:// URI"),
        (("    location: s3://bucket-{env}/orders/\n", ""), r"tables.orders.location: missing"),
        (("pii: true", "pii: yes please"), r"columns\[1\].pii: expected true or false"),
        (("{name: day, type: string}", "{name: id, type: string}"), r"column id is declared twice"),
        (("database: sales", "database: Sales-DB"), r"catalog/sales.yml: database: 'Sales-DB' is not a catalog name"),
        (("    format: csv\n", "    format: csv\n    colums: []\n"), r"tables.orders.colums: unknown key"),
        (("tables:", "tables: [\n"), r"catalog/sales.yml: line \d+:"),
    ],
)
def test_mistakes_are_one_line_naming_file_and_key(tmp_path, edit, message) -> None:
    text = VALID.format(fmt="csv").replace(*edit)
    write(tmp_path, text)
    with pytest.raises(CatalogDeclarationError, match=message) as info:
        declaration.load_all(tmp_path)
    assert "\n" not in str(info.value)


def test_no_declarations_is_an_error(tmp_path) -> None:
    with pytest.raises(CatalogDeclarationError, match="no catalog declarations"):
        declaration.load_all(tmp_path)


def test_a_database_declared_twice(tmp_path) -> None:
    write(tmp_path, VALID.format(fmt="csv"), "a.yml")
    write(tmp_path, VALID.format(fmt="csv"), "b.yml")
    with pytest.raises(CatalogDeclarationError, match="also declared in catalog/a.yml"):
        declaration.load_all(tmp_path)


def test_an_unquoted_comma_in_a_flow_mapping_gets_a_hint(tmp_path) -> None:
    write(tmp_path, VALID.format(fmt="csv").replace("type: bigint", "type: decimal(12,2)"))
    with pytest.raises(CatalogDeclarationError, match=r"columns\[0\].2\): unknown key .*"
                       r"quote values holding a comma inside \{...\}"):
        declaration.load_all(tmp_path)
