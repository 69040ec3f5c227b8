"""Error records of Map/Filter functions: kept, counted through the chain, and thresholds."""

from __future__ import annotations

import json

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame, GlueThresholdError  # noqa: E402
from awsglue.transforms import ErrorsAsDynamicFrame, Filter, Map  # noqa: E402


@pytest.fixture
def numbers(glue_context, spark_session):
    df = spark_session.createDataFrame([(i, f"n{i}") for i in range(1, 7)], "id int, name string")
    return DynamicFrame.fromDF(df, glue_context, "numbers")


def bad_on_three(rec):
    if rec["id"] == 3:
        raise RuntimeError("three is bad")
    return rec


def test_map_error_records_are_kept_with_their_message(numbers):
    out = Map.apply(frame=numbers, f=bad_on_three, transformation_ctx="m1", info="step one")
    assert sorted(r.id for r in out.toDF().collect()) == [1, 2, 4, 5, 6]
    assert out.errorsCount() == 1 and out.stageErrorsCount() == 1
    errors = ErrorsAsDynamicFrame.apply(out).toDF().collect()
    assert len(errors) == 1
    assert errors[0].error.msg == "RuntimeError: three is bad"
    assert errors[0].error.info == "step one" and errors[0].error.transformation_ctx == "m1"
    assert json.loads(errors[0].record) == {"id": 3, "name": "n3"}


def test_errors_accumulate_along_the_chain(numbers):
    def odd_only(rec):
        if rec["id"] == 6:
            raise ZeroDivisionError("six")
        return rec["id"] % 2 == 1

    mapped = numbers.map(bad_on_three)
    filtered = Filter.apply(frame=mapped, f=odd_only)
    selected = filtered.select_fields(["id"])
    assert sorted(r.id for r in selected.toDF().collect()) == [1, 5]
    assert selected.errorsCount() == 2
    assert selected.stageErrorsCount() == 0
    assert filtered.stageErrorsCount() == 1
    messages = sorted(r.error.msg for r in selected.errorsAsDynamicFrame().toDF().collect())
    assert messages == ["RuntimeError: three is bad", "ZeroDivisionError: six"]


def test_filter_skip_errors_are_not_error_records(numbers):
    out = numbers.filter(lambda r: r["missing"] > 1)  # KeyError: false, as on Glue
    assert out.count() == 0
    assert out.errorsCount() == 0
    assert out.errorsAsDynamicFrame().count() == 0


def test_stage_threshold_stops_the_job(numbers):
    def fail_even(rec):
        if rec["id"] % 2 == 0:
            raise ValueError("even")
        return rec

    assert numbers.map(fail_even, stageThreshold=3).errorsCount() == 3  # at the limit: runs
    with pytest.raises(GlueThresholdError, match=r"\(3\) exceeds stageThreshold 2"):
        Map.apply(frame=numbers, f=fail_even, stageThreshold=2)


def test_total_threshold_counts_earlier_stages(numbers):
    first = numbers.map(bad_on_three)
    with pytest.raises(GlueThresholdError, match=r"Total number of errors \(2\) exceeds"):
        first.map(lambda r: r if r["id"] != 4 else None, totalThreshold=1)
