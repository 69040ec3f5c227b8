"""``UnnestFrame``: flatten nested structs into top-level ``parent.child`` fields."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class UnnestFrame(GlueTransform):
    def __call__(self, frame: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.unnest(transformation_ctx, info, stageThreshold, totalThreshold)
