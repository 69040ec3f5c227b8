"""A Glue script as users write them: boto3 around Spark (the test of issue 15).

Lists its input prefix with boto3, reads an SSM parameter and a secret, processes the files
with Spark, checks with boto3 that it sees what Spark wrote, moves the inputs to an archive
prefix with boto3 and publishes a completion message to SNS. Nothing here knows it runs locally.
"""

import json
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "bucket", "input_prefix", "archive_prefix",
                                     "output_prefix"])
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

s3 = boto3.client("s3")
bucket = args["bucket"]
pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=args["input_prefix"])
inputs = [o["Key"] for page in pages for o in page.get("Contents", [])]

min_amount = float(boto3.client("ssm").get_parameter(Name="/orders/min_amount")["Parameter"]["Value"])
api_key = boto3.client("ssm").get_parameter(
    Name="/orders/api_key", WithDecryption=True)["Parameter"]["Value"]
db = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId="orders/db")["SecretString"])

orders = spark.read.option("header", True).csv([f"s3://{bucket}/{key}" for key in inputs])
big = orders.filter(orders.amount.cast("double") >= min_amount)
big.write.mode("overwrite").parquet(f"s3://{bucket}/{args['output_prefix']}")

written = s3.list_objects_v2(Bucket=bucket, Prefix=args["output_prefix"]).get("Contents", [])
parquet = [o for o in written if o["Key"].endswith(".parquet") and o["Size"] > 0]
assert parquet, f"boto3 does not see what Spark wrote: {written}"
rows = spark.read.parquet(f"s3://{bucket}/{args['output_prefix']}").count()
# what boto3 puts during the run, Spark reads
s3.put_object(Bucket=bucket, Key="run/summary.json", Body=json.dumps({"rows": rows}).encode())
assert spark.read.json(f"s3://{bucket}/run/summary.json").first()["rows"] == rows

for key in inputs:
    target = args["archive_prefix"] + key[len(args["input_prefix"]):]
    s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key})
s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in inputs]})

account = boto3.client("sts").get_caller_identity()["Account"]
region = boto3.session.Session().region_name
boto3.client("sns").publish(
    TopicArn=f"arn:aws:sns:{region}:{account}:orders-done",
    Message=json.dumps({"rows": rows, "inputs": len(inputs), "parquet": len(parquet),
                        "db_user": db["username"], "api_key_length": len(api_key)}),
)
job.commit()
