"""A Glue script using the layer's main paths; its output must be the same on every version."""

import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.transforms import ApplyMapping, Filter, Map
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output_path"])
sc = SparkContext.getOrCreate()
glue_context = GlueContext(sc)
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

# no malformed amounts: see docs/runtime.md (ApplyMapping casts under Spark 4's ANSI mode)
rows = [(1, "a", "10.5"), (2, "b", "3"), (3, None, "7.25"), (4, "d", "12")]
df = spark.createDataFrame(rows, "id int, name string, amount string")
frame = DynamicFrame.fromDF(df, glue_context, "orders")
mapped = ApplyMapping.apply(
    frame=frame,
    mappings=[("id", "int", "order_id", "long"), ("name", "string", "name", "string"),
              ("amount", "string", "amount", "double")],
)
kept = Filter.apply(frame=mapped, f=lambda r: r["order_id"] != 2)
tagged = Map.apply(frame=kept, f=lambda r: {**r, "big": (r["amount"] or 0) > 8})
glue_context.write_dynamic_frame.from_options(
    frame=tagged, connection_type="s3", format="parquet",
    connection_options={"path": args["output_path"]},
)
job.commit()
