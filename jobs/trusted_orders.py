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
# # trusted_orders
#
# The second job of the example pipeline `sales` (raw -> trusted -> curated).
#
# Reads the raw orders **through the Data Catalog** (`kit_example.raw_orders`, declared in
# catalog/kit_example.yml), keeps the valid orders once each with a normalised status, and
# writes them as Parquet. In a workflow it reads the run property `raw_rows` the raw job put,
# and puts `trusted_rows` and `rejected_rows`.

# %% tags=["job"]
# Bootstrap: where this code runs (glue_job, endpoint, local or test; see kit/bootstrap.py) and
# the job's arguments. `kit export` inlines kit.bootstrap: the Glue script needs no kit on AWS.
from kit.bootstrap import start

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply.
JOB_ARGS = {
    "output_path": "build/output/trusted_orders",
}

RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "trusted_orders")
_is_dev_endpoint = RUN_MODE == "endpoint"  # a Glue dev endpoint or interactive session

# %% tags=["job"]
# Business logic: pure DataFrame-in/DataFrame-out functions, unit-tested in tests/jobs/.
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

REQUIRED = ("order_id", "customer_id", "order_date", "amount")


def trusted_orders(raw: DataFrame) -> DataFrame:
    """Orders with every required value and a positive amount, once per ``order_id`` (the
    export repeats whole rows), status trimmed and lower-case."""
    valid = raw.dropna(subset=list(REQUIRED)).where(F.col("amount") > 0)
    return (
        valid.withColumn("status", F.lower(F.trim("status")))
        .dropDuplicates(["order_id"])
        .select(*REQUIRED, "status", "source")
    )


def rejected(raw_rows: int, trusted_rows: int) -> int:
    """How many raw rows trusted left out (invalid or repeated)."""
    return raw_rows - trusted_rows

# %% tags=["job"]
# The workflow run (see raw_orders): Glue passes --WORKFLOW_NAME and --WORKFLOW_RUN_ID.
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

# %% tags=["job"]
# in a notebook this needs raw_orders' output in the local catalog: nbval skips it (docs/pipelines.md)
# NBVAL_SKIP
if RUN_MODE != "test":
    raw = glue_context.create_data_frame.from_catalog(
        database="kit_example", table_name="raw_orders"
    )
    trusted = trusted_orders(raw).cache()
    trusted.write.mode("overwrite").parquet(args["output_path"])
    if workflow:
        kept = trusted.count()
        glue_client.put_workflow_run_properties(
            Name=workflow["WORKFLOW_NAME"], RunId=workflow["WORKFLOW_RUN_ID"],
            RunProperties={
                "trusted_rows": str(kept),
                "rejected_rows": str(rejected(int(run_properties["raw_rows"]), kept)),
            },
        )

# %% tags=["dev"]
# Exploration: what trusted kept.
# needs the cell above: nbval skips it
# NBVAL_SKIP
if spark is not None:
    trusted.show()

# %% tags=["job"]
if job is not None:
    job.commit()
