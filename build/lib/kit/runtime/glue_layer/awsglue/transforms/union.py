"""``Union``: all records of two frames (fields matched by name)."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class Union(GlueTransform):
    def __call__(self, frame1: Any, frame2: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame1.union(frame2, transformation_ctx, info, stageThreshold, totalThreshold)
