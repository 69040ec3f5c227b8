"""Declarations as Glue API shapes (DatabaseInput / TableInput), shared by load and export."""

from __future__ import annotations

from typing import Any

from kit.catalog.declaration import Column, Database, Table


def database_input(db: Database, env: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": db.name}
    if db.description:
        out["Description"] = db.description
    if db.location:
        out["LocationUri"] = db.location.replace("{env}", env)
    if db.parameters:
        out["Parameters"] = dict(db.parameters)
    return out


def column_input(col: Column, *, with_parameters: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": col.name, "Type": col.type}
    if col.comment:
        out["Comment"] = col.comment
    if with_parameters and col.parameters:
        out["Parameters"] = dict(col.parameters)
    return out


def table_input(
    table: Table, env: str, *, column_parameters: bool = True, location: str | None = None
) -> dict[str, Any]:
    """Glue's TableInput. ``column_parameters=False`` for CloudFormation (its Column has none)."""
    fmt = table.storage
    serde: dict[str, Any] = {"SerializationLibrary": fmt.serde}
    if fmt.serde_parameters:
        serde["Parameters"] = dict(fmt.serde_parameters)
    out: dict[str, Any] = {
        "Name": table.name,
        "TableType": table.table_type,
        "Parameters": table.all_parameters(),
        "StorageDescriptor": {
            "Columns": [column_input(c, with_parameters=column_parameters) for c in table.columns],
            "Location": location if location is not None else table.location_for(env),
            "InputFormat": fmt.input_format,
            "OutputFormat": fmt.output_format,
            "SerdeInfo": serde,
        },
        "PartitionKeys": [
            column_input(c, with_parameters=column_parameters) for c in table.partition_keys
        ],
    }
    if table.description:
        out["Description"] = table.description
    return out
