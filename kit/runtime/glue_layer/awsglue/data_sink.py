"""``DataSink`` (``GlueContext.getSink``): writes DynamicFrames to s3/file paths."""

from __future__ import annotations

from typing import Any

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection


class DataSink:
    """Writes frames to ``options['path']`` in the format set by ``setFormat`` (appending)."""

    def __init__(self, glue_context: Any, connection_type: str, options: dict[str, Any],
                 transformation_ctx: str = "") -> None:
        self._glue_context = glue_context
        self.connection_type = connection_type
        self.options = dict(options)
        self.transformation_ctx = transformation_ctx
        self.format: str | None = None
        self.format_options: dict[str, Any] = {}
        self.catalog: tuple[str, str] | None = None
        self.jdbc_connection: str | None = None  # from_jdbc_conf's catalog_connection
        self.catalog_id: str | None = None

    def setFormat(self, format: str, **options: Any) -> None:  # noqa: N802, A002
        self.format = format
        self.format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str,  # noqa: N802, N803
                       catalogId: str = "") -> None:  # noqa: N803
        """The table that ``enableUpdateCatalog`` creates or updates after each write."""
        self.catalog = (catalogDatabase, catalogTableName)
        self.catalog_id = catalogId or None

    def _is_jdbc(self) -> bool:
        from kit.runtime import connections

        return self.connection_type.lower() in connections.JDBC_TYPES or bool(self.jdbc_connection)

    def setAccumulableSize(self, size: int) -> None:  # noqa: N802
        return None

    def writeFrame(self, dynamic_frame: DynamicFrame, info: str = "") -> DynamicFrame:  # noqa: N802
        from awsglue import _io, _jdbc
        from kit.runtime import connections

        if self.connection_type.lower() in connections.JDBC_TYPES or self.jdbc_connection:
            target = connections.resolve(self.connection_type, self.options,
                                         self.jdbc_connection, self.catalog_id)
            _jdbc.write(dynamic_frame.toDF(), target, self.options)
            return dynamic_frame
        if self.connection_type not in {"s3", "file", "parquet", "orc"}:
            raise ValueError(
                f"connection_type {self.connection_type!r} is not supported locally; use s3, "
                "file, postgresql, mysql, redshift, sqlserver or oracle"
            )
        fmt = self.format or (self.connection_type if self.connection_type in {"parquet", "orc"}
                              else None)
        df = dynamic_frame.toDF()
        _io.write(df, self.options, fmt, self.format_options)
        if self.catalog is not None and _io.opt(self.options, "enableUpdateCatalog",
                                                 default=False) in (True, "true", "True"):
            from awsglue import _tables

            keys = list(self.options.get("partitionKeys") or [])
            behavior = _io.opt(self.options, "updateBehavior", default="UPDATE_IN_DATABASE")
            fmt_name = "parquet" if (fmt or "json").lower() == "glueparquet" else (fmt or "json").lower()
            _tables.update_catalog(df, self.catalog[0], self.catalog[1], self.options["path"],
                                   fmt_name, keys, behavior, self.catalog_id, self.format_options)
            self._glue_context._refresh_spark_table(self.catalog[0], self.catalog[1],
                                                    self.catalog_id)
        return dynamic_frame

    def writeDataFrame(self, data_frame: Any, glue_context: Any, info: str = "") -> Any:  # noqa: N802
        """Write a plain DataFrame as ``writeFrame`` writes a DynamicFrame."""
        self.writeFrame(DynamicFrame.fromDF(data_frame, glue_context, ""), info)
        return data_frame

    def write(self, dynamic_frame_or_dfc: Any, info: str = "") -> Any:
        if isinstance(dynamic_frame_or_dfc, DynamicFrameCollection) and self._is_jdbc():
            for name, frame in dynamic_frame_or_dfc.items():  # useFrameName: table per frame
                sink = DataSink(self._glue_context, self.connection_type,
                                {**self.options, "dbtable": name}, self.transformation_ctx)
                sink.jdbc_connection, sink.catalog_id = self.jdbc_connection, self.catalog_id
                sink.writeFrame(frame)
            return dynamic_frame_or_dfc
        if isinstance(dynamic_frame_or_dfc, DynamicFrameCollection):
            base = self.options.get("path", "").rstrip("/")
            for name, frame in dynamic_frame_or_dfc.items():
                sink = DataSink(self._glue_context, self.connection_type,
                                {**self.options, "path": f"{base}/{name}"}, self.transformation_ctx)
                sink.setFormat(self.format or "json", **self.format_options)
                sink.writeFrame(frame)
            return dynamic_frame_or_dfc
        return self.writeFrame(dynamic_frame_or_dfc, info)
