"""``glue_context.write_data_frame``: catalog writes of plain DataFrames."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame


class DataFrameWriter:
    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_catalog(self, frame: DataFrame, database: str | None = None,
                     table_name: str | None = None, redshift_tmp_dir: str = "",
                     transformation_ctx: str = "", additional_options: dict | None = None,
                     catalog_id: str | None = None, **kwargs: Any) -> Any:
        return self._glue_context.write_data_frame_from_catalog(
            frame, database, table_name, redshift_tmp_dir, transformation_ctx,
            additional_options or {}, catalog_id, **kwargs,
        )
