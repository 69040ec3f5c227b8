"""DynamicFrame type conversions over malformed values: null on every Glue version.

Glue converts values record by record and gives null where one does not convert; Spark 4's
ANSI mode (Glue 6.0) would raise on the same casts if the layer used plain CAST. A job's own
``spark.sql`` keeps Spark's default: the script prints what a malformed CAST does there.
"""

import json
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.transforms import ApplyMapping, ResolveChoice
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output_path"])
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session

rows = [
    (1, "10.5", "3", "2024-02-29", "7", "1,2"),
    (2, "x", "abc", "2024-02-30", "n/a", "3,zz"),
    (3, None, "99999999999", "yesterday", "8.5", "q,4"),
]
schema = "id int, amount string, qty string, day string, score string, pair string"
frame = DynamicFrame.fromDF(spark.createDataFrame(rows, schema), glue_context, "raw")

flat = ApplyMapping.apply(frame=frame, mappings=[
    ("id", "int", "id", "int"),
    ("amount", "string", "amount", "double"),
    ("qty", "string", "qty", "int"),
    ("day", "string", "day", "date"),
    ("score", "string", "score", "string"),
    ("pair", "string", "pair", "string"),
])
nested = ApplyMapping.apply(frame=frame, mappings=[
    ("id", "int", "id", "int"),
    ("amount", "string", "money.amount", "decimal(10,2)"),
    ("qty", "string", "money.qty", "long"),
])
resolved = ResolveChoice.apply(frame=flat, specs=[("score", "cast:double")])
projected = flat.resolveChoice(specs=[("pair", "project:int")])
unboxed = flat.unbox("pair", "csv", withSchema=json.dumps({
    "type": "struct", "fields": [
        {"name": "a", "type": "string", "nullable": True, "metadata": {}},
        {"name": "b", "type": "integer", "nullable": True, "metadata": {}},
    ]}))

out = (
    resolved.toDF()
    .join(nested.toDF(), "id")
    .join(projected.toDF().select("id", projected.toDF()["pair"].alias("pair_int")), "id")
    .join(unboxed.toDF().select("id", unboxed.toDF()["pair"].alias("pair_csv")), "id")
)
glue_context.write_dynamic_frame.from_options(
    frame=DynamicFrame.fromDF(out, glue_context, "out"), connection_type="s3", format="parquet",
    connection_options={"path": args["output_path"]},
)

try:
    value = spark.sql("SELECT CAST('x' AS INT) AS v").collect()[0]["v"]
    print(f"spark.sql malformed cast: {value}")
except Exception as exc:  # Spark 4's ANSI mode
    print(f"spark.sql malformed cast: raised {type(exc).__name__}")
