"""Field transforms: RenameField, DropFields, SelectFields, SplitFields, SplitRows, Join, Spigot."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class RenameField(GlueTransform):
    def __call__(self, frame: Any, old_name: str, new_name: str, transformation_ctx: str = "",
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.rename_field(old_name, new_name, transformation_ctx, info, stageThreshold,
                                  totalThreshold)


class DropFields(GlueTransform):
    def __call__(self, frame: Any, paths: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.drop_fields(paths, transformation_ctx, info, stageThreshold, totalThreshold)


class SelectFields(GlueTransform):
    def __call__(self, frame: Any, paths: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.select_fields(paths, transformation_ctx, info, stageThreshold, totalThreshold)


class SplitFields(GlueTransform):
    def __call__(self, frame: Any, paths: Any, name1: str | None = None, name2: str | None = None,
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,  # noqa: N803
                 totalThreshold: int = 0) -> Any:  # noqa: N803
        frame_name = frame.name if frame.name else "frame"
        name1 = frame_name + "1" if name1 is None else name1
        name2 = frame_name + "2" if name2 is None else name2
        return frame.split_fields(paths, name1, name2, transformation_ctx, info, stageThreshold,
                                  totalThreshold)


class SplitRows(GlueTransform):
    def __call__(self, frame: Any, comparison_dict: dict, name1: str = "frame1", name2: str = "frame2",
                 transformation_ctx: str = "", info: str | None = None, stageThreshold: int = 0,  # noqa: N803
                 totalThreshold: int = 0) -> Any:  # noqa: N803
        return frame.split_rows(comparison_dict, name1, name2, transformation_ctx, info or "",
                                stageThreshold, totalThreshold)


class Join(GlueTransform):
    def __call__(self, frame1: Any, frame2: Any, keys1: Any, keys2: Any,
                 transformation_ctx: str = "") -> Any:
        return frame1.join(keys1, keys2, frame2)


class Spigot(GlueTransform):
    def __call__(self, frame: Any, path: str, options: Any = None, transformation_ctx: str = "") -> Any:
        if isinstance(options, str):  # Glue's example passes e.g. 'top10'
            digits = "".join(ch for ch in options if ch.isdigit())
            options = {"topk": int(digits)} if digits else {}
        return frame.spigot(path, options or {}, transformation_ctx)
