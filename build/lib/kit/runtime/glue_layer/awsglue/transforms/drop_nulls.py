"""``DropNullFields``: drop fields that are null in every record."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class DropNullFields(GlueTransform):
    def __call__(self, frame: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.drop_null_fields(transformation_ctx, info, stageThreshold, totalThreshold)
