"""Map/Filter with Python functions on Arrow batches: self-describing outputs, never lost or
mistyped, error records kept (awsglue/_arrowmap.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue import _arrowmap  # noqa: E402
from awsglue.dynamicframe import DynamicFrame  # noqa: E402
from awsglue.transforms import Filter, Map, ResolveChoice  # noqa: E402

ORDERS = [
    (1, "7", "10", ("Oslo", 150), None),
    (2, "8", "x", ("Rome", 100), "gift"),
    (3, None, "30", None, None),
    (4, "9", "40", ("Lima", None), "rush"),
]
SCHEMA = "id int, qty string, price string, addr struct<city:string, zip:int>, note string"


@pytest.fixture
def orders(glue_context, spark_session):
    df = spark_session.createDataFrame(ORDERS, SCHEMA)
    return DynamicFrame.fromDF(df, glue_context, "orders")


def rows(frame) -> list[dict]:
    """Records as JSON objects (null fields left out, as Glue prints them), sorted by id."""
    df = frame.toDF() if isinstance(frame, DynamicFrame) else frame
    return sorted((json.loads(line) for line in df.toJSON().collect()), key=lambda r: r["id"])


def uses_arrow(frame) -> bool:
    return "MapInArrow" in frame.toDF()._jdf.queryExecution().optimizedPlan().toString()


def test_map_adds_removes_and_retypes_fields(orders):
    def priced(rec):
        rec["qty"] = int(rec["qty"]) if rec["qty"] is not None else None  # string -> long
        rec["total"] = (rec["qty"] or 0) * 2.5  # new double
        rec["tags"] = [rec["note"]] if rec["note"] else []  # new array<string>
        del rec["price"]
        return rec

    out = Map.apply(frame=orders, f=priced)
    assert uses_arrow(out)
    assert out.toDF().dtypes == [
        ("id", "int"), ("qty", "bigint"), ("addr", "struct<city:string,zip:int>"),
        ("note", "string"), ("total", "double"), ("tags", "array<string>"),
    ]
    got = {r["id"]: r for r in rows(out)}
    assert got[1]["qty"] == 7 and got[1]["total"] == 17.5 and got[1]["tags"] == []
    assert got[2]["tags"] == ["gift"] and "qty" not in got[3] and got[3]["total"] == 0.0
    assert all("price" not in r for r in got.values())
    assert out.errorsCount() == 0


def test_map_nested_structs_are_dicts_in_and_out(orders):
    def move(rec):
        if rec["addr"] is not None:
            rec["addr"]["city"] = rec["addr"]["city"].upper()
            rec["addr"]["geo"] = {"zip_known": rec["addr"]["zip"] is not None}
        rec["meta"] = {"id": rec["id"], "seen": [rec["id"], rec["id"] + 1]}
        return rec

    out = orders.map(move)
    types = dict(out.toDF().dtypes)
    assert types["addr"] == "struct<city:string,zip:int,geo:struct<zip_known:boolean>>"
    assert types["meta"] == "struct<id:bigint,seen:array<bigint>>"
    got = {r["id"]: r for r in rows(out)}
    assert got[1]["addr"] == {"city": "OSLO", "zip": 150, "geo": {"zip_known": True}}
    assert got[4]["addr"] == {"city": "LIMA", "geo": {"zip_known": False}}  # null zip: no key
    assert "addr" not in got[3]  # a null struct stays null
    assert got[2]["meta"] == {"id": 2, "seen": [2, 3]}


def test_map_record_attribute_access_and_null_only_fields(orders):
    def touch(rec):
        rec["city"] = rec.addr.city if rec.addr else None
        rec["nothing"] = None
        return rec

    out = orders.map(touch)
    types = dict(out.toDF().dtypes)
    assert types["city"] == "string" and types["nothing"] == "string"
    assert sorted((r["id"], r.get("city")) for r in rows(out)) == [
        (1, "Oslo"), (2, "Rome"), (3, None), (4, "Lima")]


def test_map_error_records_and_none_results(orders):
    def strict(rec):
        if rec["id"] == 4:
            return None
        rec["price"] = int(rec["price"])  # "x" raises ValueError
        return rec

    out = Map.apply(frame=orders, f=strict, transformation_ctx="strict")
    assert [r["id"] for r in rows(out)] == [1, 3]
    assert dict(out.toDF().dtypes)["price"] == "bigint"
    assert out.errorsCount() == 2 and out.stageErrorsCount() == 2
    errors = sorted(r.error.msg for r in out.errorsAsDynamicFrame().toDF().collect())
    assert errors == [_arrowmap.NO_RECORD, "ValueError: invalid literal for int() with base 10: 'x'"]


def test_map_runs_the_function_once_per_record(orders, spark_session):
    calls = spark_session.sparkContext.accumulator(0)

    def counted(rec):
        calls.add(1)
        rec["n"] = 1
        return rec

    out = orders.map(counted)
    assert out.count() == 4 and len(out.toDF().collect()) == 4
    assert calls.value == len(ORDERS)


def test_map_and_filter_on_empty_frames(glue_context, spark_session):
    empty = DynamicFrame.fromDF(spark_session.createDataFrame([], SCHEMA), glue_context, "e")
    mapped = empty.map(lambda r: {**r, "extra": 1})
    assert mapped.count() == 0 and mapped.toDF().schema == empty.toDF().schema
    assert mapped.errorsCount() == 0
    assert Filter.apply(frame=empty, f=lambda r: True).count() == 0


def test_map_all_records_failing_keeps_the_source_schema(orders):
    out = orders.map(lambda r: 1 / 0)
    assert out.count() == 0 and out.errorsCount() == len(ORDERS)
    assert out.toDF().columns == orders.toDF().columns


def spread(spark_session, glue_context, n: int = 400, parts: int = 4) -> DynamicFrame:
    """``n`` ids over ``parts`` partitions: each partition is its own Arrow batch."""
    df = spark_session.range(0, n, numPartitions=parts).selectExpr("CAST(id AS INT) AS id")
    return DynamicFrame.fromDF(df, glue_context, "spread")


def test_map_outputs_whose_type_changes_between_batches(glue_context, spark_session):
    frame = spread(spark_session, glue_context)

    def drift(rec):
        i = rec["id"]
        rec["v"] = i if i < 200 else f"s{i}"  # int in early batches, string later: a choice
        rec["w"] = i if i < 300 else i + 0.5  # int, then float: double
        rec["big"] = i if i < 100 else i * 2**40  # fits int, then needs long
        rec["id"] = i * 2**33 if i == 399 else i  # the int source field overflows: long
        rec["late"] = {"k": i} if i >= 350 else None  # absent, then a struct
        return rec

    out = frame.map(drift)
    assert dict(out.toDF().dtypes) == {"id": "bigint", "v": "string", "w": "double",
                                        "big": "bigint", "late": "struct<k:bigint>"}
    got = {r.id: r for r in out.toDF().collect()}
    assert len(got) == 400
    assert got[5].v == "5" and got[250].v == "s250"
    assert got[10].w == 10.0 and got[301].w == 301.5
    assert got[150].big == 150 * 2**40 and got[399 * 2**33].id == 399 * 2**33
    assert got[10].late is None and got[360].late.k == 360
    cols = ResolveChoice.apply(frame=out, choice="make_cols").toDF().columns
    assert "v_int" in cols and "v_string" in cols


def test_map_mixed_types_within_one_batch_are_a_choice(orders):
    out = orders.map(lambda r: {**r, "mixed": r["id"] if r["id"] % 2 else True})
    assert dict(out.toDF().dtypes)["mixed"] == "string"
    assert sorted((r["id"], r["mixed"]) for r in rows(out)) == [
        (1, "1"), (2, "true"), (3, "3"), (4, "true")]
    ints = ResolveChoice.apply(frame=out, specs=[("mixed", "project:int")])
    assert sorted((r["id"], r.get("mixed")) for r in rows(ints)) == [
        (1, 1), (2, None), (3, 3), (4, None)]


def test_map_falls_back_to_rows_for_map_columns(glue_context, spark_session):
    df = spark_session.createDataFrame([(1, {"a": 1})], "id int, m map<string,int>")
    frame = DynamicFrame.fromDF(df, glue_context, "maps")
    out = frame.map(lambda r: {**r, "a": r["m"]["a"]})
    assert not uses_arrow(out)
    assert [(r.id, r.a) for r in out.toDF().collect()] == [(1, 1)]


def test_map_timestamps_and_dates_round_trip(glue_context, spark_session):
    when = dt.datetime(2024, 3, 1, 12, 30, 15, 250)
    df = spark_session.createDataFrame([(1, when, dt.date(2024, 3, 1))],
                                       "id int, at timestamp, day date")
    frame = DynamicFrame.fromDF(df, glue_context, "times")

    def later(rec):
        assert rec["at"].tzinfo is None  # naive local time, as a Row holds it
        rec["next"] = rec["at"] + dt.timedelta(hours=1)
        rec["next_day"] = rec["day"] + dt.timedelta(days=1)
        return rec

    out = frame.map(later)
    assert uses_arrow(out)
    types = dict(out.toDF().dtypes)
    assert types["at"] == "timestamp" and types["next"] == "timestamp"
    assert types["next_day"] == "date"
    row = out.toDF().collect()[0]
    assert row.at == when and row.next == when + dt.timedelta(hours=1)
    assert row.next_day == dt.date(2024, 3, 2)


def test_filter_on_arrow_batches_with_nested_fields_and_nulls(orders):
    out = Filter.apply(frame=orders, f=lambda r: r["addr"]["city"].startswith(("O", "L")))
    assert uses_arrow(out)
    assert [r["id"] for r in rows(out)] == [1, 4]  # id 3 (null addr) raises TypeError: false
    assert out.toDF().schema == orders.toDF().schema
    assert out.errorsCount() == 0


def test_filter_error_records_across_batches(glue_context, spark_session):
    frame = spread(spark_session, glue_context)

    def picky(rec):
        if rec["id"] % 100 == 7:
            raise RuntimeError(f"bad {rec['id']}")
        return rec["id"] % 2 == 0

    out = frame.filter(picky, info="picky")
    assert out.count() == 200
    assert out.errorsCount() == 4
    msgs = sorted(r.error.msg for r in out.errorsAsDynamicFrame().toDF().collect())
    assert msgs == [f"RuntimeError: bad {i}" for i in (107, 207, 307, 7)]


def test_map_outputs_arrow_cannot_hold_take_the_row_path(glue_context, spark_session):
    frame = spread(spark_session, glue_context, n=40, parts=2)
    assert frame.getNumPartitions() == 2  # ids below 20 in one Arrow batch, the rest in another
    with pytest.raises(TypeError):  # a struct here, a number there: PySpark cannot merge them
        frame.map(lambda r: {**r, "v": {"a": 1} if r["id"] < 20 else 5})
