"""Glue field paths (``a.b``, ```a.b``` for a name with a dot, ``list[].x``) as Spark columns.

Every DynamicFrame transform works on DataFrame column expressions built here, so the work
stays in the JVM (no per-row Python).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, StructType

ARRAY = "[]"


def parse(path: str) -> list[str]:
    """``a.b``, ```x.y`.z`` and ``items[].price`` split into parts (``[]`` marks array elements)."""
    parts: list[str] = []
    buf = ""
    quoted = False
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "`":
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(buf)
            buf = ""
        elif ch == "[" and not quoted and path[i:i + 2] == "[]":
            parts.append(buf)
            buf = ARRAY
            i += 1
        else:
            buf += ch
        i += 1
    parts.append(buf)
    out: list[str] = []
    for part in parts:
        if part.startswith(ARRAY) and part != ARRAY:
            out += [ARRAY, part[len(ARRAY):]]
        elif part:
            out.append(part)
    return out


def quote(name: str) -> str:
    """A column name usable in ``F.col`` even when it holds dots."""
    return "`" + name.replace("`", "``") + "`"


def sql(parts: list[str]) -> str:
    """The SQL expression for the (struct-only) path ``parts``: ```a`.`b```."""
    return ".".join(quote(p) for p in parts)


def top(name: str) -> Column:
    return F.col(quote(name))


def field_type(schema: StructType, parts: list[str]) -> DataType | None:
    """Type at ``parts`` in ``schema`` (case-insensitive, like Spark), or None when absent."""
    current: DataType = schema
    for part in parts:
        if part == ARRAY:
            if not isinstance(current, ArrayType):
                return None
            current = current.elementType
            continue
        if not isinstance(current, StructType):
            return None
        match = [f for f in current.fields if f.name == part] or [
            f for f in current.fields if f.name.lower() == part.lower()
        ]
        if not match:
            return None
        current = match[0].dataType
    return current


def real_name(schema: StructType, name: str) -> str | None:
    for f in schema.fields:
        if f.name == name:
            return f.name
    for f in schema.fields:
        if f.name.lower() == name.lower():
            return f.name
    return None


def get(parts: list[str]) -> Column:
    """Column expression reading the (struct-only) path ``parts``."""
    col = top(parts[0])
    for part in parts[1:]:
        col = col.getField(part)
    return col


def update(df: DataFrame, parts: list[str], fn: Callable[[Column], Column]) -> DataFrame:
    """``df`` with the value at ``parts`` replaced by ``fn(value)`` (structs and arrays)."""
    name = real_name(df.schema, parts[0])
    if name is None:
        return df

    def walk(col: Column, rest: list[str]) -> Column:
        if not rest:
            return fn(col)
        if rest[0] == ARRAY:
            return F.transform(col, lambda e: walk(e, rest[1:]))
        return col.withField(rest[0], walk(col.getField(rest[0]), rest[1:]))

    return df.withColumn(name, walk(top(name), parts[1:]))


def drop(df: DataFrame, parts: list[str]) -> DataFrame:
    """``df`` without the field at ``parts`` (missing paths are ignored, as on Glue)."""
    if field_type(df.schema, parts) is None:
        return df
    name = real_name(df.schema, parts[0])
    if len(parts) == 1:
        assert name is not None  # field_type found the top-level field
        return df.drop(name)
    if ARRAY in parts:
        head = parts[: len(parts) - 1 - parts[::-1].index(ARRAY)]
        tail = parts[len(head) + 1:]
        return update(df, head, lambda a: F.transform(a, lambda e: e.dropFields(*_dotted(tail))))
    parent, leaf = parts[:-1], parts[-1]
    parent_type = field_type(df.schema, parent)
    if isinstance(parent_type, StructType) and len(parent_type.fields) == 1:
        return drop(df, parent)  # no empty structs: the parent goes too
    return update(df, parent, lambda c: c.dropFields(_escape(leaf)))


def _escape(name: str) -> str:
    return quote(name) if "." in name else name


def _dotted(parts: list[str]) -> list[str]:
    return [".".join(_escape(p) for p in parts)]


def nest(columns: list[tuple[list[str], Column]]) -> list[Column]:
    """Top-level columns built from ``(target path, value)`` pairs, nesting dotted targets.

    Order follows first appearance, as Glue keeps the mapping order.
    """
    tree: dict[str, object] = {}
    for parts, value in columns:
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value

    def build(node: dict[str, object]) -> list[Column]:
        out = []
        for name, value in node.items():
            if isinstance(value, dict):
                out.append(F.struct(*build(value)).alias(name))
            else:
                out.append(cast(Column, value).alias(name))
        return out

    return build(tree)


def flatten(schema: StructType, prefix: list[str] | None = None) -> list[tuple[str, Column, DataType]]:
    """Leaf (non-struct) fields as ``("a.b", column, type)`` — Glue's unnest naming."""
    out: list[tuple[str, Column, DataType]] = []
    for f in schema.fields:
        parts = [*(prefix or []), f.name]
        if isinstance(f.dataType, StructType) and f.dataType.fields:
            out += flatten(f.dataType, parts)
        else:
            out.append((".".join(parts), get(parts), f.dataType))
    return out
