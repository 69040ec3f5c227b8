import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job

args = getResolvedOptions(sys.argv, ['JOB_NAME', 'input_path', 'output_path'])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args['JOB_NAME'], args)

# Script generated for node Amazon S3
AmazonS3_node1 = glueContext.create_dynamic_frame.from_options(format_options={"quoteChar": "\"", "withHeader": True, "separator": ","}, connection_type="s3", format="csv", connection_options={"paths": [args['input_path']], "recurse": True}, transformation_ctx="AmazonS3_node1")

# Script generated for node Change Schema
ChangeSchema_node2 = ApplyMapping.apply(frame=AmazonS3_node1, mappings=[("id", "string", "order_id", "int"), ("amount", "string", "amount", "double")], transformation_ctx="ChangeSchema_node2")

# Script generated for node Amazon S3
AmazonS3_node3 = glueContext.write_dynamic_frame.from_options(frame=ChangeSchema_node2, connection_type="s3", format="json", connection_options={"path": args['output_path'], "partitionKeys": []}, transformation_ctx="AmazonS3_node3")

job.commit()
