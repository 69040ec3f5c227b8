"""Reading and validating catalog declarations: one YAML file per database under ``catalog/``.

Every mistake is reported as one line naming the file and the key (``catalog/sales.yml:
tables.orders.columns[1].type: ...``) before anything is loaded or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.catalog.formats import FORMATS, StorageFormat
from kit.errors import CatalogDeclarationError

PII_PARAMETER = "pii"
"""Column parameter marking personal data (``"true"``): `kit sample` always masks it."""
PII_TABLE_PARAMETER = "kit:pii_columns"
"""Table parameter listing the PII columns (comma-separated): CloudFormation's Column has no
Parameters, so the marker also lives on the table and survives a stack deployment."""

_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
_PRIMITIVES = {
    "boolean", "tinyint", "smallint", "int", "integer", "bigint", "float", "double", "string",
    "binary", "date", "timestamp", "decimal", "char", "varchar", "interval",
}
_COMPLEX = ("array<", "map<", "struct<", "uniontype<")
_DB_KEYS = {"database", "description", "location", "parameters", "tables"}
_TABLE_KEYS = {
    "description", "format", "input_format", "output_format", "serde", "serde_parameters",
    "location", "columns", "partition_keys", "parameters", "table_type",
}
_COLUMN_KEYS = {"name", "type", "comment", "pii", "parameters"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str = ""
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def pii(self) -> bool:
        return self.parameters.get(PII_PARAMETER, "").lower() == "true"


@dataclass(frozen=True)
class Table:
    name: str
    storage: StorageFormat
    location: str | dict[str, str]
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    description: str = ""
    table_type: str = "EXTERNAL_TABLE"

    def location_for(self, env: str) -> str:
        """The table's S3 location in ``env`` (``{env}`` filled in, or the env's own entry)."""
        if isinstance(self.location, dict):
            if env not in self.location:
                raise CatalogDeclarationError(
                    f"table {self.name} declares no location for environment {env!r} "
                    f"(it has {', '.join(sorted(self.location))})"
                )
            return self.location[env].replace("{env}", env)
        return self.location.replace("{env}", env)

    def pii_columns(self) -> list[str]:
        return [c.name for c in (*self.columns, *self.partition_keys) if c.pii]

    def all_parameters(self) -> dict[str, str]:
        """Table parameters as written to the catalog: classification and the PII list added."""
        params = {"classification": self.storage.classification, **self.parameters}
        pii = self.pii_columns()
        if pii:
            params[PII_TABLE_PARAMETER] = ",".join(pii)
        return params


@dataclass(frozen=True)
class Database:
    name: str
    source: Path
    tables: tuple[Table, ...]
    description: str = ""
    location: str = ""
    parameters: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


def catalog_dir(root: Path) -> Path:
    return Path(root) / "catalog"


def load_all(root: Path) -> list[Database]:
    """Every declaration under ``<root>/catalog/`` (``*.yml`` / ``*.yaml``), validated."""
    folder = catalog_dir(root)
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    if not files:
        raise CatalogDeclarationError(
            f"no catalog declarations in {folder}: add catalog/DATABASE.yml (see docs/catalog.md)"
        )
    databases = [load_file(f, label=f"catalog/{f.name}") for f in files]
    seen: dict[str, str] = {}
    for db in databases:
        if db.name in seen:
            raise CatalogDeclarationError(
                f"catalog/{db.source.name}: database {db.name} is also declared in {seen[db.name]}"
            )
        seen[db.name] = f"catalog/{db.source.name}"
    return databases


def load_file(path: Path, label: str | None = None) -> Database:
    """One declaration file, validated (one-line errors naming ``label`` and the key)."""
    label = label or str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogDeclarationError(f"{label}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CatalogDeclarationError(f"{label}:{where}: {problem}") from exc
    return parse(data, Path(path), label)


def parse(data: Any, source: Path, label: str) -> Database:
    def fail(key: str, message: str) -> CatalogDeclarationError:
        return CatalogDeclarationError(f"{label}: {key}: {message}")

    if not isinstance(data, dict):
        raise CatalogDeclarationError(f"{label}: expected a mapping with 'tables'")
    _unknown(data, _DB_KEYS, "", fail)
    name = data.get("database", source.stem)
    _check_name(name, "database", fail)
    tables_raw = data.get("tables")
    if not isinstance(tables_raw, dict) or not tables_raw:
        raise fail("tables", "expected a mapping of table name to table")
    tables = tuple(_table(tname, t, f"tables.{tname}", fail) for tname, t in tables_raw.items())
    return Database(
        name=name,
        source=source,
        tables=tables,
        description=_str(data, "description", "description", fail),
        location=_str(data, "location", "location", fail),
        parameters=_params(data.get("parameters"), "parameters", fail),
    )


def _table(name: Any, raw: Any, key: str, fail) -> Table:
    _check_name(name, key, fail)
    if not isinstance(raw, dict):
        raise fail(key, "expected a mapping (columns, format, location, ...)")
    _unknown(raw, _TABLE_KEYS, key + ".", fail)
    storage = _storage(raw, key, fail)
    location = raw.get("location")
    if isinstance(location, dict):
        if not location or not all(isinstance(v, str) and v for v in location.values()):
            raise fail(f"{key}.location", "expected an S3 URI or a mapping environment: S3 URI")
        for env, uri in location.items():
            _check_uri(uri, f"{key}.location.{env}", fail)
        location = {str(k): v for k, v in location.items()}
    elif isinstance(location, str) and location:
        _check_uri(location, f"{key}.location", fail)
    else:
        raise fail(f"{key}.location", "missing: an S3 URI ({env} is filled in) or env: URI")
    columns = _columns(raw.get("columns"), f"{key}.columns", fail, required=True)
    partitions = _columns(raw.get("partition_keys"), f"{key}.partition_keys", fail, required=False)
    names = [c.name for c in (*columns, *partitions)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise fail(f"{key}.columns", f"column {dupes[0]} is declared twice")
    table_type = raw.get("table_type", "EXTERNAL_TABLE")
    if table_type not in ("EXTERNAL_TABLE", "VIRTUAL_VIEW", "GOVERNED"):
        raise fail(f"{key}.table_type", "expected EXTERNAL_TABLE, VIRTUAL_VIEW or GOVERNED")
    return Table(
        name=name,
        storage=storage,
        location=location,
        columns=columns,
        partition_keys=partitions,
        parameters=_params(raw.get("parameters"), f"{key}.parameters", fail),
        description=_str(raw, "description", f"{key}.description", fail),
        table_type=table_type,
    )


def _storage(raw: dict, key: str, fail) -> StorageFormat:
    short = raw.get("format")
    explicit: dict[str, Any] = {k: raw.get(k) for k in ("input_format", "output_format", "serde")}
    serde_params = _params(raw.get("serde_parameters"), f"{key}.serde_parameters", fail)
    if short is not None:
        if short not in FORMATS:
            raise fail(f"{key}.format", f"unknown format {short!r}; use {', '.join(FORMATS)} "
                       "or input_format/output_format/serde")
        base = FORMATS[short]
        return StorageFormat(
            base.classification,
            explicit["input_format"] or base.input_format,
            explicit["output_format"] or base.output_format,
            explicit["serde"] or base.serde,
            {**base.serde_parameters, **serde_params},
        )
    missing = [k for k, v in explicit.items() if not (isinstance(v, str) and v)]
    if missing:
        raise fail(f"{key}.format", f"missing: a short name ({', '.join(FORMATS)}) or "
                   "input_format, output_format and serde")
    classification = str((raw.get("parameters") or {}).get("classification", ""))
    return StorageFormat(classification, explicit["input_format"], explicit["output_format"],
                         explicit["serde"], serde_params)


def _columns(raw: Any, key: str, fail, *, required: bool) -> tuple[Column, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        raise fail(key, "expected a list of columns ({name, type})")
    out = []
    for i, col in enumerate(raw):
        ckey = f"{key}[{i}]"
        if not isinstance(col, dict):
            raise fail(ckey, "expected a mapping {name, type}")
        _unknown(col, _COLUMN_KEYS, ckey + ".", fail)
        _check_name(col.get("name"), f"{ckey}.name", fail)
        ctype = col.get("type")
        if not isinstance(ctype, str) or not valid_type(ctype):
            raise fail(f"{ckey}.type", f"{'missing' if ctype is None else repr(ctype)}: expected "
                       "a Hive type (string, bigint, decimal(12,2), array<string>, ...)")
        params = _params(col.get("parameters"), f"{ckey}.parameters", fail)
        pii = col.get("pii", False)
        if not isinstance(pii, bool):
            raise fail(f"{ckey}.pii", "expected true or false")
        if pii:
            params[PII_PARAMETER] = "true"
        out.append(Column(col["name"], ctype.lower(), _str(col, "comment", f"{ckey}.comment", fail),
                          params))
    return tuple(out)


def valid_type(value: str) -> bool:
    """A Hive/Glue column type: a primitive (with its arguments) or a complex type."""
    value = value.strip().lower()
    if value.startswith(_COMPLEX):
        return value.endswith(">") and value.count("<") == value.count(">")
    base = re.fullmatch(r"([a-z]+)(\(\s*\d+\s*(,\s*\d+\s*)?\))?", value)
    return base is not None and base.group(1) in _PRIMITIVES


def _check_name(name: Any, key: str, fail) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(key, f"{name!r} is not a catalog name (lowercase letters, digits, _)")


def _check_uri(uri: str, key: str, fail) -> None:
    if not re.match(r"^s3a?://[a-z0-9{}][a-z0-9.{}-]*[a-z0-9{}](/|$)", uri):
        raise fail(key, f"{uri!r} is not an s3:// URI")


def _unknown(raw: dict, allowed: set[str], prefix: str, fail) -> None:
    for k in raw:
        if k not in allowed:
            hint = "; quote values holding a comma inside {...}" if raw[k] is None else ""
            raise fail(f"{prefix}{k}",
                       f"unknown key (expected one of {', '.join(sorted(allowed))}){hint}")


def _str(raw: dict, name: str, key: str, fail) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str):
        raise fail(key, "expected a string")
    return value


def _params(raw: Any, key: str, fail) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail(key, "expected a mapping of string keys to values")
    out = {}
    for k, v in raw.items():
        if isinstance(v, (dict, list)) or v is None:
            raise fail(f"{key}.{k}", "expected a scalar value")
        out[str(k)] = str(v).lower() if isinstance(v, bool) else str(v)
    return out
