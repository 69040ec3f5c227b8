"""Catalog tables read and written as Glue does: through their registered partitions.

A partitioned table is read partition by partition (``GetPartitions``, each partition's own
location), its partition columns typed as the catalog declares them (``month='03'`` stays the
string ``'03'``), ``push_down_predicate`` evaluated on the partition values before any file is
read and ``catalogPartitionPredicate`` sent to the catalog. Writes with ``enableUpdateCatalog``
create or update the table and register the new partitions.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue import _compat, _io
from awsglue.gluetypes import spark_type
from kit.runtime import catalog
from kit.runtime.catalog import CatalogTable


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


def _typed(glue_type: str) -> T.DataType:
    return spark_type(glue_type) or T.StringType()


def data_schema(table: CatalogTable) -> T.StructType:
    fields = [T.StructField(n, _typed(t), True) for n, t in table.columns + table.partition_keys]
    return T.StructType(fields)


def selected_partitions(spark: SparkSession, table: CatalogTable, push_down_predicate: str,
                        catalog_predicate: str, catalog_id: str | None) -> list[catalog.Partition]:
    """The partitions to read: the catalog's (filtered server-side by ``catalog_predicate``),
    then ``push_down_predicate`` applied on their typed values."""
    parts = catalog.get_partitions(table, catalog_predicate, catalog_id)
    if not push_down_predicate or not parts:
        return parts
    schema = T.StructType([T.StructField(k, T.StringType(), True) for k, _ in table.partition_keys]
                          + [T.StructField("__kit_index", T.IntegerType(), False)])
    values = spark.createDataFrame([(*p.values, i) for i, p in enumerate(parts)], schema)
    typed = values.select(
        *[_compat.convert(F.col(f"`{k}`"), _typed(t)).alias(k) for k, t in table.partition_keys],
        "__kit_index",
    )
    kept = {r[0] for r in typed.where(push_down_predicate).select("__kit_index").collect()}
    return [p for i, p in enumerate(parts) if i in kept]


def read(spark: SparkSession, table: CatalogTable, format_options: dict[str, Any],
         push_down_predicate: str, catalog_predicate: str, transformation_ctx: str,
         catalog_id: str | None, apply_columns: Any) -> DataFrame:
    """The table's rows; partitioned tables through their registered partitions only."""
    if not table.partition_keys:
        df = _io.read(spark, {"paths": [table.location], "recurse": True}, table.format,
                      format_options, transformation_ctx)
        if table.format == "csv" and df.columns:
            df = apply_columns(df, table)
        return df.where(push_down_predicate) if push_down_predicate and df.columns else df
    frames = []
    for part in selected_partitions(spark, table, push_down_predicate, catalog_predicate,
                                    catalog_id):
        if not _io.has_files(part.location):
            continue
        df = _io.read(spark, {"paths": [part.location], "recurse": True}, table.format,
                      format_options, transformation_ctx)
        if not df.columns:
            continue
        if table.format == "csv":
            df = apply_columns(df, table)
        keys = {k.lower() for k, _ in table.partition_keys}
        df = df.select(*[F.col(f"`{c}`") for c in df.columns if c.lower() not in keys])
        for (name, glue_type), value in zip(table.partition_keys, part.values, strict=True):
            df = df.withColumn(name, _compat.convert(F.lit(value), _typed(glue_type)))
        frames.append(df)
    if not frames:
        return spark.createDataFrame([], data_schema(table))
    return reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)


def glue_columns(schema: T.StructType, skip: list[str]) -> list[tuple[str, str]]:
    """(name, Hive type) of the frame's fields, as Glue writes them into the catalog."""
    lowered = {s.lower() for s in skip}
    return [(f.name, f.dataType.simpleString()) for f in schema.fields
            if f.name.lower() not in lowered]


def partition_values(df: DataFrame, keys: list[str]) -> list[list[str]]:
    """Distinct partition values written (as their folder text; null is Hive's default name)."""
    if not keys:
        return []
    rows = df.select(*[F.col(f"`{k}`").cast("string").alias(k) for k in keys]).distinct().collect()
    return [["__HIVE_DEFAULT_PARTITION__" if v is None else v for v in r] for r in rows]


def update_catalog(df: DataFrame, database: str, table_name: str, path: str, fmt: str,
                   keys: list[str], update_behavior: str, catalog_id: str | None,
                   format_options: dict[str, Any]) -> None:
    """After a write: create/update the table (``updateBehavior``), register new partitions."""
    fields = {f.name.lower(): f for f in df.schema.fields}
    partition_keys = [(k, fields[k.lower()].dataType.simpleString() if k.lower() in fields
                       else "string") for k in keys]
    header = _flag(_io.opt(format_options, "writeHeader", default=True))
    catalog.update_table(database, table_name, path, fmt, glue_columns(df.schema, keys),
                         partition_keys, update_behavior, catalog_id, csv_header=header,
                         separator=_io.opt(format_options, "separator", default=","))
    table = catalog.get_table(database, table_name, catalog_id)
    table_keys = [k for k, _ in table.partition_keys]
    catalog.add_partitions(table, partition_values(df, table_keys), fmt, catalog_id)


def register_in_spark(spark: SparkSession, table: CatalogTable, catalog_id: str | None) -> None:
    """``db.table`` in Spark's session catalog, over the same files and partitions, so
    ``spark.sql("... FROM db.table")`` sees it (``--enable-glue-datacatalog``)."""
    from awsglue import _paths

    db, name = _paths.quote(table.database), _paths.quote(table.name)
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    spark.sql(f"DROP TABLE IF EXISTS {db}.{name}")
    fmt = "parquet" if table.format == "glueparquet" else table.format
    cols = ", ".join(f"{_paths.quote(n)} {_typed(t).simpleString()}"
                     for n, t in table.columns + table.partition_keys)
    options = {}
    if fmt == "csv":
        options = {"header": str(bool(table.format_options.get("withHeader"))).lower(),
                   "sep": table.format_options.get("separator", ",")}
    opts = ", ".join(f"'{k}' '{v}'" for k, v in options.items())
    keys = ", ".join(_paths.quote(k) for k, _ in table.partition_keys)
    location = _local_uri(table.location)
    spark.sql(
        f"CREATE TABLE {db}.{name} ({cols}) USING {fmt}"
        + (f" OPTIONS ({opts})" if opts else "")
        + (f" PARTITIONED BY ({keys})" if keys else "")
        + f" LOCATION '{location}'"
    )
    if not keys:
        return
    for part in catalog.get_partitions(table, "", catalog_id):
        spec = ", ".join(f"{_paths.quote(k)} = '{v}'" for (k, _), v in
                         zip(table.partition_keys, part.values, strict=True))
        spark.sql(f"ALTER TABLE {db}.{name} ADD IF NOT EXISTS PARTITION ({spec}) "
                  f"LOCATION '{_local_uri(part.location)}'")


def _local_uri(location: str) -> str:
    """The local folder an s3:// location maps to, as a file: path, not percent-encoded (Spark's
    catalog creates partition folders through it, and escapes names itself)."""
    from pathlib import Path

    from kit.runtime import s3local

    local = s3local.to_local(location)
    if local.startswith("file:"):
        return local
    return "file://" + str(Path(local).resolve()).replace("'", "\\'")
