"""``ResolveChoice``: settle fields whose records disagree on type (see docs/runtime.md)."""

from __future__ import annotations

from typing import Any

from awsglue.transforms.transform import GlueTransform


class ResolveChoice(GlueTransform):
    def __call__(self, frame: Any, specs: Any = None, choice: str = "", database: str | None = None,
                 table_name: str | None = None, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0,  # noqa: N803
                 catalog_id: str | None = None) -> Any:
        return frame.resolveChoice(specs, choice, database, table_name, transformation_ctx, info,
                                   stageThreshold, totalThreshold, catalog_id)
