"""Transforms over a DynamicFrameCollection: SelectFromCollection, MapToCollection, FlatMap."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class SelectFromCollection(GlueTransform):
    def __call__(self, dfc: Any, key: str, transformation_ctx: str = "") -> Any:
        return dfc.select(key, transformation_ctx)


class MapToCollection(GlueTransform):
    def __call__(self, dfc: Any, callable: Any, transformation_ctx: str = "") -> Any:  # noqa: A002
        return dfc.map(callable, transformation_ctx)


class FlatMap(GlueTransform):
    def __call__(self, dfc: Any, BaseTransform: Any, frame_name: str = "",  # noqa: N803
                 transformation_ctx: str = "", **base_kwargs: Any) -> Any:
        def apply(frame: Any, ctx: str) -> Any:
            return BaseTransform.apply(**{frame_name or "frame": frame}, transformation_ctx=ctx,
                                       **base_kwargs)

        return dfc.flatmap(apply, transformation_ctx)
