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


@dataclass
class Partition:
    """One registered partition: its values (in partition-key order) and its own location."""

    values: list[str]
    location: str


def get_partitions(table: CatalogTable, expression: str = "",
                   catalog_id: str | None = None) -> list[Partition]:
    """Every partition of ``table`` (``GetPartitions``, paginated); ``expression`` is Glue's
    server-side ``catalogPartitionPredicate``. A partition without a location lives under the
    table's location as ``key=value/...``."""
    from botocore.exceptions import BotoCoreError, ClientError

    kwargs: dict[str, Any] = {"DatabaseName": table.database, "TableName": table.name}
    if expression:
        kwargs["Expression"] = expression
    if catalog_id:
        kwargs["CatalogId"] = catalog_id
    found: list[Partition] = []
    try:
        for page in glue_client().get_paginator("get_partitions").paginate(**kwargs):
            for part in page.get("Partitions") or []:
                values = [str(v) for v in part.get("Values") or []]
                location = (part.get("StorageDescriptor") or {}).get("Location") or partition_location(
                    table.location, [k for k, _ in table.partition_keys], values)
                found.append(Partition(values, location))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "") or str(exc)
        raise CatalogError(
            f"partitions of {table.database}.{table.name}: {code}; check catalogPartitionPredicate"
        ) from None
    except BotoCoreError as exc:
        raise CatalogError(f"cannot reach the Glue Data Catalog for partitions: {exc}") from None
    return found


def partition_location(base: str, keys: list[str], values: list[str]) -> str:
    """Hive-style ``base/k1=v1/k2=v2/`` (Glue's and Spark's layout for new partitions)."""
    path = "/".join(f"{k}={_escape(v)}" for k, v in zip(keys, values, strict=True))
    return f"{base.rstrip('/')}/{path}/"


def _escape(value: str) -> str:
    """Hive's path escaping of partition values (what Spark writes as folder names)."""
    special = set('"#%\'*/:=?\\\x7f{[]^')
    return "".join(f"%{ord(c):02X}" if c in special or ord(c) < 0x20 else c for c in value)


_STORAGE = {
    "parquet": ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
    "orc": ("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde"),
    "json": ("org.apache.hadoop.mapred.TextInputFormat",
             "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
             "org.openx.data.jsonserde.JsonSerDe"),
    "csv": ("org.apache.hadoop.mapred.TextInputFormat",
            "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
    "avro": ("org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
             "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
             "org.apache.hadoop.hive.serde2.avro.AvroSerDe"),
}


def storage_descriptor(location: str, fmt: str, columns: list[tuple[str, str]],
                       separator: str = ",") -> dict[str, Any]:
    """A ``StorageDescriptor`` for data in ``fmt`` at ``location`` (as Glue's sinks write it)."""
    inp, out, serde = _STORAGE.get(fmt, _STORAGE["parquet"])
    serde_params = {"field.delim": separator} if fmt == "csv" else {}
    return {
        "Columns": [{"Name": n, "Type": t} for n, t in columns],
        "Location": location,
        "InputFormat": inp,
        "OutputFormat": out,
        "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params},
        "Parameters": {"classification": fmt},
    }


def update_table(database: str, name: str, location: str, fmt: str,
                 columns: list[tuple[str, str]], partition_keys: list[tuple[str, str]],
                 update_behavior: str = "UPDATE_IN_DATABASE", catalog_id: str | None = None,
                 csv_header: bool = False, separator: str = ",") -> str:
    """Create the table when missing; with ``UPDATE_IN_DATABASE`` add the frame's new columns
    (``LOG`` leaves the schema as it is). Returns ``created``, ``updated`` or ``unchanged``."""
    from botocore.exceptions import ClientError

    client = glue_client()
    ids = {"CatalogId": catalog_id} if catalog_id else {}
    try:
        current = client.get_table(DatabaseName=database, Name=name, **ids)["Table"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise CatalogError(f"catalog table {database}.{name}: {exc}") from None
        current = None
    if current is None:
        params = {"classification": fmt}
        if fmt == "csv" and csv_header:
            params["skip.header.line.count"] = "1"
        try:
            client.create_table(DatabaseName=database, TableInput={
                "Name": name,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": params,
                "PartitionKeys": [{"Name": n, "Type": t} for n, t in partition_keys],
                "StorageDescriptor": storage_descriptor(location, fmt, columns, separator),
            }, **ids)
        except ClientError as exc:
            raise CatalogError(f"cannot create catalog table {database}.{name}: {exc}") from None
        return "created"
    if str(update_behavior).upper() != "UPDATE_IN_DATABASE":
        return "unchanged"
    sd = dict(current.get("StorageDescriptor") or {})
    known = {c["Name"].lower() for c in sd.get("Columns") or []}
    known |= {c["Name"].lower() for c in current.get("PartitionKeys") or []}
    added = [(n, t) for n, t in columns if n.lower() not in known]
    if not added:
        return "unchanged"
    sd["Columns"] = list(sd.get("Columns") or []) + [{"Name": n, "Type": t} for n, t in added]
    table_input = {k: v for k, v in current.items() if k in {
        "Name", "Description", "Owner", "Retention", "PartitionKeys", "TableType", "Parameters",
        "ViewOriginalText", "ViewExpandedText"}}
    table_input["StorageDescriptor"] = sd
    client.update_table(DatabaseName=database, TableInput=table_input, **ids)
    return "updated"


def add_partitions(table: CatalogTable, values: list[list[str]], fmt: str,
                   catalog_id: str | None = None) -> int:
    """Register the partitions in ``values`` that the catalog does not have yet; their number."""
    keys = [k for k, _ in table.partition_keys]
    if not keys or not values:
        return 0
    known = {tuple(p.values) for p in get_partitions(table, catalog_id=catalog_id)}
    new = [v for v in dict.fromkeys(tuple(v) for v in values) if v not in known]
    client = glue_client()
    ids = {"CatalogId": catalog_id} if catalog_id else {}
    for start in range(0, len(new), 100):  # BatchCreatePartition takes up to 100
        batch = [{
            "Values": list(v),
            "StorageDescriptor": storage_descriptor(
                partition_location(table.location, keys, list(v)), fmt, table.columns),
        } for v in new[start:start + 100]]
        out = client.batch_create_partition(DatabaseName=table.database, TableName=table.name,
                                            PartitionInputList=batch, **ids)
        errors = [e for e in out.get("Errors") or []
                  if (e.get("ErrorDetail") or {}).get("ErrorCode") != "AlreadyExistsException"]
        if errors:
            detail = errors[0].get("ErrorDetail") or {}
            raise CatalogError(
                f"cannot register partitions of {table.database}.{table.name}: "
                f"{detail.get('ErrorCode')}: {detail.get('ErrorMessage')}"
            )
    return len(new)
