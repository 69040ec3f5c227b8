"""What differs between the Glue versions the layer runs on (5.0, 5.1: Spark 3.5; 6.0: Spark 4.1).

The layer's modules import Spark classes from here when PySpark 4 moved them (the classic,
JVM-backed implementations went to ``pyspark.core`` and ``pyspark.sql.classic``), and ask here
for behaviour that AWS documents per Glue version. The version is ``KIT_GLUE_VERSION`` (set by
kit for every child it starts), else inferred from the running PySpark.
"""

from __future__ import annotations

import os

import pyspark

SPARK_MAJOR = int(pyspark.__version__.split(".")[0])
_BY_SPARK = {"3.5.4": "5.0", "3.5.6": "5.1"}

if SPARK_MAJOR >= 4:  # PySpark 4: classic (JVM) classes live apart from the Spark Connect ones
    from pyspark.core.context import SparkContext  # noqa: F401
    from pyspark.core.rdd import RDD  # noqa: F401
    from pyspark.sql.classic.column import Column  # noqa: F401
    from pyspark.sql.classic.dataframe import DataFrame  # noqa: F401
else:
    from pyspark.context import SparkContext  # noqa: F401
    from pyspark.rdd import RDD  # noqa: F401
    from pyspark.sql.column import Column  # noqa: F401
    from pyspark.sql.dataframe import DataFrame  # noqa: F401


def glue_version() -> str:
    """The Glue version this process stands in for ("5.0", "5.1" or "6.0")."""
    named = os.environ.get("KIT_GLUE_VERSION")
    if named:
        return named
    if SPARK_MAJOR >= 4:
        return "6.0"
    return _BY_SPARK.get(pyspark.__version__, "5.0")


def convert(col: Column, type_string: str) -> Column:
    """A DynamicFrame type conversion (ApplyMapping, ``cast:``, catalog types): null where a
    value does not convert, as Glue's own record-level conversion gives on every version.

    Spark 4 (Glue 6.0) turns ANSI SQL mode on by default, where ``CAST`` raises on a malformed
    value; ``try_cast`` keeps the null. Spark 3.5 (Glue 5.x) keeps ``CAST`` (ANSI off by
    default), so 5.x behaviour is unchanged. Plain ``spark.sql`` in a job keeps Spark's default.
    """
    if SPARK_MAJOR >= 4:
        return col.try_cast(type_string)
    return col.cast(type_string)


def convert_sql(expr: str, type_string: str) -> str:
    """:func:`convert` as a SQL expression (for ``selectExpr`` projections)."""
    return f"{'TRY_CAST' if SPARK_MAJOR >= 4 else 'CAST'}({expr} AS {type_string})"


def _at_least(version: str) -> bool:
    return tuple(int(p) for p in glue_version().split(".")) >= tuple(
        int(p) for p in version.split(".")
    )


def allow_abbrev(requested: bool | None) -> bool:
    """Whether ``getResolvedOptions`` accepts abbreviated argument names (``--out`` for
    ``--output_path``): always before Glue 6.0 (argparse's default), and from 6.0 only when the
    job passes ``allow_abbrev=True``, which earlier versions do not accept.
    """
    if not _at_least("6.0"):
        if requested is not None:
            raise TypeError(
                "getResolvedOptions() got an unexpected keyword argument 'allow_abbrev' "
                f"(it is new in Glue 6.0; this is Glue {glue_version()})"
            )
        return True
    return bool(requested)
