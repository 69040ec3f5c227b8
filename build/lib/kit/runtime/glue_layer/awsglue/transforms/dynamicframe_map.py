"""``Map``: a Python function from DynamicRecord to DynamicRecord over every record."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class Map(GlueTransform):
    def __call__(self, frame: Any, f: Any, preservesPartitioning: bool = False,  # noqa: N803
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                 totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.map(f, preservesPartitioning, transformation_ctx, info, stageThreshold,
                         totalThreshold)
