"""load / diff / pull against a moto server on 127.0.0.1, through the CLI as a user runs them."""

from __future__ import annotations

import yaml

from kit.catalog import declaration
from kit.catalog.commands import DIFFERENCES_EXIT


def test_load_creates_then_updates(catalog_project, glue, cli) -> None:
    result = cli("catalog", "load", "--env", "dev")
    assert result.exit_code == 0, result.output
    assert "created kit_example.customers" in result.output
    table = glue.get_table(DatabaseName="kit_example", Name="customers")["Table"]
    sd = table["StorageDescriptor"]
    assert sd["Location"] == "s3://kit-example-dev-data/in/customers/"
    assert sd["SerdeInfo"]["SerializationLibrary"].endswith("LazySimpleSerDe")
    assert table["Parameters"]["classification"] == "csv"
    assert table["Parameters"]["kit:pii_columns"] == "name"
    name = next(c for c in sd["Columns"] if c["Name"] == "name")
    assert name["Parameters"] == {"pii": "true"}
    parts = glue.get_table(DatabaseName="kit_example", Name="orders_by_month")["Table"]
    assert [k["Name"] for k in parts["PartitionKeys"]] == ["month"]

    again = cli("catalog", "load", "--env", "dev")
    assert again.exit_code == 0
    assert "updated kit_example.orders" in again.output and "created" not in again.output


def test_diff_is_clean_after_load_and_reports_changes_by_hand(catalog_project, glue, cli) -> None:
    missing = cli("catalog", "diff", "--env", "dev")
    assert missing.exit_code == DIFFERENCES_EXIT
    assert "database kit_example: declared, not in the live catalog" in missing.output

    assert cli("catalog", "load", "--env", "dev").exit_code == 0
    clean = cli("catalog", "diff", "--env", "dev")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout == ""

    other_env = cli("catalog", "diff", "--env", "prod")
    assert other_env.exit_code == DIFFERENCES_EXIT
    assert "kit_example.orders: location 's3://kit-example-prod-data/in/orders/' (declared)" in other_env.output

    table = glue.get_table(DatabaseName="kit_example", Name="orders")["Table"]
    sd = table["StorageDescriptor"]
    sd["Columns"] = [
        {**c, "Type": "double"} if c["Name"] == "amount" else c
        for c in sd["Columns"] if c["Name"] != "order_date"
    ] + [{"Name": "note", "Type": "string"}]
    glue.update_table(DatabaseName="kit_example", TableInput={
        "Name": "orders", "StorageDescriptor": sd, "PartitionKeys": [],
        "Parameters": {**table["Parameters"], "owner": "someone"}, "TableType": "EXTERNAL_TABLE",
    })
    changed = cli("catalog", "diff", "--env", "dev")
    assert changed.exit_code == DIFFERENCES_EXIT
    lines = changed.stdout.splitlines()
    assert sorted(lines) == sorted([
        "kit_example.orders: column order_date (date): declared, not in the live catalog",
        "kit_example.orders: column note (string): in the live catalog, not declared",
        "kit_example.orders: column amount: type decimal(12,2) (declared) != double (live)",
        "kit_example.orders: parameter owner='someone': in the live catalog, not declared",
    ])


def test_pull_adopts_a_database_and_never_overwrites(catalog_project, glue, cli) -> None:
    assert cli("catalog", "load", "--env", "prod").exit_code == 0
    original = (catalog_project / "catalog" / "kit_example.yml").read_text()

    refused = cli("catalog", "pull", "kit_example", "--env", "prod")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("kit: error: catalog/kit_example.yml exists; pass --force")
    assert (catalog_project / "catalog" / "kit_example.yml").read_text() == original

    (catalog_project / "catalog" / "kit_example.yml").rename(catalog_project / "original.yml")
    pulled = cli("catalog", "pull", "kit_example", "--env", "prod")
    assert pulled.exit_code == 0, pulled.output
    path = catalog_project / "catalog" / "kit_example.yml"
    data = yaml.safe_load(path.read_text())
    assert data["tables"]["customers"]["location"] == "s3://kit-example-{env}-data/in/customers/"
    assert data["tables"]["customers"]["format"] == "csv"
    assert {"name": "name", "type": "string", "comment": "personal data, masked by kit sample",
            "pii": True} in data["tables"]["customers"]["columns"]
    adopted = declaration.load_file(path)
    before = declaration.load_file(catalog_project / "original.yml")
    for table in before.tables:
        mine = adopted.table(table.name)
        assert (mine.columns, mine.partition_keys, mine.storage, mine.all_parameters()) == (
            table.columns, table.partition_keys, table.storage, table.all_parameters())
        assert mine.location_for("dev") == table.location_for("dev")
    # the adopted declaration is clean against the catalog it came from
    assert cli("catalog", "diff", "--env", "prod").exit_code == 0

    forced = cli("catalog", "pull", "kit_example", "--env", "prod", "--force")
    assert forced.exit_code == 0


def test_pull_of_an_unknown_database_is_one_line(catalog_project, local_aws, cli) -> None:
    result = cli("catalog", "pull", "nope", "--env", "dev")
    assert result.exit_code == 1
    assert result.stderr == "kit: error: database nope is not in the live catalog; check its name\n"
    assert not (catalog_project / "catalog" / "nope.yml").exists()


def test_a_bad_declaration_stops_load_before_any_call(catalog_project, glue, cli) -> None:
    path = catalog_project / "catalog" / "kit_example.yml"
    path.write_text(path.read_text().replace("type: date", "type: datum"))
    result = cli("catalog", "load")
    assert result.exit_code == 1
    assert result.stderr == (
        "kit: error: catalog/kit_example.yml: tables.orders.columns[2].type: 'datum': expected a "
        "Hive type (string, bigint, decimal(12,2), array<string>, ...)\n"
    )
    assert glue.get_databases()["DatabaseList"] == []
