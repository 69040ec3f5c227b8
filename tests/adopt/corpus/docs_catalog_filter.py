import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job

glueContext = GlueContext(SparkContext.getOrCreate())
args = getResolvedOptions(sys.argv, ['JOB_NAME', 'output_dir'])
job = Job(glueContext)
job.init(args['JOB_NAME'], args)

# Read the crawled table from the Data Catalog
orders = glueContext.create_dynamic_frame.from_catalog(
    database="sales", table_name="orders", transformation_ctx="orders")
print("Count: ", orders.count())
orders.printSchema()

# Keep the big orders, then only the columns the report needs
big = Filter.apply(frame=orders, f=lambda row: float(row["amount"]) >= 10, transformation_ctx="big")
selected = SelectFields.apply(frame=big, paths=["id", "name"], transformation_ctx="selected")

glueContext.write_dynamic_frame.from_options(
    frame=selected, connection_type="s3",
    connection_options={"path": args['output_dir']}, format="json")
job.commit()
