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
# Bootstrap: where this code runs (glue_job, endpoint, local or test; see kit/bootstrap.py) and
# the job's arguments. `kit export` inlines kit.bootstrap: the Glue script needs no kit on AWS.
from kit.bootstrap import start

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply.
JOB_ARGS = {
    "customers_path": "data/orders_by_month/customers.csv",
    "orders_path": "data/orders_by_month/orders.csv",
    "output_path": "build/output/orders_by_month",
    "min_age": "18",
}

RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "orders_by_month")
_is_dev_endpoint = RUN_MODE == "endpoint"  # a Glue dev endpoint or interactive session

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
