"""Partitioned catalog tables, catalog-updating sinks and spark.sql over catalog tables, against
a real Glue API (moto server on 127.0.0.1) and files under the local S3 root."""

from __future__ import annotations

import pytest

from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame  # noqa: E402

pytestmark = pytest.mark.slow


def write_parquet(spark, rows, schema, folder):
    spark.createDataFrame(rows, schema).coalesce(1).write.mode("overwrite").parquet(str(folder))


@pytest.fixture
def sales_table(glue_api, spark_session, tmp_path):
    """Table sales.orders (parquet on s3://lake/orders/), partitioned by year int, month string;
    each partition in a folder of its own name (not key=value), as the catalog records it."""
    root = tmp_path / "s3" / "lake" / "orders"
    parts = {("2024", "03"): [(1, 10.0), (2, 20.0)], ("2024", "04"): [(3, 30.0)],
             ("2023", "03"): [(4, 40.0)]}
    glue_api.create_table(DatabaseName="sales", TableInput={
        "Name": "orders",
        "Parameters": {"classification": "parquet"},
        "PartitionKeys": [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "string"}],
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"},
                                          {"Name": "amount", "Type": "double"}],
                              "Location": "s3://lake/orders/"},
    })
    for (year, month), rows in parts.items():
        write_parquet(spark_session, rows, "id long, amount double", root / f"y{year}m{month}")
        glue_api.create_partition(DatabaseName="sales", TableName="orders", PartitionInput={
            "Values": [year, month],
            "StorageDescriptor": {"Location": f"s3://lake/orders/y{year}m{month}/"}})
    return root


def test_partitions_are_read_from_their_own_locations_typed_as_declared(glue_context, sales_table):
    df = glue_context.create_dynamic_frame.from_catalog(database="sales", table_name="orders").toDF()
    assert df.dtypes == [("id", "bigint"), ("amount", "double"), ("year", "int"),
                         ("month", "string")]
    assert sorted(tuple(r) for r in df.collect()) == [
        (1, 10.0, 2024, "03"), (2, 20.0, 2024, "03"), (3, 30.0, 2024, "04"), (4, 40.0, 2023, "03")]


def test_push_down_predicate_and_catalog_partition_predicate(glue_context, sales_table):
    march = glue_context.create_dynamic_frame.from_catalog(
        database="sales", table_name="orders", push_down_predicate="month = '03' and year > 2023")
    assert sorted(r.id for r in march.toDF().collect()) == [1, 2]
    by_catalog = glue_context.create_dynamic_frame.from_catalog(
        database="sales", table_name="orders",
        additional_options={"catalogPartitionPredicate": "year = 2023"})
    assert [(r.id, r.month) for r in by_catalog.toDF().collect()] == [(4, "03")]
    none = glue_context.create_data_frame.from_catalog(
        database="sales", table_name="orders", push_down_predicate="month = '12'")
    assert none.count() == 0
    assert none.columns == ["id", "amount", "year", "month"]


def test_get_sink_creates_the_table_and_registers_partitions(glue_api, glue_context,
                                                             spark_session, tmp_path):
    rows = [(1, "a", "03"), (2, "b", "04")]
    frame = DynamicFrame.fromDF(spark_session.createDataFrame(rows, "id int, name string, month string"),
                                glue_context, "f")
    sink = glue_context.getSink(connection_type="s3", path="s3://lake/out/",
                                enableUpdateCatalog=True, updateBehavior="UPDATE_IN_DATABASE",
                                partitionKeys=["month"])
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase="sales", catalogTableName="out")
    sink.writeFrame(frame)
    table = glue_api.get_table(DatabaseName="sales", Name="out")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://lake/out/"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"), ("name", "string")]
    assert table["PartitionKeys"] == [{"Name": "month", "Type": "string"}]
    assert table["Parameters"]["classification"] == "parquet"
    parts = glue_api.get_partitions(DatabaseName="sales", TableName="out")["Partitions"]
    assert sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in parts) == [
        (["03"], "s3://lake/out/month=03/"), (["04"], "s3://lake/out/month=04/")]
    assert (tmp_path / "s3" / "lake" / "out" / "month=03").is_dir()

    # a second write adds a column (UPDATE_IN_DATABASE) and a partition
    more = spark_session.createDataFrame([(3, "c", 1.5, "05")],
                                         "id int, name string, score double, month string")
    sink.writeFrame(DynamicFrame.fromDF(more, glue_context, "g"))
    table = glue_api.get_table(DatabaseName="sales", Name="out")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name", "score"]
    parts = glue_api.get_partitions(DatabaseName="sales", TableName="out")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["03", "04", "05"]
    back = glue_context.create_data_frame.from_catalog(database="sales", table_name="out")
    assert sorted((r.id, r.month) for r in back.collect()) == [(1, "03"), (2, "04"), (3, "05")]


