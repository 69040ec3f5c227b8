"""``glue_context.create_data_frame``: the same sources as DynamicFrames, returned as DataFrames."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame


class DataFrameReader:
    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_catalog(self, database: str | None = None, table_name: str | None = None,
                     redshift_tmp_dir: str = "", transformation_ctx: str = "",
                     push_down_predicate: str = "", additional_options: dict | None = None,
                     catalog_id: str | None = None, **kwargs: Any) -> DataFrame:
        return self._glue_context.create_data_frame_from_catalog(
            database, table_name, redshift_tmp_dir, transformation_ctx, push_down_predicate,
            additional_options or {}, catalog_id, **kwargs,
        )

    def from_options(self, connection_type: str, connection_options: dict | None = None,
                     format: str | None = None, format_options: dict | None = None,  # noqa: A002
                     transformation_ctx: str = "", push_down_predicate: str = "",
                     **kwargs: Any) -> DataFrame:
        return self._glue_context.create_data_frame_from_options(
            connection_type, connection_options or {}, format, format_options or {},
            transformation_ctx, push_down_predicate, **kwargs,
        )
