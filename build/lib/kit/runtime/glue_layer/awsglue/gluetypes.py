"""Glue type names and ``DynamicRecord``, the dict-like record Glue passes to Map/Filter functions."""

from __future__ import annotations

from typing import Any

from pyspark.sql import Row
from pyspark.sql import types as T

_SIMPLE: dict[str, T.DataType] = {
    "string": T.StringType(),
    "varchar": T.StringType(),
    "char": T.StringType(),
    "int": T.IntegerType(),
    "integer": T.IntegerType(),
    "long": T.LongType(),
    "bigint": T.LongType(),
    "short": T.ShortType(),
    "smallint": T.ShortType(),
    "byte": T.ByteType(),
    "tinyint": T.ByteType(),
    "double": T.DoubleType(),
    "float": T.FloatType(),
    "boolean": T.BooleanType(),
    "bool": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "binary": T.BinaryType(),
    "null": T.NullType(),
}


def spark_type(glue_type: str) -> T.DataType | None:
    """Spark type for a Glue/Hive type name (``int``, ``long``, ``decimal(10,2)``, ``array<int>``).

    None for the untyped ``struct``/``array``/``map`` names, which Glue keeps as they are.
    """
    name = glue_type.strip().lower()
    if name in _SIMPLE:
        return _SIMPLE[name]
    if name in {"struct", "array", "map", "object", "choice"}:
        return None
    if name == "decimal":
        return T.DecimalType(10, 2)
    if name.startswith("varchar(") or name.startswith("char("):
        return T.StringType()
    try:
        return T._parse_datatype_string(glue_type)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"unknown type {glue_type!r} in mapping") from exc


def type_name(dtype: T.DataType) -> str:
    """Glue's name for a Spark type (used for ``make_cols`` column suffixes)."""
    return {
        "integer": "int",
        "bigint": "long",
        "smallint": "short",
        "tinyint": "byte",
    }.get(dtype.simpleString(), dtype.simpleString())


class DynamicRecord(dict):
    """A record as Glue hands it to Map/Filter: a dict of field name to value, nested dicts for
    structs, lists for arrays. Mutate it and return it from a Map function."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _to_python(value: Any) -> Any:
    if isinstance(value, Row):
        return DynamicRecord((k, _to_python(v)) for k, v in value.asDict(recursive=False).items())
    if isinstance(value, dict):
        return {k: _to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_python(v) for v in value]
    return value


def _create_dynamic_record(row: Row) -> DynamicRecord:
    """The DynamicRecord for a DataFrame row (null fields are present with value None)."""
    return _to_python(row)


def _revert_to_dict(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    if isinstance(record, Row):
        return record.asDict(recursive=True)
    return dict(record)
