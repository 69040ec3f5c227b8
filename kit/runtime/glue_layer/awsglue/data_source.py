"""``DataSource`` (``GlueContext.getSource``): a configured reader that yields DynamicFrames."""

from __future__ import annotations

from typing import Any

from awsglue.dynamicframe import DynamicFrame


class DataSource:
    """Reads ``connection_type`` with ``options`` (``paths`` ...) in the format set by ``setFormat``."""

    def __init__(self, glue_context: Any, connection_type: str, options: dict[str, Any],
                 transformation_ctx: str = "", name: str = "") -> None:
        self._glue_context = glue_context
        self.connection_type = connection_type
        self.options = dict(options)
        self.transformation_ctx = transformation_ctx
        self.name = name
        self.format: str | None = None
        self.format_options: dict[str, Any] = {}

    def setFormat(self, format: str, **options: Any) -> None:  # noqa: N802, A002
        self.format = format
        self.format_options = options

    def getFrame(self, **kwargs: Any) -> DynamicFrame:  # noqa: N802
        df = self.getDataFrame()
        return DynamicFrame(df, self._glue_context, self.name)

    def getDataFrame(self, **kwargs: Any) -> Any:  # noqa: N802
        from awsglue import _io, _jdbc
        from kit.runtime import connections

        if self.connection_type.lower() in connections.JDBC_TYPES:
            target = connections.resolve(self.connection_type, self.options)
            return _jdbc.read(self._glue_context.spark_session, target, self.options)
        if self.connection_type not in {"s3", "file", "parquet", "orc"}:
            raise ValueError(
                f"connection_type {self.connection_type!r} is not supported locally; use s3, "
                "file, postgresql, mysql, redshift, sqlserver or oracle"
            )
        fmt = self.format or (self.connection_type if self.connection_type in {"parquet", "orc"}
                              else None)
        return _io.read(self._glue_context.spark_session, self.options, fmt, self.format_options,
                        self.transformation_ctx)