def test_log_behavior_keeps_the_schema(glue_api, glue_context, spark_session):
    first = spark_session.createDataFrame([(1, "x")], "id int, k string")
    sink = glue_context.getSink(connection_type="s3", path="s3://lake/logged/",
                                enableUpdateCatalog=True, updateBehavior="LOG",
                                partitionKeys=["k"])
    sink.setFormat("json")
    sink.setCatalogInfo(catalogDatabase="sales", catalogTableName="logged")
    sink.writeFrame(DynamicFrame.fromDF(first, glue_context, "a"))
    second = spark_session.createDataFrame([(2, 9, "y")], "id int, extra int, k string")
    sink.writeFrame(DynamicFrame.fromDF(second, glue_context, "b"))
    table = glue_api.get_table(DatabaseName="sales", Name="logged")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id"]
    parts = glue_api.get_partitions(DatabaseName="sales", TableName="logged")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["x", "y"]


def test_write_from_catalog_registers_partitions_when_asked(glue_api, glue_context, spark_session,
                                                            sales_table):
    new = spark_session.createDataFrame([(9, 90.0, 2024, "05")],
                                        "id long, amount double, year int, month string")
    glue_context.write_dynamic_frame.from_catalog(
        frame=DynamicFrame.fromDF(new, glue_context, "n"), database="sales", table_name="orders",
        additional_options={"enableUpdateCatalog": True, "partitionKeys": ["year", "month"]})
    parts = glue_api.get_partitions(DatabaseName="sales", TableName="orders")["Partitions"]
    assert ["2024", "05"] in [p["Values"] for p in parts]
    may = glue_context.create_data_frame.from_catalog(database="sales", table_name="orders",
                                                      push_down_predicate="month = '05'")
    assert [(r.id, r.year, r.month) for r in may.collect()] == [(9, 2024, "05")]


def test_unseen_script_with_catalog_sql_and_choice(glue_api, sales_table, run_script, tmp_path):
    """A Glue script written for Glue, run unchanged: partitioned catalog table with
    push_down_predicate, resolveChoice make_cols on a field with a space, spark.sql over a
    catalog table (--enable-glue-datacatalog) and getSink with catalog updates."""
    scope = run_script('''
        import sys
        from awsglue.context import GlueContext
        from awsglue.dynamicframe import DynamicFrame
        from awsglue.job import Job
        from awsglue.utils import getResolvedOptions
        from pyspark.context import SparkContext

        args = getResolvedOptions(sys.argv, ["JOB_NAME"])
        sc = SparkContext.getOrCreate()
        glueContext = GlueContext(sc)
        spark = glueContext.spark_session
        job = Job(glueContext)
        job.init(args["JOB_NAME"], args)

        orders = glueContext.create_dynamic_frame.from_catalog(
            database="sales", table_name="orders", push_down_predicate="year = 2024",
            transformation_ctx="orders")
        totals = spark.sql(
            "SELECT month, sum(amount) AS total FROM sales.orders GROUP BY month ORDER BY month")
        sql_rows = [tuple(r) for r in totals.collect()]
        mixed = spark.createDataFrame([("1",), ("two",), ("3",)], "`unit price` string")
        cols = DynamicFrame.fromDF(mixed, glueContext, "m").resolveChoice(
            specs=[("unit price", "make_cols")])
        sink = glueContext.getSink(connection_type="s3", path="s3://lake/monthly/",
                                   enableUpdateCatalog=True, partitionKeys=["month"])
        sink.setFormat("glueparquet")
        sink.setCatalogInfo(catalogDatabase="sales", catalogTableName="monthly")
        sink.writeFrame(DynamicFrame.fromDF(totals, glueContext, "totals"))
        after = [tuple(r) for r in spark.sql(
            "SELECT month, total FROM sales.monthly ORDER BY month").collect()]
        job.commit()
    ''', "--JOB_NAME", "unseen", "--enable-glue-datacatalog", "true")
    assert sorted(r.id for r in scope["orders"].toDF().collect()) == [1, 2, 3]
    assert scope["sql_rows"] == [("03", 70.0), ("04", 30.0)]
    assert scope["cols"].toDF().columns == ["unit price_int", "unit price_string"]
    assert sorted((tuple(r) for r in scope["cols"].toDF().collect()), key=str) == [
        (1, None), (3, None), (None, "two")]
    assert scope["after"] == [("03", 70.0), ("04", 30.0)]
    parts = glue_api.get_partitions(DatabaseName="sales", TableName="monthly")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["03", "04"]
