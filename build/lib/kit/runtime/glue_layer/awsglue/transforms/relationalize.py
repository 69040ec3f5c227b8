"""``Relationalize``: flatten structs and pivot arrays into child tables joined by an id."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType

from awsglue import _paths
from awsglue.transforms.transform import GlueTransform

_ID = "__kit_rel_id"


def relationalize_frames(df: DataFrame, root: str) -> dict[str, DataFrame]:
    """``{root: flattened root, root_<array path>: pivoted array, ...}``.

    The root keeps, in each array's column, the key that the child's ``id`` column joins to;
    children have ``id``, ``index`` (position in the array) and ``<path>.val`` value columns.
    """
    out: dict[str, DataFrame] = {}
    _pivot(df, root, root, out)
    return out


def _pivot(df: DataFrame, name: str, root: str, out: dict[str, DataFrame]) -> None:
    leaves = _paths.flatten(df.schema)
    flat = [col.alias(n) for n, col, _ in leaves]
    arrays = [n for n, _, t in leaves if isinstance(t, ArrayType)]
    if not arrays:
        out[name] = df.select(*flat)
        return
    # Materialise once so the generated keys are the same in the parent and its children.
    keyed = df.select(*flat, F.monotonically_increasing_id().alias(_ID)).localCheckpoint(eager=True)
    parent_cols = [
        F.when(_paths.top(n).isNotNull(), F.col(_ID)).alias(n) if n in arrays else _paths.top(n)
        for n, _, _ in leaves
    ]
    out[name] = keyed.select(*parent_cols)
    for array in arrays:
        child = keyed.select(
            F.col(_ID).alias("id"), F.posexplode(_paths.top(array)).alias("index", "val")
        ).select("id", "index", F.col("val").alias(f"{array}.val"))
        _pivot(child, f"{root}_{array}", root, out)


class Relationalize(GlueTransform):
    def __call__(self, frame: Any, staging_path: str | None = None, name: str = "roottable",
                 options: dict | None = None, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:  # noqa: N803
        if staging_path is None:  # Glue falls back to --TempDir, and fails without it
            from awsglue.utils import _global_args

            staging_path = _global_args.get("TempDir")
            if not staging_path:
                raise RuntimeError("Unable to set staging_path using args " + str(_global_args))
        return frame.relationalize(name, staging_path, options or {}, transformation_ctx,
                                   info, stageThreshold, totalThreshold)
