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
# # curated_sales
#
# The last job of the example pipeline `sales` (raw -> trusted -> curated).
#
# Daily sales of completed orders from the trusted orders, written as Parquet. In a workflow it
# puts the run property `curated_days` (how many days it wrote).

# %% tags=["job"]
# Bootstrap: where this code runs (glue_job, endpoint, local or test; see kit/bootstrap.py) and
# the job's arguments. `kit export` inlines kit.bootstrap: the Glue script needs no kit on AWS.
from kit.bootstrap import start

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply.
JOB_ARGS = {
    "input_path": "build/output/trusted_orders",
    "output_path": "build/output/curated_sales",
}

RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "curated_sales")
_is_dev_endpoint = RUN_MODE == "endpoint"  # a Glue dev endpoint or interactive session

# %% tags=["job"]
# Business logic: pure DataFrame-in/DataFrame-out functions, unit-tested in tests/jobs/.
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType


def daily_sales(trusted: DataFrame) -> DataFrame:
    """Completed orders and their revenue per day, by day."""
    return (
        trusted.where(F.col("status") == "completed")
        .groupBy("order_date")
        .agg(
            F.count("order_id").alias("orders"),
            F.sum("amount").cast(DecimalType(14, 2)).alias("revenue"),
        )
        .orderBy("order_date")
    )

# %% tags=["job"]
# The workflow run (see raw_orders): Glue passes --WORKFLOW_NAME and --WORKFLOW_RUN_ID.
import sys

workflow = None
if RUN_MODE == "glue_job" and "--WORKFLOW_RUN_ID" in sys.argv:
    import boto3
    from awsglue.utils import getResolvedOptions

    workflow = getResolvedOptions(sys.argv, ["WORKFLOW_NAME", "WORKFLOW_RUN_ID"])
    glue_client = boto3.client("glue")

# %% tags=["job"]
# in a notebook this needs trusted_orders' output: nbval skips it (docs/pipelines.md)
# NBVAL_SKIP
if RUN_MODE != "test":
    sales = daily_sales(spark.read.parquet(args["input_path"])).cache()
    sales.write.mode("overwrite").parquet(args["output_path"])
    if workflow:
        glue_client.put_workflow_run_properties(
            Name=workflow["WORKFLOW_NAME"], RunId=workflow["WORKFLOW_RUN_ID"],
            RunProperties={"curated_days": str(sales.count())},
        )

# %% tags=["dev"]
# Exploration: the result, as the job writes it.
# needs the cell above: nbval skips it
# NBVAL_SKIP
if spark is not None:
    sales.show()

# %% tags=["job"]
if job is not None:
    job.commit()
