"""from_catalog through a real Glue API endpoint: moto in server mode on 127.0.0.1."""

from __future__ import annotations

import csv
import json

import pytest

from kit.errors import CatalogError
from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame  # noqa: E402

PEOPLE = [(1, "ann", 31), (2, "bob", 17), (3, "cy", 52)]


def create_table(client, name, location, columns, *, params=None, serde=None, serde_params=None,
                 input_format=None, partition_keys=()):
    client.create_table(DatabaseName="sales", TableInput={
        "Name": name,
        "Parameters": params or {},
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in partition_keys],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "Location": location,
            **({"InputFormat": input_format} if input_format else {}),
            **({"SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params or {}}}
               if serde else {}),
        },
    })


def test_csv_table_by_serde_uses_catalog_names_types_and_header(glue_api, glue_context, tmp_path):
    folder = tmp_path / "s3" / "lake" / "people"
    folder.mkdir(parents=True)
    with open(folder / "p.tsv", "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["h1", "h2", "h3"])
        w.writerows(PEOPLE)
    create_table(glue_api, "people", "s3://lake/people/",
                 [("person_id", "bigint"), ("name", "string"), ("age", "double")],
                 params={"skip.header.line.count": "1"},
                 serde="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                 serde_params={"field.delim": "\t"})
    dyf = glue_context.create_dynamic_frame.from_catalog(database="sales", table_name="people",
                                                         transformation_ctx="people_src")
    df = dyf.toDF()
    assert df.dtypes == [("person_id", "bigint"), ("name", "string"), ("age", "double")]
    assert sorted(tuple(r) for r in df.collect()) == [(i, n, float(a)) for i, n, a in PEOPLE]


def test_partitioned_json_table_reads_registered_partitions_with_pushdown(glue_api, glue_context,
                                                                         tmp_path):
    for year, ids in (("2023", [1, 2]), ("2024", [3]), ("2025", [4])):
        part = tmp_path / "lake" / "events" / f"year={year}"
        part.mkdir(parents=True)
        (part / "e.json").write_text("\n".join(json.dumps({"id": i}) for i in ids))
    create_table(glue_api, "events", f"file://{tmp_path}/lake/events", [("id", "int")],
                 params={"classification": "json"}, partition_keys=[("year", "string")])
    for year in ("2023", "2024"):  # 2025 is on disk but not registered: Glue does not read it
        glue_api.create_partition(DatabaseName="sales", TableName="events", PartitionInput={
            "Values": [year],
            "StorageDescriptor": {"Location": f"file://{tmp_path}/lake/events/year={year}/"}})
    df = glue_context.create_data_frame.from_catalog(database="sales", table_name="events")
    assert sorted((r.id, r.year) for r in df.collect()) == [(1, "2023"), (2, "2023"),
                                                             (3, "2024")]
    only = glue_context.create_dynamic_frame.from_catalog(
        database="sales", table_name="events", push_down_predicate="year = '2024'")
    assert [r.id for r in only.toDF().collect()] == [3]


def test_parquet_table_by_input_format_and_write_from_catalog(glue_api, glue_context,
                                                              spark_session, tmp_path):
    location = tmp_path / "lake" / "scores"
    create_table(glue_api, "scores", str(location), [("id", "int"), ("score", "double")],
                 input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                 serde="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
    frame = DynamicFrame.fromDF(
        spark_session.createDataFrame([(1, 0.5), (2, 0.75)], "id int, score double"),
        glue_context, "scores")
    glue_context.write_dynamic_frame.from_catalog(frame=frame, database="sales",
                                                  table_name="scores")
    assert list(location.glob("*.parquet"))
    back = glue_context.create_dynamic_frame.from_catalog(database="sales", table_name="scores")
    assert sorted(tuple(r) for r in back.toDF().collect()) == [(1, 0.5), (2, 0.75)]


def test_resolve_choice_match_catalog(glue_api, glue_context, spark_session, tmp_path):
    create_table(glue_api, "typed", str(tmp_path), [("n", "bigint")],
                 params={"classification": "parquet"})
    frame = DynamicFrame.fromDF(spark_session.createDataFrame([("7",), ("x",)], "n string"),
                                glue_context, "t")
    out = frame.resolveChoice(choice="match_catalog", database="sales", table_name="typed")
    assert out.toDF().dtypes == [("n", "bigint")]
    assert sorted(r.n for r in out.toDF().collect() if r.n is not None) == [7]


def test_missing_table_is_a_one_line_catalog_error(glue_api, glue_context):
    with pytest.raises(CatalogError, match=r"sales\.nope: EntityNotFoundException"):
        glue_context.create_dynamic_frame.from_catalog(database="sales", table_name="nope")
