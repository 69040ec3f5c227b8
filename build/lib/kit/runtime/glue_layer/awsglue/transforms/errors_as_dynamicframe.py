"""``ErrorsAsDynamicFrame``: the error records of a frame (always empty locally)."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class ErrorsAsDynamicFrame(GlueTransform):
    def __call__(self, frame: Any) -> Any:
        return frame.errorsAsDynamicFrame()
