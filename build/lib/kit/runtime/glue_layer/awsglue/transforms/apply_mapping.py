"""``ApplyMapping``: select, rename and cast fields declaratively."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class ApplyMapping(GlueTransform):
    def __call__(self, frame: Any, mappings: Any, case_sensitive: bool = False,
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                 totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.apply_mapping(mappings, case_sensitive, transformation_ctx, info,
                                   stageThreshold, totalThreshold)

    @classmethod
    def describeTransform(cls) -> str:  # noqa: N802
        return "Apply a declarative mapping to this DynamicFrame."
