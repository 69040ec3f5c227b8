"""DynamicFrame methods and awsglue.transforms, each checked against plain-Python expectations."""

from __future__ import annotations

import json

import pytest

from kit.testing.glue import add_layer_to_path, assert_dynamicframe_equal

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection  # noqa: E402
from awsglue.transforms import (  # noqa: E402
    ApplyMapping,
    DropFields,
    DropNullFields,
    Filter,
    Join,
    Map,
    Relationalize,
    RenameField,
    ResolveChoice,
    SelectFields,
    SelectFromCollection,
    Spigot,
    SplitFields,
    SplitRows,
    Unbox,
    Union,
    UnnestFrame,
)

PEOPLE = [
    {"id": 1, "name": "ann", "age": 31, "addr": {"city": "Oslo", "zip": "0150"}},
    {"id": 2, "name": "bob", "age": 17, "addr": {"city": "Rome", "zip": "00100"}},
    {"id": 3, "name": "cy", "age": None, "addr": {"city": "Lima", "zip": "15001"}},
    {"id": 4, "name": "dee", "age": 45, "addr": {"city": "Oslo", "zip": "0151"}},
]
SCHEMA = "id int, name string, age int, addr struct<city:string, zip:string>"


@pytest.fixture
def people(glue_context, spark_session):
    rows = [(p["id"], p["name"], p["age"], (p["addr"]["city"], p["addr"]["zip"])) for p in PEOPLE]
    return DynamicFrame.fromDF(spark_session.createDataFrame(rows, SCHEMA), glue_context, "people")


def records(frame) -> list[dict]:
    """Rows as plain dicts (nested rows too), sorted for order-free comparison."""
    rows = [json.loads(line) for line in frame.toDF().toJSON().collect()]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def test_apply_mapping_renames_casts_nests_and_drops_unmapped(people):
    out = ApplyMapping.apply(frame=people, mappings=[
        ("id", "int", "person_id", "string"),
        ("addr.city", "string", "location.city", "string"),
        ("age", "int", "age", "double"),
        ("missing", "string", "nothing", "string"),
    ])
    expected = [
        {"person_id": str(p["id"]), "location": {"city": p["addr"]["city"]},
         **({"age": float(p["age"])} if p["age"] is not None else {})}
        for p in PEOPLE
    ]
    assert records(out) == sorted(expected, key=lambda r: json.dumps(r, sort_keys=True))
    assert out.toDF().columns == ["person_id", "location", "age"]
    assert dict(out.toDF().dtypes)["age"] == "double"


def test_apply_mapping_bad_cast_gives_null(glue_context, spark_session):
    df = spark_session.createDataFrame([("12",), ("x",)], "v string")
    out = DynamicFrame.fromDF(df, glue_context, "f").apply_mapping([("v", "string", "v", "int")])
    assert sorted(r.v for r in out.toDF().collect() if r.v is not None) == [12]
    assert out.count() == 2


def test_select_drop_and_rename_fields(people):
    selected = SelectFields.apply(frame=people, paths=["name", "addr.city"])
    assert records(selected) == sorted(
        [{"name": p["name"], "addr": {"city": p["addr"]["city"]}} for p in PEOPLE],
        key=lambda r: json.dumps(r, sort_keys=True),
    )
    dropped = DropFields.apply(frame=people, paths=["age", "addr.zip"])
    assert dropped.toDF().columns == ["id", "name", "addr"]
    assert [f.name for f in dropped.schema()["addr"].dataType.fields] == ["city"]
    renamed = RenameField.apply(frame=people, old_name="addr.city", new_name="addr.town")
    assert [f.name for f in renamed.schema()["addr"].dataType.fields] == ["town", "zip"]
    moved = people.rename_field("name", "full_name")
    assert moved.toDF().columns == ["id", "full_name", "age", "addr"]


def test_filter_gets_dict_like_records_and_skips_key_and_type_errors(people):
    adults = Filter.apply(frame=people, f=lambda r: r["age"] >= 18 and r["addr"]["city"] == "Oslo")
    expected = {p["id"] for p in PEOPLE
                if p["age"] is not None and p["age"] >= 18 and p["addr"]["city"] == "Oslo"}
    assert {r["id"] for r in records(adults)} == expected
    assert adults.schema() == people.schema()
    nothing = people.filter(lambda r: r["no_such_field"] == 1)
    assert nothing.count() == 0


