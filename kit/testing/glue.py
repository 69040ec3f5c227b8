"""pytest helpers for Glue code: the ``glue_context`` fixture and DataFrame/DynamicFrame asserts.

Importing this module puts the local ``awsglue`` layer on ``sys.path`` (as kit's pytest plugin
does at ``pytest_configure``), so code can ``from awsglue... import ...`` as a Glue script does.
"""

from __future__ import annotations

from typing import Any

from kit.runtime.environment import LAYER_DIR, add_layer_to_sys_path, other_awsglue
from kit.testing.plugin import glue_context

__all__ = ["LAYER_DIR", "add_layer_to_path", "assert_df_equality", "assert_dynamicframe_equal",
           "glue_context", "other_awsglue"]


def add_layer_to_path() -> None:
    """Make ``import awsglue`` resolve to kit's local layer, never shadowing a real one."""
    add_layer_to_sys_path()


# Importing this helper module (not kit's pytest plugin) makes ``from awsglue...`` work.
add_layer_to_path()


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
