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
# # orders_to_redshift
#
# Revenue per customer, from the Data Catalog to Redshift.
#
# Reads the `orders` and `customers` tables of the Glue Data Catalog (CSV on S3, declared in
# `catalog/kit_example.yml`), keeps the orders of known customers, sums them per customer and
# loads the result into a Redshift table through the job's Glue connection. The `preactions`
# create the table when it is missing and empty it, so each run is a full reload.
#
# Locally (`kit run orders_to_redshift`) the catalog and its sample data are kit's local AWS
# (`local/aws.toml`) and Redshift is the project's PostgreSQL (`kit db local`).

# %% tags=["job"]
# Bootstrap: where this code runs (glue_job, endpoint, local or test; see kit/bootstrap.py) and
# the job's arguments. `kit export` inlines kit.bootstrap: the Glue script needs no kit on AWS.
from kit.bootstrap import start

# Job arguments and their local defaults, declared once. On Glue each is `--name value`
# (the deployed job's DefaultArguments); locally the defaults below apply.
JOB_ARGS = {
    "catalog_database": "kit_example",
    "connection_name": "kit_example_redshift",
    "target_table": "public.customer_revenue",
}

RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "orders_to_redshift")
_is_dev_endpoint = RUN_MODE == "endpoint"  # a Glue dev endpoint or interactive session

# %% tags=["job"]
# Business logic: pure DataFrame-in/DataFrame-out functions, unit-tested in tests/jobs/.
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType

# The Redshift table the job loads (column order = the DataFrame's).
TARGET_COLUMNS = """
    customer_id BIGINT NOT NULL,
    country VARCHAR(2),
    orders BIGINT NOT NULL,
    revenue DECIMAL(14,2) NOT NULL,
    first_order DATE NOT NULL,
    last_order DATE NOT NULL
"""


def orders_of_known_customers(orders: DataFrame, customers: DataFrame) -> DataFrame:
    """Orders whose customer exists, each with its customer's country (an inner join)."""
    return orders.join(customers.select("customer_id", "country"), "customer_id", "inner")


def customer_revenue(orders: DataFrame) -> DataFrame:
    """Orders, revenue and first/last order date per customer (and its country)."""
    return (
        orders.groupBy("customer_id", "country")
        .agg(
            F.count("order_id").alias("orders"),
            F.sum("amount").cast(DecimalType(14, 2)).alias("revenue"),
            F.min("order_date").alias("first_order"),
            F.max("order_date").alias("last_order"),
        )
        .orderBy("customer_id")
    )


def preactions(table: str) -> str:
    """SQL Redshift runs before the load: the table exists and is empty (a full reload)."""
    return f"CREATE TABLE IF NOT EXISTS {table} ({' '.join(TARGET_COLUMNS.split())}); TRUNCATE TABLE {table}"

# %% tags=["dev"]
# Exploration: a look at the catalog's orders (not part of the deployed job).
if glue_context is not None:
    glue_context.create_dynamic_frame.from_catalog(
        database=args["catalog_database"], table_name="orders"
    ).toDF().show(5)

# %% tags=["job"]
if RUN_MODE != "test":
    import sys

    from awsglue.dynamicframe import DynamicFrame
    from awsglue.utils import getResolvedOptions

    # Glue passes --TempDir (the job's temporary S3 folder) where Redshift stages its COPY.
    temp_dir = getResolvedOptions(sys.argv, ["TempDir"])["TempDir"] if "--TempDir" in sys.argv else ""
    orders = glue_context.create_dynamic_frame.from_catalog(
        database=args["catalog_database"], table_name="orders", transformation_ctx="orders"
    ).toDF()
    customers = glue_context.create_dynamic_frame.from_catalog(
        database=args["catalog_database"], table_name="customers", transformation_ctx="customers"
    ).toDF()
    result = customer_revenue(orders_of_known_customers(orders, customers))
    glue_context.write_dynamic_frame.from_jdbc_conf(
        frame=DynamicFrame.fromDF(result, glue_context, "customer_revenue"),
        catalog_connection=args["connection_name"],
        connection_options={  # the database is the one in the connection's JDBC URL
            "dbtable": args["target_table"],
            "preactions": preactions(args["target_table"]),
        },
        redshift_tmp_dir=temp_dir,
        transformation_ctx="customer_revenue",
    )
    print(f"orders_to_redshift: {result.count()} customer(s) loaded into {args['target_table']}")

# %% tags=["dev"]
# Exploration: the result, as the job loads it.
if spark is not None:
    result.show(10)

# %% tags=["job"]
if job is not None:
    job.commit()
