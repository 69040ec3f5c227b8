"""``Filter``: keep the records for which a Python predicate on the DynamicRecord is true."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class Filter(GlueTransform):
    def __call__(self, frame: Any, f: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.filter(f, transformation_ctx, info, stageThreshold, totalThreshold)
