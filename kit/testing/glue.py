"""pytest fixtures and assertions for Glue code: a ``glue_context`` on the shared SparkSession.

Importing this module (kit's pytest plugin does) puts the local ``awsglue`` layer on ``sys.path``
of the test process, so test code can ``from awsglue... import ...`` exactly as a Glue script does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

LAYER_DIR = Path(__file__).resolve().parents[1] / "runtime" / "glue_layer"


def add_layer_to_path() -> None:
    """Make ``import awsglue`` resolve to kit's local layer (idempotent).

    Where a real ``awsglue`` is importable (AWS's Glue image, a dev endpoint), it is left in
    charge: the layer never shadows the library it stands in for.
    """
    layer = str(LAYER_DIR)
    if layer in sys.path:
        return
    if other_awsglue() is not None:
        return
    sys.path.insert(0, layer)


def other_awsglue() -> str | None:
    """Where an ``awsglue`` that is not kit's layer would be imported from, if any."""
    import importlib.util

    loaded = sys.modules.get("awsglue")
    origin = getattr(loaded, "__file__", None) if loaded is not None else None
    if origin is None:
        try:
            spec = importlib.util.find_spec("awsglue")
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
    if origin is None or Path(origin).resolve().is_relative_to(LAYER_DIR):
        return None
    return origin


# Importing this module (kit's pytest plugin does) makes ``from awsglue...`` work in test modules.
add_layer_to_path()


@pytest.fixture(scope="session")
def glue_context(spark_session: Any) -> Any:
    """A GlueContext over the session-wide SparkSession."""
    add_layer_to_path()
    from awsglue.context import GlueContext

    return GlueContext(spark_session.sparkContext)


def _as_df(frame: Any) -> Any:
    from pyspark.sql import DataFrame

    return frame if isinstance(frame, DataFrame) else frame.toDF()


def assert_df_equality(actual: Any, expected: Any, ignore_row_order: bool = True,
                       ignore_column_order: bool = False, ignore_nullable: bool = True,
                       **kwargs: Any) -> None:
    """DataFrames (or DynamicFrames) equal in schema and rows; chispa explains any difference."""
    from chispa import assert_df_equality as chispa_equal

    chispa_equal(_as_df(actual), _as_df(expected), ignore_row_order=ignore_row_order,
                 ignore_column_order=ignore_column_order, ignore_nullable=ignore_nullable, **kwargs)


def assert_dynamicframe_equal(actual: Any, expected: Any, **kwargs: Any) -> None:
    """Two DynamicFrames (or a DynamicFrame and a DataFrame) hold the same records."""
    assert_df_equality(actual, expected, **kwargs)
