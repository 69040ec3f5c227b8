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

# %% [markdown]
# # orders_by_month
#
# Monthly revenue per country from adult customers' orders.
#
# Reads customers and orders (CSV), keeps customers aged 18 or over, joins their orders and
# aggregates per month and country, then writes Parquet partitioned by month.
#
# Cells tagged `job` become the deployed Glue script (`kit export`); cells tagged `dev`, and
# untagged cells, are exploration only.

# %% tags=["job"]
# Bootstrap: decides where this code runs and resolves the job arguments.
#   glue_job  - a Glue job run (--JOB_NAME given): getResolvedOptions, GlueContext, Job.init
#   endpoint  - a Glue dev endpoint, interactive session or kit's local Glue kernel
#   local     - plain PySpark, no Glue libraries (local Spark on sample data)
#   test      - ENV=test: unit tests import the functions; nothing starts
import os
import sys

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply.
JOB_ARGS = {
    "customers_path": "data/orders_by_month/customers.csv",
    "orders_path": "data/orders_by_month/orders.csv",
    "output_path": "build/output/orders_by_month",
    "min_age": "18",
}


def _run_mode(argv=sys.argv, environ=os.environ):
    if environ.get("ENV") == "test":
        return "test"
    if any(a == "--JOB_NAME" or a.startswith("--JOB_NAME=") for a in argv):
        return "glue_job"
    try:
        import awsglue  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "awsglue":  # Glue is there but broken: let that surface
            raise
        return "local"
    return "endpoint"


def _given(name, argv=sys.argv):
    return any(a == f"--{name}" or a.startswith(f"--{name}=") for a in argv)


def _project_root(start=None):
    """Local defaults are relative to the project root (the folder with jupytext.toml)."""
    here = os.path.abspath(start or os.getcwd())
    while not os.path.exists(os.path.join(here, "jupytext.toml")):
        if os.path.dirname(here) == here:
            return os.getcwd()
        here = os.path.dirname(here)
    return here


RUN_MODE = _run_mode()
args = dict(JOB_ARGS)
spark = glue_context = job = None
if RUN_MODE == "glue_job":
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args.update(getResolvedOptions(sys.argv, ["JOB_NAME"] + [k for k in JOB_ARGS if _given(k)]))
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
elif RUN_MODE == "endpoint":
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    os.chdir(_project_root())
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    # Off this machine the local defaults do not exist: a session's Spark conf
    # (sparkmagic %%configure, interactive sessions %spark_conf) can set spark.kit.arg.NAME.
    _conf = dict(spark.sparkContext.getConf().getAll())
    args.update({k: _conf[f"spark.kit.arg.{k}"] for k in JOB_ARGS if f"spark.kit.arg.{k}" in _conf})
elif RUN_MODE == "local":
    from pyspark.sql import SparkSession

    os.chdir(_project_root())  # notebooks start in notebooks/
    spark = SparkSession.builder.appName("orders_by_month").getOrCreate()

# %% tags=["job"]
# Business logic: pure DataFrame-in/DataFrame-out functions, unit-tested in tests/jobs/.
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

CUSTOMERS_SCHEMA = StructType(
    [
        StructField("customer_id", LongType(), False),
        StructField("name", StringType(), True),
        StructField("age", IntegerType(), True),
        StructField("country", StringType(), True),
    ]
)
ORDERS_SCHEMA = StructType(
    [
        StructField("order_id", LongType(), False),
        StructField("customer_id", LongType(), True),
        StructField("order_date", DateType(), True),
        StructField("amount", DecimalType(12, 2), True),
    ]
)


def filter_adults(customers: DataFrame, min_age: int = 18) -> DataFrame:
    """Customers aged ``min_age`` or over (unknown ages are not adults)."""
    return customers.where(F.col("age") >= min_age)


def orders_with_country(orders: DataFrame, customers: DataFrame) -> DataFrame:
    """Orders of known customers, each with its customer's country."""
    return orders.join(customers.select("customer_id", "country"), "customer_id", "inner")


def monthly_totals(orders: DataFrame) -> DataFrame:
    """Orders, distinct customers and revenue per month (yyyy-MM) and country."""
    return (
        orders.groupBy(F.date_format("order_date", "yyyy-MM").alias("month"), "country")
        .agg(
            F.count("order_id").alias("orders"),
            F.countDistinct("customer_id").alias("customers"),
            F.sum("amount").cast(DecimalType(14, 2)).alias("revenue"),
        )
        .orderBy("month", "country")
    )

# %% tags=["dev"]
# Exploration: a look at the sample customers (not part of the deployed job).
if spark is not None:
    spark.read.csv(args["customers_path"], header=True, schema=CUSTOMERS_SCHEMA).show(5)

# %% tags=["job"]
if RUN_MODE != "test":
    customers = spark.read.csv(args["customers_path"], header=True, schema=CUSTOMERS_SCHEMA)
    orders = spark.read.csv(args["orders_path"], header=True, schema=ORDERS_SCHEMA)
    adults = filter_adults(customers, int(args["min_age"]))
    totals = monthly_totals(orders_with_country(orders, adults))
    totals.write.mode("overwrite").partitionBy("month").parquet(args["output_path"])

# %% tags=["dev"]
# Exploration: the result, as the job writes it.
if spark is not None:
    totals.show(12)

# %% tags=["job"]
if job is not None:
    job.commit()
