"""``Unbox``: parse a string field holding JSON (or CSV) into a struct."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class Unbox(GlueTransform):
    def __call__(self, frame: Any, path: str, format: str, transformation_ctx: str = "",  # noqa: A002
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0,  # noqa: N803
                 **options: Any) -> Any:
        return frame.unbox(path, format, transformation_ctx, info, stageThreshold, totalThreshold,
                           **options)