def test_map_changes_records_and_recomputes_schema(people):
    def shout(rec):
        rec["name"] = rec["name"].upper()
        rec["city"] = rec["addr"]["city"]
        del rec["addr"]
        return rec

    out = Map.apply(frame=people, f=shout)
    expected = [{"id": p["id"], "name": p["name"].upper(), "city": p["addr"]["city"],
                 **({"age": p["age"]} if p["age"] is not None else {})} for p in PEOPLE]
    assert records(out) == sorted(expected, key=lambda r: json.dumps(r, sort_keys=True))
    assert out.toDF().columns == ["id", "name", "age", "city"]
    assert dict(out.toDF().dtypes)["id"] == "int"


def test_map_errors_drop_the_record_and_are_counted(people):
    out = people.map(lambda r: {**r, "inv": 100 // (r["id"] - 2)})
    assert sorted(r["id"] for r in records(out)) == [1, 3, 4]
    assert out.errorsCount() == 1


def test_split_fields_and_split_rows(people):
    parts = SplitFields.apply(frame=people, paths=["id", "name"], name1="keys", name2="rest")
    assert isinstance(parts, DynamicFrameCollection)
    assert sorted(parts.keys()) == ["keys", "rest"]
    assert parts["keys"].toDF().columns == ["id", "name"]
    assert parts["rest"].toDF().columns == ["age", "addr"]
    rows = SplitRows.apply(frame=people, comparison_dict={"age": {">": 20, "<": 40}},
                           name1="thirties", name2="others")
    expected = {p["id"] for p in PEOPLE if p["age"] is not None and 20 < p["age"] < 40}
    assert {r["id"] for r in records(rows["thirties"])} == expected
    assert {r["id"] for r in records(rows["others"])} == {p["id"] for p in PEOPLE} - expected
    picked = SelectFromCollection.apply(dfc=rows, key="thirties")
    assert picked.count() == len(expected)


def test_join_and_union(glue_context, spark_session, people):
    orders = DynamicFrame.fromDF(
        spark_session.createDataFrame([(10, 1, 9.5), (11, 1, 3.0), (12, 4, 7.25), (13, 9, 1.0)],
                                      "order_id int, person int, total double"),
        glue_context, "orders")
    joined = Join.apply(people, orders, "id", "person")
    expected = sorted((o, p["name"]) for o, pid in ((10, 1), (11, 1), (12, 4), (13, 9))
                      for p in PEOPLE if p["id"] == pid)
    assert sorted((r["order_id"], r["name"]) for r in records(joined)) == expected
    assert set(joined.toDF().columns) >= {"id", "person", "order_id", "name"}
    more = DynamicFrame.fromDF(spark_session.createDataFrame([(5, "eve")], "id int, name string"),
                               glue_context, "more")
    both = Union.apply(frame1=people.select_fields(["id", "name", "age"]), frame2=more)
    assert sorted(r["id"] for r in records(both)) == [1, 2, 3, 4, 5]
    assert [r for r in records(both) if r["id"] == 5] == [{"id": 5, "name": "eve"}]


def test_unnest_flattens_structs_with_dotted_names(people):
    flat = UnnestFrame.apply(frame=people)
    assert flat.toDF().columns == ["id", "name", "age", "addr.city", "addr.zip"]
    got = {r["id"]: r["addr.city"] for r in records(flat)}
    assert got == {p["id"]: p["addr"]["city"] for p in PEOPLE}


def test_drop_null_fields_drops_only_all_null_fields(glue_context, spark_session):
    df = spark_session.createDataFrame([(1, None, None), (2, "x", None)], "a int, b string, c string")
    out = DropNullFields.apply(frame=DynamicFrame.fromDF(df, glue_context, "n"))
    assert out.toDF().columns == ["a", "b"]


def test_relationalize_pivots_arrays_into_joinable_tables(glue_context, spark_session):
    data = [(1, ["x", "y"], [(5,), (6,)]), (2, [], None), (3, ["z"], [(7,)])]
    df = spark_session.createDataFrame(data, "id int, tags array<string>, items array<struct<n:int>>")
    frames = Relationalize.apply(frame=DynamicFrame.fromDF(df, glue_context, "r"),
                                 staging_path="", name="root")
    assert sorted(frames.keys()) == ["root", "root_items", "root_tags"]
    root = {r["id"]: r for r in records(frames["root"])}
    tags = records(frames["root_tags"])
    items = records(frames["root_items"])
    got_tags = {i: sorted((t["index"], t["tags.val"]) for t in tags if t["id"] == root[i]["tags"])
                for i in root}
    assert got_tags == {i: list(enumerate(t)) for i, t, _ in data}
    got_items = {i: [t["items.val.n"] for t in sorted(items, key=lambda t: t["index"])
                     if "items" in root[i] and t["id"] == root[i]["items"]] for i in root}
    assert got_items == {i: [n for (n,) in (its or [])] for i, _, its in data}


def test_resolve_choice_transform_and_to_df_options(glue_context, spark_session):
    df = spark_session.createDataFrame([("1",), ("two",), ("3",)], "v string")
    frame = DynamicFrame.fromDF(df, glue_context, "c")
    out = ResolveChoice.apply(frame=frame, specs=[("v", "project:int")])
    assert sorted((r["v"] if "v" in r else None) is None for r in records(out)) == [False, False, True]
    cols = ResolveChoice.apply(frame=frame, choice="make_cols")
    assert cols.toDF().columns == ["v_int", "v_string"]


def test_unbox_parses_json_strings(glue_context, spark_session):
    docs = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    df = spark_session.createDataFrame([(i, json.dumps(d)) for i, d in enumerate(docs)],
                                       "k int, payload string")
    out = Unbox.apply(frame=DynamicFrame.fromDF(df, glue_context, "u"), path="payload",
                      format="json")
    assert [r["payload"] for r in sorted(records(out), key=lambda r: r["k"])] == docs


def test_spigot_writes_a_sample_and_returns_the_frame(people, tmp_path):
    out = Spigot.apply(people, str(tmp_path / "spigot"), {"topk": 2})
    assert out.count() == len(PEOPLE)
    lines = [line for f in (tmp_path / "spigot").glob("*.json")
             for line in f.read_text().splitlines()]
    assert len(lines) == 2


def test_repartition_coalesce_and_assertions(people):
    assert people.repartition(3).getNumPartitions() == 3
    assert people.repartition(3).coalesce(1).getNumPartitions() == 1
    assert_dynamicframe_equal(people.repartition(3), people)


def test_show_prints_json_records(people, capsys):
    people.show(2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert {json.loads(line)["id"] for line in lines} <= {p["id"] for p in PEOPLE}


def test_merge_dynamic_frame_replaces_records_by_primary_key(glue_context, spark_session):
    source = [(1, "a"), (2, "b"), (3, "c")]
    staged = [(2, "B"), (4, "D")]
    src = DynamicFrame.fromDF(spark_session.createDataFrame(source, "id int, v string"),
                              glue_context, "s")
    stage = DynamicFrame.fromDF(spark_session.createDataFrame(staged, "id int, v string"),
                                glue_context, "t")
    merged = src.mergeDynamicFrame(stage, ["id"])
    expected = {**dict(source), **dict(staged)}
    assert {r["id"]: r["v"] for r in records(merged)} == expected


def test_collection_map_and_flatmap(people):
    from awsglue.transforms import FlatMap, MapToCollection

    parts = people.split_fields(["id"], "ids", "rest")
    counted = MapToCollection.apply(dfc=parts, callable=lambda f, ctx: f.repartition(1))
    assert sorted(counted.keys()) == ["ids", "rest"]
    flat = FlatMap.apply(dfc=parts, BaseTransform=SelectFields, frame_name="frame",
                         paths=["id"])
    assert flat["ids"].toDF().columns == ["id"]
    assert flat["rest"].toDF().columns == []


def test_backquoted_names_with_dots(glue_context, spark_session):
    df = spark_session.createDataFrame([(1, "x")], ["this.old.name", "other"])
    frame = DynamicFrame.fromDF(df, glue_context, "q")
    renamed = frame.rename_field("`this.old.name`", "thisNewName")
    assert renamed.toDF().columns == ["thisNewName", "other"]
    mapped = frame.apply_mapping([("`this.old.name`", "long", "n", "string")])
    assert [tuple(r) for r in mapped.toDF().collect()] == [("1",)]


def test_unbox_csv_with_schema(glue_context, spark_session):
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType

    schema = StructType([StructField("n", IntegerType()), StructField("s", StringType())])
    df = spark_session.createDataFrame([(1, "4|x"), (2, "5|y")], "k int, raw string")
    out = DynamicFrame.fromDF(df, glue_context, "c").unbox("raw", "csv", separator="|",
                                                           withSchema=schema.json())
    assert sorted((r.k, r.raw.n, r.raw.s) for r in out.toDF().collect()) == [(1, 4, "x"),
                                                                             (2, 5, "y")]


def test_map_builds_nested_records_like_the_glue_docs_example(glue_context, spark_session):
    rows = [("1 Main St", "Springfield", 100), ("2 Oak Ave", "Shelbyville", 200)]
    df = spark_session.createDataFrame(
        rows, ["Provider Street Address", "Provider City", "Total Discharges"])

    def merge_address(rec):
        rec["Address"] = {}
        rec["Address"]["Street"] = rec["Provider Street Address"]
        rec["Address"]["City"] = rec["Provider City"]
        del rec["Provider Street Address"]
        del rec["Provider City"]
        return rec

    out = Map.apply(frame=DynamicFrame.fromDF(df, glue_context, "medicare"), f=merge_address)
    assert out.toDF().columns == ["Total Discharges", "Address"]
    got = sorted((r["Total Discharges"], r["Address"]["Street"], r["Address"]["City"])
                 for r in records(out))
    assert got == sorted((t, s, c) for s, c, t in rows)


def test_print_schema(people, capsys):
    people.printSchema()
    out = capsys.readouterr().out
    assert out.startswith("root")
    assert " |-- id: integer" in out and " |    |-- city: string" in out


def test_flat_mappings_and_row_splits_on_awkward_names_and_values(glue_context, spark_session):
    rows = [(1, "o'neil", 2.5, ("a\\b",)), (2, "plain", 10.0, ("x",)), (3, None, None, None)]
    df = spark_session.createDataFrame(
        rows, "`the.id` int, name string, score double, inner struct<tag:string>")
    frame = DynamicFrame.fromDF(df, glue_context, "awk")
    mapped = frame.apply_mapping([("`the.id`", "int", "ID", "string"),
                                  ("inner.tag", "string", "tag", "string"),
                                  ("score", "double", "score", "int")])
    assert mapped.toDF().dtypes == [("ID", "string"), ("tag", "string"), ("score", "int")]
    assert sorted(records(mapped), key=lambda r: r["ID"]) == [
        {k: v for k, v in {"ID": str(i), "tag": t[0] if t else None,
                           "score": int(s) if s is not None else None}.items() if v is not None}
        for i, _, s, t in rows]
    for value, op in (("o'neil", "="), ("a\\b", "=")):
        field = "name" if value == "o'neil" else "inner.tag"
        parts = frame.split_rows({field: {op: value}}, "hit", "miss")
        hit = [i for i, n, _, t in rows if (n if field == "name" else (t or (None,))[0]) == value]
        assert sorted(r["the.id"] for r in records(parts["hit"])) == hit
        assert parts["miss"].count() == len(rows) - len(hit)
    parts = frame.split_rows({"score": {">": 2.4, "<=": 10.0}}, "in", "out")
    assert sorted(r["the.id"] for r in records(parts["in"])) == [
        i for i, _, s, _ in rows if s is not None and 2.4 < s <= 10.0]
    assert sorted(r["the.id"] for r in records(parts["out"])) == [3]
    picked = frame.select_fields(["NAME", "name", "score"])
    assert picked.toDF().columns == ["name", "score"]
