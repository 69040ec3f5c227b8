"""`kit catalog export`: the catalog stack's shapes, and cfn-lint accepts it."""

from __future__ import annotations

import subprocess
import sys

import yaml

from kit.catalog import declaration, stack


def test_export_writes_a_stack_cfn_lint_accepts(catalog_project, cli) -> None:
    result = cli("catalog", "export")
    assert result.exit_code == 0, result.output
    path = catalog_project / "build" / "_catalog" / "stack.yml"
    assert result.stdout == "wrote build/_catalog/stack.yml\n"
    lint = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         "--", str(path)], capture_output=True, text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr

    tpl = yaml.safe_load(path.read_text())
    db = tpl["Resources"]["DatabaseKitExample"]
    assert db["Type"] == "AWS::Glue::Database"
    assert db["Properties"] == {"CatalogId": {"Ref": "AWS::AccountId"},
                                "DatabaseInput": {"Name": "kit_example",
                                                  "Description": "Tables of the orders_by_month example job"}}
    table = tpl["Resources"]["TableKitExampleCustomers"]
    assert table["Type"] == "AWS::Glue::Table"
    props = table["Properties"]
    assert props["DatabaseName"] == {"Ref": "DatabaseKitExample"}
    ti = props["TableInput"]
    assert ti["StorageDescriptor"]["Location"] == {
        "Fn::Sub": "s3://kit-example-${Environment}-data/in/customers/"}
    # CloudFormation's Column has Name/Type/Comment only: the PII marker is a table parameter
    assert all(set(c) <= {"Name", "Type", "Comment"} for c in ti["StorageDescriptor"]["Columns"])
    assert ti["Parameters"]["kit:pii_columns"] == "name"
    assert tpl["Resources"]["TableKitExampleOrdersByMonth"]["Properties"]["TableInput"][
        "PartitionKeys"] == [{"Name": "month", "Type": "string"}]


def test_per_environment_locations_become_a_mapping(tmp_path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "s.yml").write_text(
        "tables:\n  t:\n    format: json\n"
        "    location: {dev: 's3://bucket-a/t/', prod: 's3://bucket-b/t/'}\n"
        "    columns: [{name: x, type: string}]\n"
    )
    tpl = stack.template(declaration.load_all(tmp_path))
    assert tpl["Mappings"]["TableLocations"] == {"dev": {"TableST": "s3://bucket-a/t/"},
                                                 "prod": {"TableST": "s3://bucket-b/t/"}}
    loc = tpl["Resources"]["TableST"]["Properties"]["TableInput"]["StorageDescriptor"]["Location"]
    assert loc == {"Fn::FindInMap": ["TableLocations", {"Ref": "Environment"}, "TableST"]}
