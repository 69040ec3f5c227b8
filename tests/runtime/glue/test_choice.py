"""Choice types read from JSON with mixed-type fields, resolved as Glue documents."""

from __future__ import annotations

import json

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import ResolveOption  # noqa: E402
from pyspark.sql.types import DoubleType  # noqa: E402

RECORDS = [
    {"id": 1, "price": 10},
    {"id": 2, "price": "n/a"},
    {"id": 3, "price": 12.5},
    {"id": 4, "price": "7"},
    {"id": 5},
]


def kind(v):
    """Member type of a raw JSON value, as Glue's schema-on-read would see it."""
    if v is None:
        return None
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "double"
    try:
        int(v)
        return "int"
    except ValueError:
        return "string"


@pytest.fixture
def prices(glue_context, tmp_path):
    path = tmp_path / "prices.json"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS))
    return glue_context.create_dynamic_frame.from_options(
        "s3", {"paths": [str(path)]}, format="json")


def by_id(frame):
    return {r["id"]: r for r in (json.loads(x) for x in frame.toDF().toJSON().collect())}


def test_cast_converts_every_value_that_converts(prices):
    out = by_id(prices.resolveChoice(specs=[("price", "cast:double")]))
    expected = {}
    for r in RECORDS:
        try:
            expected[r["id"]] = float(r["price"])
        except (KeyError, ValueError):
            expected[r["id"]] = None
    assert {i: r.get("price") for i, r in out.items()} == expected


def test_project_keeps_only_values_of_that_type(prices):
    out = by_id(prices.resolveChoice(specs=[("price", "project:int")]))
    expected = {r["id"]: (int(r["price"]) if kind(r.get("price")) == "int" else None)
                for r in RECORDS}
    assert {i: r.get("price") for i, r in out.items()} == expected


def test_make_cols_splits_one_column_per_type(prices):
    frame = prices.resolveChoice(specs=[("price", "make_cols")])
    assert frame.toDF().columns == ["id", "price_int", "price_double", "price_string"]
    out = by_id(frame)
    for r in RECORDS:
        k = kind(r.get("price"))
        for t in ("int", "double", "string"):
            got = out[r["id"]].get(f"price_{t}")
            assert (got is not None) == (k == t), (r, t, got)
    assert out[2]["price_string"] == "n/a" and out[3]["price_double"] == 12.5


def test_make_struct_keeps_every_type_in_a_struct(prices):
    frame = prices.resolveChoice(specs=[("price", "make_struct")])
    assert [f.name for f in frame.schema()["price"].dataType.fields] == ["int", "double", "string"]
    out = by_id(frame)
    assert out[1]["price"] == {"int": 10}
    assert out[2]["price"] == {"string": "n/a"}


def test_choice_option_applies_to_every_choice_field(prices):
    frame = prices.resolveChoice(choice="make_cols")
    assert frame.toDF().columns == ["id", "price_int", "price_double", "price_string"]


def test_specs_and_choice_are_exclusive(prices):
    with pytest.raises(Exception, match="both"):
        prices.resolveChoice(specs=[("price", "cast:int")], choice="make_cols")
    with pytest.raises(Exception, match="both missing"):
        prices.resolveChoice()


def test_to_df_with_resolve_options(prices):
    df = prices.toDF([ResolveOption("price", "Project", DoubleType())])
    assert {r.id: r.price for r in df.collect()} == {
        r["id"]: (float(r["price"]) if kind(r.get("price")) == "double" else None)
        for r in RECORDS}


def test_nested_and_array_paths(glue_context, tmp_path):
    docs = [{"k": 1, "item": {"qty": 2}, "lines": [{"p": 1.5}, {"p": "x"}]},
            {"k": 2, "item": {"qty": "3"}, "lines": []}]
    path = tmp_path / "n.json"
    path.write_text("\n".join(json.dumps(d) for d in docs))
    frame = glue_context.create_dynamic_frame.from_options("file", {"paths": [str(path)]}, "json")
    out = frame.resolveChoice(specs=[("item.qty", "cast:int"), ("lines[].p", "cast:double")])
    got = {r.k: (r.item.qty, [line.p for line in r.lines]) for r in out.toDF().collect()}
    assert got == {1: (2, [1.5, None]), 2: (3, [])}


@pytest.mark.parametrize("name", ["unit price", "Unit.Price", "MixedCase"])
def test_choice_actions_on_names_glue_allows(glue_context, spark_session, name):
    from awsglue.dynamicframe import DynamicFrame

    df = spark_session.createDataFrame([(1, "3"), (2, "x"), (3, "4.5")], f"id int, `{name}` string")
    frame = DynamicFrame.fromDF(df, glue_context, "f")
    path = f"`{name}`" if "." in name else name
    cols = frame.resolveChoice(specs=[(path, "make_cols")]).toDF()
    assert cols.columns == ["id", f"{name}_int", f"{name}_double", f"{name}_string"]
    struct = frame.resolveChoice(specs=[(path, "make_struct")]).toDF()
    assert struct.columns == ["id", name]
    assert struct.schema[name].dataType.fieldNames() == ["int", "double", "string"]
    cast = frame.resolveChoice(specs=[(path, "cast:double")]).toDF()
    assert sorted((r[0], r[1]) for r in cast.collect()) == [(1, 3.0), (2, None), (3, 4.5)]
    projected = frame.resolveChoice(specs=[(path, "project:int")]).toDF()
    assert projected.columns == ["id", name]
    assert sorted((r[0], r[1]) for r in projected.collect()) == [(1, 3), (2, None), (3, None)]


def test_choice_on_a_nested_field_with_a_dotted_name(glue_context, spark_session):
    from awsglue.dynamicframe import DynamicFrame

    df = spark_session.createDataFrame([((1, "7"),), ((2, "n/a"),)],
                                       "outer struct<id: int, `a.b`: string>")
    frame = DynamicFrame.fromDF(df, glue_context, "f")
    out = frame.resolveChoice(specs=[("outer.`a.b`", "make_cols")]).toDF()
    assert out.schema["outer"].dataType.fieldNames() == ["id", "a.b_int", "a.b_string"]
