"""--compare's comparison: schemas, row counts and per-column first differences."""

from __future__ import annotations

import math
from pathlib import Path

from kit.runtime import compare


def test_schema_diff_names_each_difference() -> None:
    left = [("id", "int"), ("name", "string"), ("gone", "double")]
    right = [("id", "bigint"), ("name", "string"), ("new", "date")]
    assert compare.schema_diff(left, right) == [
        "column id is int on the left, bigint on the right",
        "column gone (double) only on the left",
        "column new (date) only on the right",
    ]
    assert compare.schema_diff(left, left) == []
    assert compare.schema_diff([("a", "int"), ("b", "int")], [("b", "int"), ("a", "int")]) == [
        "column order differs: a, b vs b, a"
    ]


def test_column_diffs_ignore_row_order_and_show_the_first_rows() -> None:
    left = [(2, "b", 1.5), (1, "a", None), (3, "c", math.nan)]
    assert compare.column_diffs(["id", "s", "x"], left, list(reversed(left))) == []
    right = [(1, "a", None), (2, "B", 1.5), (3, "C", math.nan)]
    diffs = compare.column_diffs(["id", "s", "x"], left, right, first=1)
    assert [(d.column, d.count, d.rows) for d in diffs] == [("s", 2, [(1, "b", "B")])]


def test_read_and_compare_real_outputs(spark_session, tmp_path: Path) -> None:
    df = spark_session.createDataFrame([(1, "a"), (2, "b"), (3, "c")], "id int, s string")
    df.write.parquet(str(tmp_path / "left"))
    df.coalesce(1).write.parquet(str(tmp_path / "same"))
    changed = spark_session.createDataFrame([(1, "a"), (2, "x")], "id long, s string")
    changed.write.parquet(str(tmp_path / "right"))

    same = compare.read_and_compare("output_path", tmp_path / "left", tmp_path / "same")
    assert same.same and (same.left_rows, same.right_rows) == (3, 3)

    diff = compare.read_and_compare("output_path", tmp_path / "left", tmp_path / "right")
    assert not diff.same and (diff.left_rows, diff.right_rows) == (3, 2)
    report = compare.CompareReport("job", "5.0", "6.0", [diff])
    assert not report.same
    assert report.lines() == [
        "output_path: DIFFERENT (rows: 3 on Glue 5.0, 2 on Glue 6.0)",
        "  schema: column id is int on the left, bigint on the right",
        "  column s: 1 row(s) differ; first:",
        "    row 1: 'b' (Glue 5.0) != 'x' (Glue 6.0)",
        "Glue 5.0 and Glue 6.0 differ on job",
    ]
