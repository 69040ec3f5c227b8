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

    def setFormat(self, format: str, **options: Any) -> None:  # noqa: N802, A002
        self.format = format
        self.format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str,  # noqa: N802, N803
                       catalogId: str | None = None) -> None:  # noqa: N803
        """Glue also updates the catalog here; locally the table is only recorded."""
        self.catalog = (catalogDatabase, catalogTableName)

    def setAccumulableSize(self, size: int) -> None:  # noqa: N802
        return None

    def writeFrame(self, dynamic_frame: DynamicFrame, info: str = "") -> DynamicFrame:  # noqa: N802
        from awsglue import _io

        if self.connection_type not in {"s3", "file", "parquet", "orc"}:
            raise ValueError(
                f"connection_type {self.connection_type!r} is not supported locally; use s3 or file"
            )
        fmt = self.format or (self.connection_type if self.connection_type in {"parquet", "orc"}
                              else None)
        _io.write(dynamic_frame.toDF(), self.options, fmt, self.format_options)
        return dynamic_frame

    def write(self, dynamic_frame_or_dfc: Any, info: str = "") -> Any:
        if isinstance(dynamic_frame_or_dfc, DynamicFrameCollection):
            base = self.options.get("path", "").rstrip("/")
            for name, frame in dynamic_frame_or_dfc.items():
                sink = DataSink(self._glue_context, self.connection_type,
                                {**self.options, "path": f"{base}/{name}"}, self.transformation_ctx)
                sink.setFormat(self.format or "json", **self.format_options)
                sink.writeFrame(frame)
            return dynamic_frame_or_dfc
        return self.writeFrame(dynamic_frame_or_dfc, info)
