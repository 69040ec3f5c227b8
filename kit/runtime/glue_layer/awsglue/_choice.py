"""Choice types on DataFrames.

Glue keeps a field whose records disagree on type as a *choice* (e.g. ``int | string``). Spark
widens such a field to ``string`` when it reads JSON or CSV, so locally a choice is a string
column whose values parse as more than one type. Each value's member type is recovered from its
text: an integer (``int``, or ``long`` past 32 bits), a decimal number (``double``),
``true``/``false`` (``boolean``), else ``string``.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType, StructType

from awsglue import _compat, _paths
from awsglue.gluetypes import spark_type

ORDER = ["int", "long", "double", "boolean", "string"]
_INT = r"^\s*[+-]?\d+\s*$"
_NUM = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"


def member(col: Column) -> Column:
    """The member type name of each string value (null for null)."""
    as_long = _compat.convert(F.trim(col), "long")
    return (
        F.when(col.isNull(), F.lit(None))
        .when(col.rlike(_INT) & as_long.between(-(2**31), 2**31 - 1), F.lit("int"))
        .when(col.rlike(_INT) & as_long.isNotNull(), F.lit("long"))
        .when(col.rlike(_NUM), F.lit("double"))
        .when(F.lower(F.trim(col)).isin("true", "false"), F.lit("boolean"))
        .otherwise(F.lit("string"))
    )


def members(df: DataFrame, paths: list[list[str]]) -> dict[str, list[str]]:
    """Member types found in each string path (one pass over the data)."""
    if not paths:
        return {}
    aggs = [F.collect_set(member(_paths.get(p))).alias(str(i)) for i, p in enumerate(paths)]
    row = df.agg(*aggs).first()
    assert row is not None  # an aggregate without grouping has one row
    out = {}
    for i, p in enumerate(paths):
        found = set(row[str(i)] or [])
        if {"int", "long"} <= found:
            found.discard("int")
        out[".".join(p)] = [t for t in ORDER if t in found]
    return out


def string_paths(schema: StructType, prefix: list[str] | None = None) -> list[list[str]]:
    """Paths of every string field reachable through structs (choice candidates)."""
    out: list[list[str]] = []
    for f in schema.fields:
        parts = [*(prefix or []), f.name]
        if isinstance(f.dataType, StringType):
            out.append(parts)
        elif isinstance(f.dataType, StructType):
            out += string_paths(f.dataType, parts)
    return out


def choice_paths(df: DataFrame) -> dict[str, list[str]]:
    """Fields that hold a choice (string fields with more than one member type)."""
    found = members(df, string_paths(df.schema))
    return {k: v for k, v in found.items() if len(v) > 1}


def as_member(col: Column, type_name: str) -> Column:
    """Values of member type ``type_name`` (cast to it); null for values of other types."""
    target = spark_type(type_name) or StringType()
    kinds = [type_name] if type_name != "long" else ["int", "long"]
    value = col if type_name == "string" else _compat.convert(F.trim(col), target.simpleString())
    return F.when(member(col).isin(*kinds), value)


def cast(col: Column, dtype: DataType) -> Column:
    """Glue's ``cast:``: every value converted; values that do not convert become null."""
    return _compat.convert(col, dtype.simpleString())


def project(col: Column, current: DataType, type_name: str) -> Column:
    """Glue's ``project:``: keep only values of the given member type."""
    target = spark_type(type_name)
    if target is None:
        raise ValueError(f"project:{type_name}: not a simple type")
    if isinstance(current, StringType) and target != StringType():
        return as_member(col, type_name)
    if isinstance(current, StringType):
        return F.when(member(col) == "string", col)
    return _compat.convert(col, target.simpleString())  # not a choice locally: a plain conversion
