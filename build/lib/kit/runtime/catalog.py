"""Glue Data Catalog tables read locally: look the table up with boto3, read its location.

Works against any Glue API endpoint: real AWS, or a local one through ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_GLUE``). The data format comes from the table's ``classification`` parameter,
else its SerDe, else its InputFormat, as Glue decides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from kit.errors import CatalogError

_SERDES = {
    "lazysimpleserde": "csv",
    "opencsvserde": "csv",
    "jsonserde": "json",
    "parquethiveserde": "parquet",
    "orcserde": "orc",
    "avroserde": "avro",
}
_INPUT_FORMATS = {
    "mapredparquetinputformat": "parquet",
    "orcinputformat": "orc",
    "avrocontainerinputformat": "avro",
    "textinputformat": "csv",
}


@dataclass
class CatalogTable:
    """What a local reader needs from a catalog table."""

    database: str
    name: str
    location: str
    format: str
    format_options: dict[str, Any] = field(default_factory=dict)
    columns: list[tuple[str, str]] = field(default_factory=list)
    partition_keys: list[tuple[str, str]] = field(default_factory=list)


def glue_client() -> Any:
    """A boto3 Glue client honouring ``AWS_ENDPOINT_URL_GLUE`` / ``AWS_ENDPOINT_URL``."""
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL_GLUE") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return boto3.client("glue", endpoint_url=endpoint or None, region_name=region)


def get_table(database: str, table_name: str, catalog_id: str | None = None) -> CatalogTable:
    """Look ``database.table_name`` up in the Data Catalog and resolve its location and format."""
    from botocore.exceptions import BotoCoreError, ClientError

    kwargs: dict[str, Any] = {"DatabaseName": database, "Name": table_name}
    if catalog_id:
        kwargs["CatalogId"] = catalog_id
    try:
        table = glue_client().get_table(**kwargs)["Table"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise CatalogError(
            f"catalog table {database}.{table_name}: {code or exc}; create it or check the "
            "database/table name (and AWS_ENDPOINT_URL for a local catalog)"
        ) from exc
    except BotoCoreError as exc:
        raise CatalogError(
            f"cannot reach the Glue Data Catalog for {database}.{table_name}: {exc}; "
            "set AWS credentials/region or AWS_ENDPOINT_URL"
        ) from exc
    return describe(database, table)


def describe(database: str, table: dict[str, Any]) -> CatalogTable:
    """A :class:`CatalogTable` from a ``GetTable`` response's ``Table``."""
    name = table.get("Name", "?")
    sd = table.get("StorageDescriptor") or {}
    location = sd.get("Location")
    if not location:
        raise CatalogError(
            f"catalog table {database}.{name} has no StorageDescriptor.Location; set one"
        )
    params = {**(sd.get("Parameters") or {}), **(table.get("Parameters") or {})}
    serde = sd.get("SerdeInfo") or {}
    serde_params = serde.get("Parameters") or {}
    fmt = table_format(params, serde.get("SerializationLibrary", ""), sd.get("InputFormat", ""))
    if fmt is None:
        raise CatalogError(
            f"catalog table {database}.{name}: cannot tell its data format; add a "
            "'classification' table parameter (csv, json, parquet, orc or avro)"
        )
    options: dict[str, Any] = {}
    if fmt == "csv":
        sep = (
            serde_params.get("separatorChar")
            or serde_params.get("field.delim")
            or params.get("delimiter")
            or ","
        )
        options["separator"] = sep
        if serde_params.get("quoteChar"):
            options["quoteChar"] = serde_params["quoteChar"]
        if str(params.get("skip.header.line.count", "0")) not in ("", "0"):
            options["withHeader"] = True
    return CatalogTable(
        database=database,
        name=name,
        location=location,
        format=fmt,
        format_options=options,
        columns=[(c["Name"], c.get("Type", "string")) for c in sd.get("Columns") or []],
        partition_keys=[(c["Name"], c.get("Type", "string")) for c in table.get("PartitionKeys") or []],
    )


def table_format(params: dict[str, Any], serde_library: str, input_format: str) -> str | None:
    """Format from classification, else SerDe, else InputFormat (Glue's order)."""
    classification = str(params.get("classification", "")).lower()
    if classification in {"csv", "json", "parquet", "orc", "avro"}:
        return classification
    serde = serde_library.rsplit(".", 1)[-1].lower()
    if serde in _SERDES:
        return _SERDES[serde]
    fmt = input_format.rsplit(".", 1)[-1].lower()
    return _INPUT_FORMATS.get(fmt)
