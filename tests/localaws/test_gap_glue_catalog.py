"""The AWS::Glue::Database and AWS::Glue::Table gaps, through CloudFormation over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.localaws.test_gaps import template


def catalog(columns: list[dict], table: str = "orders", database: str = "sales") -> str:
    return template({
        "Db": {"Type": "AWS::Glue::Database", "Properties": {
            "CatalogId": {"Ref": "AWS::AccountId"},
            "DatabaseInput": {"Name": database, "Description": "sales data"}}},
        "Orders": {"Type": "AWS::Glue::Table", "Properties": {
            "CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseName": {"Ref": "Db"},
            "TableInput": {"Name": table, "TableType": "EXTERNAL_TABLE",
                           "Parameters": {"classification": "parquet"},
                           "StorageDescriptor": {"Columns": columns,
                                                 "Location": "s3://data/orders/"}}}},
    }, outputs={"Table": {"Value": {"Ref": "Orders"}}, "Database": {"Value": {"Ref": "Db"}}})


ID = {"Name": "id", "Type": "bigint"}


def test_database_and_table_created_updated_in_place_renamed_and_deleted(aws):
    cfn, glue = aws("cloudformation"), aws("glue")
    cfn.create_stack(StackName="c", TemplateBody=catalog([ID]))
    outputs = {o["OutputKey"]: o["OutputValue"]
               for o in cfn.describe_stacks(StackName="c")["Stacks"][0]["Outputs"]}
    assert outputs == {"Table": "orders", "Database": "sales"}  # Ref is the name, as on AWS
    assert glue.get_database(Name="sales")["Database"]["Description"] == "sales data"
    table = glue.get_table(DatabaseName="sales", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Columns"] == [ID]

    amount = {"Name": "amount", "Type": "double"}
    cfn.update_stack(StackName="c", TemplateBody=catalog([ID, amount]))
    assert glue.get_table(DatabaseName="sales", Name="orders")["Table"]["StorageDescriptor"][
        "Columns"] == [ID, amount]
    versions = glue.get_table_versions(DatabaseName="sales", TableName="orders")["TableVersions"]
    assert len(versions) == 2  # UpdateTable: a new version of the same table

    cfn.update_stack(StackName="c", TemplateBody=catalog([ID], table="orders_v2"))
    assert [t["Name"] for t in glue.get_tables(DatabaseName="sales")["TableList"]] == ["orders_v2"]

    cfn.delete_stack(StackName="c")
    assert glue.get_databases()["DatabaseList"] == []


def test_a_database_that_already_exists_fails_the_stack(aws):
    aws("glue").create_database(DatabaseInput={"Name": "sales"})
    with pytest.raises(ClientError, match="Database sales already exists"):
        aws("cloudformation").create_stack(StackName="c", TemplateBody=catalog([ID]))
