"""Hand-written Glue job: orders above a threshold, per name (Spark SQL), as CSV.

--min_amount is optional (default 10); --input_path and --output_path are required.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

params = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path"])
min_amount = 10.0
if "--min_amount" in sys.argv:
    min_amount = float(getResolvedOptions(sys.argv, ["min_amount"])["min_amount"])

glue_ctx = GlueContext(SparkContext.getOrCreate())
session = glue_ctx.spark_session
etl_job = Job(glue_ctx)
etl_job.init(params["JOB_NAME"], params)


def big_orders(df, threshold):
    """Orders whose amount is at least ``threshold``."""
    return df.where(F.col("amount").cast("double") >= threshold)


orders = session.read.option("header", True).csv(params["input_path"])
big_orders(orders, min_amount).createOrReplaceTempView("big")

result = session.sql("SELECT name, CAST(SUM(CAST(amount AS DOUBLE)) AS DOUBLE) AS total FROM big GROUP BY name")
result.coalesce(1).write.mode("overwrite").option("header", True).csv(params["output_path"])

etl_job.commit()
