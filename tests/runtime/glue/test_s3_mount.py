"""Plain Spark I/O on s3:// paths (no DynamicFrame) and Glue Studio's own idioms, run unchanged."""

from __future__ import annotations

import json
from collections import Counter

from kit.runtime import s3mount

SALES = [{"sale_id": i, "region": ["eu", "us", "ap"][i % 3], "amount": i * 2.5} for i in range(12)]

STUDIO_SCRIPT = """
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue import DynamicFrame


def sparkSqlQuery(glueContext, query, mapping, transformation_ctx) -> DynamicFrame:
    for alias, frame in mapping.items():
        frame.toDF().createOrReplaceTempView(alias)
    result = spark.sql(query)
    return DynamicFrame.fromDF(result, glueContext, transformation_ctx)


args = getResolvedOptions(sys.argv, ["JOB_NAME"])
sc = SparkContext.getOrCreate()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

raw = spark.read.json("s3://studio-raw/sales/")
Source_node1 = DynamicFrame.fromDF(raw, glueContext, "Source_node1")
SqlQuery0 = "select region, count(*) as n, sum(amount) as total from src group by region"
SQLQuery_node2 = sparkSqlQuery(glueContext, query=SqlQuery0, mapping={"src": Source_node1},
                               transformation_ctx="SQLQuery_node2")
SQLQuery_node2.toDF().coalesce(1).write.mode("overwrite").json("s3a://studio-curated/by_region/")
job.commit()
"""


def test_plain_spark_reads_and_writes_s3_paths_and_from_awsglue_import(run_script, tmp_path):
    raw = tmp_path / "s3" / "studio-raw" / "sales"
    raw.mkdir(parents=True)
    (raw / "a.json").write_text("\n".join(json.dumps(s) for s in SALES[:5]))
    (raw / "b.json").write_text("\n".join(json.dumps(s) for s in SALES[5:]))
    run_script(STUDIO_SCRIPT, "--JOB_NAME", "studio")
    out = tmp_path / "s3" / "studio-curated" / "by_region"
    got = [json.loads(line) for f in out.glob("part-*.json") for line in f.read_text().splitlines()]
    counts = Counter(s["region"] for s in SALES)
    totals = {r: sum(s["amount"] for s in SALES if s["region"] == r) for r in counts}
    assert sorted(got, key=lambda r: r["region"]) == [
        {"region": r, "n": counts[r], "total": totals[r]} for r in sorted(counts)
    ]


def test_missing_s3_path_with_plain_spark_names_the_s3_path(run_script, tmp_path):
    (tmp_path / "s3" / "lake").mkdir(parents=True)
    script = """
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext
    glueContext = GlueContext(SparkContext.getOrCreate())
    try:
        glueContext.spark_session.read.parquet("s3://lake/none/")
        error = ""
    except Exception as exc:
        error = str(exc)
    """
    assert "Path does not exist: s3://lake/none" in run_script(script)["error"]


def test_buckets_are_found_in_text_and_mounted_under_the_root(tmp_path):
    text = 'p = "s3://raw-bucket/in/x.csv"; q = f"s3a://out.bucket/{day}"; r = "s3n://b_1/"'
    assert s3mount.buckets_in(text) == {"raw-bucket", "out.bucket", "b_1"}
    assert s3mount.buckets_in("https://example.com/s3://") == set()
    assert s3mount.buckets_in("s3://b/k s3://{bucket}/k") == {"b"}
    settings = s3mount.hadoop_settings(tmp_path, ["raw-bucket"])
    assert settings["fs.s3.impl"] == settings["fs.s3a.impl"] == s3mount.VIEWFS
    assert settings["fs.viewfs.mounttable.raw-bucket.linkFallback"] == (
        tmp_path / "raw-bucket").as_uri()


def test_layer_reads_name_s3_objects_in_input_file_name(glue_context, tmp_path):
    from pyspark.sql import functions as F

    files = {"year=2023/a.json": [1, 2], "year=2024/b.json": [3]}
    for rel, ids in files.items():
        path = tmp_path / "s3" / "lake" / "events" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(json.dumps({"id": i}) for i in ids))
    dyf = glue_context.create_dynamic_frame.from_options(
        "s3", {"paths": ["s3://lake/events/"], "recurse": True}, format="json")
    rows = dyf.toDF().select("id", "year", F.input_file_name().alias("f")).collect()
    expected = sorted((i, int(rel[5:9]), f"s3://lake/events/{rel}")
                      for rel, ids in files.items() for i in ids)
    assert sorted((r.id, r.year, r.f) for r in rows) == expected
