# ---
# jupyter:
#   jupytext:
#     formats: notebooks///ipynb,jobs///py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Glue 5.0 (local)
#     language: python
#     name: glue-local
# ---

# %%

# %% [markdown]
# # raw_orders
#
# The first job of the example pipeline `sales` (raw -> trusted -> curated, see
# `[tool.kit.pipeline.sales]` in pyproject.toml and docs/pipelines.md).
#
# Lands the orders export (CSV) as typed Parquet in the raw zone, every row kept, each tagged with
# where it came from: the workflow run property `source` when a workflow started the job.
# It records how many rows it landed as the run property `raw_rows` for the jobs after it.
# The catalog table `kit_example.raw_orders` (catalog/kit_example.yml) points at its output.

# %% tags=["job"]
# Bootstrap: where this code runs (glue_job, endpoint, local or test; see kit/bootstrap.py) and
# the job's arguments. `kit export` inlines kit.bootstrap: the Glue script needs no kit on AWS.
from kit.bootstrap import start

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply. The output is an
# s3:// path even locally: kit maps it to the local object root, where the catalog table
# kit_example.raw_orders points (its dev location).
JOB_ARGS = {
    "input_path": "data/raw_orders/input.csv",
    "output_path": "s3://kit-example-dev-data/lake/raw_orders/",
}

RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "raw_orders")
_is_dev_endpoint = RUN_MODE == "endpoint"  # a Glue dev endpoint or interactive session

# %% tags=["job"]
# Business logic: pure DataFrame-in/DataFrame-out functions, unit-tested in tests/jobs/.
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

# The export as it comes: every column text, so a bad value is kept (and judged by trusted).
RAW_SCHEMA = StructType(
    [StructField(name, StringType(), True)
     for name in ("order_id", "customer_id", "order_date", "amount", "status")]
)
DEFAULT_SOURCE = "manual"  # a run that no workflow started


def land_orders(raw: DataFrame, source: str) -> DataFrame:
    """Typed columns (a value that does not parse becomes null), every row kept, tagged with
    its ``source``."""
    return raw.select(
        F.expr("try_cast(order_id AS BIGINT)").alias("order_id"),
        F.expr("try_cast(customer_id AS BIGINT)").alias("customer_id"),
        F.expr("try_cast(order_date AS DATE)").alias("order_date"),
        F.expr("try_cast(amount AS DECIMAL(12,2))").alias("amount"),
        F.col("status"),
        F.lit(source).alias("source"),
    )

# %% tags=["job"]
# The workflow run: Glue passes --WORKFLOW_NAME and --WORKFLOW_RUN_ID to a job a workflow
# starts; its run properties are read and written through the Glue API.
import sys

workflow = None
if RUN_MODE == "glue_job" and "--WORKFLOW_RUN_ID" in sys.argv:
    import boto3
    from awsglue.utils import getResolvedOptions

    workflow = getResolvedOptions(sys.argv, ["WORKFLOW_NAME", "WORKFLOW_RUN_ID"])
    glue_client = boto3.client("glue")
    run_properties = glue_client.get_workflow_run_properties(
        Name=workflow["WORKFLOW_NAME"], RunId=workflow["WORKFLOW_RUN_ID"]
    )["RunProperties"]

# %% tags=["dev"]
# Exploration: look at the sample input (not part of the deployed job).
if spark is not None:
    spark.read.csv(args["input_path"], header=True, schema=RAW_SCHEMA).show(5)

# %% tags=["job"]
if RUN_MODE != "test":
    source = run_properties.get("source", DEFAULT_SOURCE) if workflow else DEFAULT_SOURCE
    raw = spark.read.csv(args["input_path"], header=True, schema=RAW_SCHEMA)
    landed = land_orders(raw, source).cache()
    landed.write.mode("overwrite").parquet(args["output_path"])
    if workflow:
        glue_client.put_workflow_run_properties(
            Name=workflow["WORKFLOW_NAME"], RunId=workflow["WORKFLOW_RUN_ID"],
            RunProperties={"raw_rows": str(landed.count())},
        )

# %% tags=["job"]
if job is not None:
    job.commit()
