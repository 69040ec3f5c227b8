"""``GlueContext`` on plain PySpark: sources, sinks and the catalog, with local S3 paths."""

from __future__ import annotations

import csv
import io
import os
import sys
import time
import warnings
from typing import Any

from pyspark.sql import DataFrame, SparkSession, SQLContext

from awsglue import _compat, _tables
from awsglue.data_sink import DataSink
from awsglue.data_source import DataSource
from awsglue.dataframereader import DataFrameReader
from awsglue.dataframewriter import DataFrameWriter
from awsglue.dynamicframe import (
    DynamicFrame,
    DynamicFrameCollection,
    DynamicFrameReader,
    DynamicFrameWriter,
)
from awsglue.gluetypes import spark_type
from kit.runtime import catalog, s3local, s3mount


class GlueLogger:
    """``glue_context.get_logger()``: info/warn/error lines on stderr."""

    def _emit(self, level: str, message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        print(f"{stamp} {level} [glue] {message}", file=sys.stderr, flush=True)

    def info(self, message: str) -> None:
        self._emit("INFO", message)

    def warn(self, message: str) -> None:
        self._emit("WARN", message)

    def error(self, message: str) -> None:
        self._emit("ERROR", message)


def _share_layer(sc: Any) -> None:
    """Python workers import ``awsglue`` too (records in map/filter): give them the layer path."""
    layer = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    current = sc.environment.get("PYTHONPATH", "")
    if layer not in current.split(os.pathsep):
        sc.environment["PYTHONPATH"] = os.pathsep.join(p for p in (layer, current) if p)


def datacatalog_enabled(argv: list[str]) -> bool:
    """``--enable-glue-datacatalog`` given (with no value, or any value but ``false``)."""
    for i, arg in enumerate(argv):
        if arg == "--enable-glue-datacatalog":
            nxt = argv[i + 1] if i + 1 < len(argv) else ""
            return nxt.lower() != "false"
        if arg.startswith("--enable-glue-datacatalog="):
            return arg.split("=", 1)[1].lower() != "false"
    return False


def _db(database: str | None, kwargs: dict[str, Any]) -> str:
    if database is not None and "name_space" in kwargs:
        raise Exception("Parameter name_space and database are both specified, choose one.")
    if database is None and "name_space" not in kwargs:
        raise Exception("Parameter name_space or database is missing.")
    return kwargs.pop("name_space") if "name_space" in kwargs else database  # type: ignore[return-value]


class GlueContext(SQLContext):
    """Entry point of a Glue script: wraps the SparkContext and reads/writes DynamicFrames."""

    Spark_SQL_Formats = {"parquet", "orc"}

    def __init__(self, sparkContext: Any = None, **options: Any) -> None:  # noqa: N803
        from pyspark import SparkContext

        sparkContext = sparkContext or SparkContext.getOrCreate()  # noqa: N806
        session = SparkSession.builder.getOrCreate()
        _share_layer(sparkContext)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            super().__init__(sparkContext, session)
        self.spark_session = session
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)
        self.create_data_frame = DataFrameReader(self)
        self.write_data_frame = DataFrameWriter(self)
        self._glue_logger = GlueLogger()
        self._options = options
        s3local.object_root()  # announce where s3:// paths go, once, at start
        s3mount.mount_known(sparkContext)  # plain spark.read/df.write on s3:// paths too
        self._catalog_in_spark = datacatalog_enabled(sys.argv)
        if self._catalog_in_spark:
            self._register_catalog()

    def _register_catalog(self) -> None:
        """``--enable-glue-datacatalog``: every Data Catalog table in Spark's session catalog."""
        client = catalog.glue_client()
        for page in client.get_paginator("get_databases").paginate():
            for database in page.get("DatabaseList") or []:
                for tables in client.get_paginator("get_tables").paginate(
                        DatabaseName=database["Name"]):
                    for table in tables.get("TableList") or []:
                        try:
                            described = catalog.describe(database["Name"], table)
                        except catalog.CatalogError:
                            continue  # views and tables without a location stay out
                        _tables.register_in_spark(self.spark_session, described, None)

    def _refresh_spark_table(self, database: str, table_name: str, catalog_id: str | None) -> None:
        if getattr(self, "_catalog_in_spark", False):
            _tables.register_in_spark(self.spark_session,
                                      catalog.get_table(database, table_name, catalog_id), catalog_id)

    # -- sources -----------------------------------------------------------------------
    def getSource(self, connection_type: str, format: str | None = None,  # noqa: N802, A002
                  transformation_ctx: str = "", push_down_predicate: str = "",
                  **options: Any) -> DataSource:
        if format and format.lower() in self.Spark_SQL_Formats:
            connection_type = format.lower()
        source = DataSource(self, connection_type, options, transformation_ctx)
        if format:
            source.setFormat(format)
        return source

    def create_dynamic_frame_from_rdd(self, data: Any, name: str, schema: Any = None,
                                      sample_ratio: Any = None, transformation_ctx: str = "") -> DynamicFrame:
        df = self.spark_session.createDataFrame(data, schema, sample_ratio)
        return DynamicFrame.fromDF(df, self, name)

    def create_dynamic_frame_from_options(self, connection_type: str, connection_options: dict | None = None,
                                          format: str | None = None, format_options: dict | None = None,  # noqa: A002
                                          transformation_ctx: str = "", push_down_predicate: str = "",
                                          **kwargs: Any) -> DynamicFrame:
        """Read s3/file ``paths`` in csv, json, parquet or orc (``recurse``, ``groupFiles`` accepted)."""
        df = self.create_data_frame_from_options(connection_type, connection_options or {}, format,
                                                 format_options or {}, transformation_ctx,
                                                 push_down_predicate)
        return DynamicFrame(df, self, transformation_ctx)

    def create_data_frame_from_options(self, connection_type: str, connection_options: dict | None = None,
                                       format: str | None = None, format_options: dict | None = None,  # noqa: A002
                                       transformation_ctx: str = "", push_down_predicate: str = "",
                                       **kwargs: Any) -> DataFrame:
        source = self.getSource(connection_type, format, transformation_ctx, **(connection_options or {}))
        source.setFormat(format or connection_type, **(format_options or {}))
        df = source.getDataFrame()
        return df.where(push_down_predicate) if push_down_predicate and df.columns else df

    def create_dynamic_frame_from_catalog(self, database: str | None = None, table_name: str | None = None,
                                          redshift_tmp_dir: str = "", transformation_ctx: str = "",
                                          push_down_predicate: str = "", additional_options: dict | None = None,
                                          catalog_id: str | None = None, **kwargs: Any) -> DynamicFrame:
        """Read the table's ``StorageDescriptor.Location`` in the format the catalog gives."""
        df = self.create_data_frame_from_catalog(database, table_name, redshift_tmp_dir,
                                                 transformation_ctx, push_down_predicate,
                                                 additional_options, catalog_id, **kwargs)
        return DynamicFrame(df, self, table_name or "")

    def create_data_frame_from_catalog(self, database: str | None = None, table_name: str | None = None,
                                       redshift_tmp_dir: str = "", transformation_ctx: str = "",
                                       push_down_predicate: str = "", additional_options: dict | None = None,
                                       catalog_id: str | None = None, **kwargs: Any) -> DataFrame:
        db = _db(database, kwargs)
        if table_name is None:
            raise Exception("Parameter table_name is missing.")
        table = catalog.get_table(db, table_name, catalog_id)
        extra = dict(additional_options or {})
        predicate = push_down_predicate or extra.pop("push_down_predicate", "")
        catalog_predicate = extra.pop("catalogPartitionPredicate", "")
        options = {**table.format_options, **extra}
        return _tables.read(self.spark_session, table, options, predicate, catalog_predicate,
                            transformation_ctx, catalog_id, _apply_catalog_columns)

    def get_catalog_schema_as_spark_schema(self, database: str | None = None, table_name: str | None = None,
                                           catalog_id: str | None = None) -> Any:
        from pyspark.sql.types import StructField, StructType

        table = catalog.get_table(database or "", table_name or "", catalog_id)
        return StructType([StructField(n, spark_type(t) or spark_type("string"), True)
                           for n, t in table.columns + table.partition_keys])

    # -- sinks -------------------------------------------------------------------------
    def getSink(self, connection_type: str, format: str | None = None,  # noqa: N802, A002
                transformation_ctx: str = "", **options: Any) -> DataSink:
        if format and format.lower() in self.Spark_SQL_Formats:
            connection_type = format.lower()
        sink = DataSink(self, connection_type, options, transformation_ctx)
        if format:
            sink.setFormat(format)
        return sink

    def write_dynamic_frame_from_options(self, frame: DynamicFrame, connection_type: str,
                                         connection_options: dict | None = None, format: str | None = None,  # noqa: A002
                                         format_options: dict | None = None,
                                         transformation_ctx: str = "") -> Any:
        """Append the frame under ``connection_options['path']`` (``partitionKeys``, ``compression``)."""
        return self.write_from_options(frame, connection_type, connection_options or {}, format,
                                       format_options or {}, transformation_ctx)

    def write_from_options(self, frame_or_dfc: Any, connection_type: str,
                           connection_options: dict | None = None, format: str | None = None,  # noqa: A002
                           format_options: dict | None = None, transformation_ctx: str = "",
                           **kwargs: Any) -> Any:
        if not isinstance(frame_or_dfc, (DynamicFrame, DynamicFrameCollection)):
            raise TypeError("frame_or_dfc must be DynamicFrame or DynamicFrameCollection. Got "
                            + str(type(frame_or_dfc)))
        sink = self.getSink(connection_type, format, transformation_ctx, **(connection_options or {}))
        sink.setFormat(format or ("parquet" if connection_type == "parquet" else "json"),
                       **(format_options or {}))
        return sink.write(frame_or_dfc)

    def write_dynamic_frame_from_catalog(self, frame: DynamicFrame, database: str | None = None,
                                         table_name: str | None = None, redshift_tmp_dir: str = "",
                                         transformation_ctx: str = "", additional_options: dict | None = None,
                                         catalog_id: str | None = None, **kwargs: Any) -> Any:
        """Append the frame to the table's location in the table's format."""
        db = _db(database, kwargs)
        if table_name is None:
            raise Exception("Parameter table_name is missing.")
        table = catalog.get_table(db, table_name, catalog_id)
        options = dict(additional_options or {})
        update = str(options.pop("enableUpdateCatalog", "false")).lower() == "true"
        behavior = options.pop("updateBehavior", "UPDATE_IN_DATABASE")
        keys = options.pop("partitionKeys", None) or [k for k, _ in table.partition_keys]
        fmt_options = {**table.format_options, **options}
        if table.format == "csv":
            fmt_options.setdefault("writeHeader", bool(table.format_options.get("withHeader")))
        sink = DataSink(self, "s3", {"path": table.location, "partitionKeys": keys}, transformation_ctx)
        sink.setFormat(table.format, **fmt_options)
        written = sink.write(frame)
        # Glue registers the partitions it wrote only when asked (enableUpdateCatalog)
        if update:
            _tables.update_catalog(frame.toDF(), db, table_name, table.location, table.format, keys,
                                   behavior, catalog_id, fmt_options)
            self._refresh_spark_table(db, table_name, catalog_id)
        return written

    def write_data_frame_from_catalog(self, frame: DataFrame, database: str | None = None,
                                      table_name: str | None = None, redshift_tmp_dir: str = "",
                                      transformation_ctx: str = "", additional_options: dict | None = None,
                                      catalog_id: str | None = None, **kwargs: Any) -> Any:
        """``write_dynamic_frame_from_catalog`` for a plain DataFrame."""
        self.write_dynamic_frame_from_catalog(DynamicFrame.fromDF(frame, self, table_name or ""),
                                              database, table_name, redshift_tmp_dir,
                                              transformation_ctx, additional_options, catalog_id,
                                              **kwargs)
        return frame

    def write_dynamic_frame_from_jdbc_conf(self, frame: DynamicFrame, catalog_connection: str,
                                           connection_options: dict | None = None,
                                           redshift_tmp_dir: str = "", transformation_ctx: str = "",
                                           catalog_id: str | None = None) -> Any:
        """Append the frame to ``dbtable`` of the database Glue connection ``catalog_connection``
        points at (``database`` in ``connection_options`` picks another database)."""
        return self.write_from_jdbc_conf(frame, catalog_connection, connection_options or {},
                                         redshift_tmp_dir, transformation_ctx, catalog_id)

    def write_from_jdbc_conf(self, frame_or_dfc: Any, catalog_connection: str,
                             connection_options: dict | None = None, redshift_tmp_dir: str = "",
                             transformation_ctx: str = "", catalog_id: str | None = None) -> Any:
        if not isinstance(frame_or_dfc, (DynamicFrame, DynamicFrameCollection)):
            raise TypeError("frame_or_dfc must be DynamicFrame or DynamicFrameCollection. Got "
                            + str(type(frame_or_dfc)))
        from kit.runtime import connections

        url = connections.glue_connection(catalog_connection, catalog_id).get("JDBC_CONNECTION_URL", "")
        sink = DataSink(self, connections.vendor_of(url) or "jdbc", dict(connection_options or {}),
                        transformation_ctx)
        sink.jdbc_connection, sink.catalog_id = catalog_connection, catalog_id
        return sink.write(frame_or_dfc)

    def extract_jdbc_conf(self, connection_name: str, catalog_id: str | None = None) -> dict:
        """``user``, ``password``, ``vendor``, ``url`` (and ``fullUrl``) of a Glue connection."""
        from kit.runtime import connections

        return connections.jdbc_conf(connection_name, catalog_id)

    # -- housekeeping ------------------------------------------------------------------
    def purge_s3_path(self, s3_path: str, options: dict | None = None, transformation_ctx: str = "") -> None:
        """Delete files under ``s3_path`` older than ``retentionPeriod`` hours (default 168)."""
        options = options or {}
        hours = float(options.get("retentionPeriod", 168))
        local = s3local.to_local(s3_path)
        cutoff = time.time() - hours * 3600
        purged: list[str] = []
        for path in s3local.data_files(local, recurse=True):
            if os.path.getmtime(path) <= cutoff:
                os.remove(path)
                purged.append(path)
        manifest = options.get("manifestFilePath")
        if manifest:
            from pathlib import Path

            from kit.fsutil import write_atomic

            buf = io.StringIO()
            csv.writer(buf).writerows([[p] for p in purged])
            target = os.path.join(s3local.to_local(manifest), transformation_ctx or "", "Success.csv")
            write_atomic(Path(target), buf.getvalue())

    def purge_table(self, database: str, table_name: str, options: dict | None = None,
                    transformation_ctx: str = "", catalog_id: str | None = None) -> None:
        table = catalog.get_table(database, table_name, catalog_id)
        self.purge_s3_path(table.location, options, transformation_ctx)

    def get_logger(self) -> GlueLogger:
        return self._glue_logger

    def currentTimeMillis(self) -> int:  # noqa: N802
        return int(time.time() * 1000)

    def forEachBatch(self, frame: DataFrame, batch_function: Any, options: dict | None = None) -> None:  # noqa: N802
        """Glue's streaming loop: ``batch_function(batch_df, batch_id)`` for each non-empty
        micro-batch of the streaming DataFrame ``frame`` every ``windowSize``, with progress in
        ``checkpointLocation``; a failing batch is retried up to ``batchMaxRetries`` (default 3).

        Locally the query also stops once the source has no new data (``availableNow``) unless
        ``options["awaitTermination"]`` is ``"true"``, so a job over a file source ends."""
        from pyspark import StorageLevel

        options = dict(options or {})
        if "windowSize" not in options:
            raise Exception("Missing windowSize argument")
        if "checkpointLocation" not in options:
            raise Exception("Missing checkpointLocation argument")
        retries = int(options.get("batchMaxRetries", 3))
        if retries < 0 or retries > 100:
            raise ValueError("Please specify the number of retries as an integer in the range of [0, 100].")
        persist = str(options.get("persistDataFrame", "true")).lower() != "false"
        level = getattr(StorageLevel, str(options.get("storageLevel", "MEMORY_AND_DISK")).upper())

        def run_batch(data_frame: DataFrame, batch_id: int) -> None:
            if not persist:
                if data_frame.take(1):
                    batch_function(data_frame, batch_id)
                return
            data_frame.persist(level)
            try:
                if data_frame.count() > 0:
                    batch_function(data_frame, batch_id)
            finally:
                data_frame.unpersist()

        checkpoint = s3local.to_local(str(options["checkpointLocation"]))
        forever = str(options.get("awaitTermination", "false")).lower() == "true"
        attempt = 0
        while True:
            writer = (frame.writeStream.foreachBatch(run_batch)
                      .option("checkpointLocation", checkpoint))
            writer = (writer.trigger(processingTime=str(options["windowSize"])) if forever
                      else writer.trigger(availableNow=True))
            try:
                writer.start().awaitTermination()
                return
            except Exception as exc:  # noqa: BLE001 - Glue retries any failing batch
                attempt += 1
                if attempt > retries:
                    self._glue_logger.error("Exceeded the maximum number of batch retries.")
                    raise exc
                self._glue_logger.warn(f"Retrying micro batch processing, attempt {attempt} "
                                       f"out of {retries}: {exc}")
                time.sleep(min(attempt, 5) / 10)


def _apply_catalog_columns(df: DataFrame, table: catalog.CatalogTable) -> DataFrame:
    """CSV columns named and typed by the catalog (Glue reads csv tables by catalog schema)."""
    from pyspark.sql import functions as F

    partition_names = {k.lower() for k, _ in table.partition_keys}
    data_cols = [c for c in df.columns if c.lower() not in partition_names]
    cols = []
    for i, c in enumerate(data_cols):
        if i < len(table.columns):
            name, glue_type = table.columns[i]
            dtype = spark_type(glue_type)
            value = F.col(f"`{c}`")
            cols.append((_compat.convert(value, dtype.simpleString()) if dtype else value).alias(name))
        else:
            cols.append(F.col(f"`{c}`"))
    cols += [F.col(f"`{c}`") for c in df.columns if c.lower() in partition_names]
    return df.select(*cols)
