"""Adoption: write the declaration of a database that already exists in a live catalog."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kit.catalog import live
from kit.catalog.declaration import PII_PARAMETER, PII_TABLE_PARAMETER, catalog_dir, parse
from kit.catalog.formats import FORMATS, short_name
from kit.errors import CatalogDeclarationError, CatalogError
from kit.fsutil import write_atomic


def declaration(client: Any, database: str, env: str) -> dict[str, Any]:
    """The declaration (as YAML-ready data) of ``database``; ``env`` in locations -> ``{env}``."""
    db = live.get_database(client, database)
    if db is None:
        raise CatalogError(f"database {database} is not in the live catalog; check its name")
    out: dict[str, Any] = {"database": database}
    if db.get("Description"):
        out["description"] = db["Description"]
    if db.get("LocationUri"):
        out["location"] = _templated(db["LocationUri"], env)
    if db.get("Parameters"):
        out["parameters"] = dict(db["Parameters"])
    tables = {t["Name"]: _table(t, env) for t in live.get_tables(client, database)}
    if not tables:
        raise CatalogError(f"database {database} has no tables: nothing to declare")
    out["tables"] = tables
    return out


def write(root: Path, client: Any, database: str, env: str, *, force: bool = False) -> Path:
    """Write ``catalog/DATABASE.yml``; refuses to overwrite an existing file without ``force``."""
    path = catalog_dir(root) / f"{database}.yml"
    if path.exists() and not force:
        raise CatalogDeclarationError(
            f"catalog/{path.name} exists; pass --force to overwrite it with the live catalog"
        )
    data = declaration(client, database, env)
    parse(data, path, f"catalog/{path.name}")  # what we write must read back
    text = (f"# Declaration of Glue database {database}, pulled from the live catalog "
            f"(environment {env}) by `kit catalog pull`.\n")
    text += yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100)
    write_atomic(path, text)
    return path


def _table(t: dict[str, Any], env: str) -> dict[str, Any]:
    sd = t.get("StorageDescriptor") or {}
    serde = sd.get("SerdeInfo") or {}
    params = dict(t.get("Parameters") or {})
    pii_listed = {c for c in params.pop(PII_TABLE_PARAMETER, "").split(",") if c}
    out: dict[str, Any] = {}
    if t.get("Description"):
        out["description"] = t["Description"]
    fmt = short_name(sd.get("InputFormat", ""), sd.get("OutputFormat", ""),
                     serde.get("SerializationLibrary", ""))
    serde_params = dict(serde.get("Parameters") or {})
    if fmt:
        out["format"] = fmt
        if params.get("classification") == FORMATS[fmt].classification:
            params.pop("classification")
        base = FORMATS[fmt].serde_parameters
        serde_params = {k: v for k, v in serde_params.items() if base.get(k) != v}
    else:
        out["input_format"] = sd.get("InputFormat", "")
        out["output_format"] = sd.get("OutputFormat", "")
        out["serde"] = serde.get("SerializationLibrary", "")
    if serde_params:
        out["serde_parameters"] = serde_params
    if sd.get("Location"):
        out["location"] = _templated(sd["Location"], env)
    if t.get("TableType") and t["TableType"] != "EXTERNAL_TABLE":
        out["table_type"] = t["TableType"]
    out["columns"] = [_column(c, pii_listed) for c in sd.get("Columns") or []]
    if t.get("PartitionKeys"):
        out["partition_keys"] = [_column(c, pii_listed) for c in t["PartitionKeys"]]
    if params:
        out["parameters"] = params
    return out


def _column(c: dict[str, Any], pii_listed: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c["Name"], "type": c.get("Type", "string")}
    if c.get("Comment"):
        out["comment"] = c["Comment"]
    params = dict(c.get("Parameters") or {})
    pii = params.pop(PII_PARAMETER, "").lower() == "true" or c["Name"] in pii_listed
    if pii:
        out["pii"] = True
    if params:
        out["parameters"] = params
    return out


def _templated(uri: str, env: str) -> str:
    """``s3://x-dev-data/`` -> ``s3://x-{env}-data/`` (only whole words equal to ``env``)."""
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(env)}(?![A-Za-z0-9])", "{env}", uri)
