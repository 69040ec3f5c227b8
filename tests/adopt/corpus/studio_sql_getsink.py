import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue import DynamicFrame


def sparkSqlQuery(glueContext, query, mapping, transformation_ctx) -> DynamicFrame:
    for alias, frame in mapping.items():
        frame.toDF().createOrReplaceTempView(alias)
    result = spark.sql(query)
    return DynamicFrame.fromDF(result, glueContext, transformation_ctx)


args = getResolvedOptions(sys.argv, ["JOB_NAME", "source_path", "target_path"])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Script generated for node Orders
Orders_node1 = glueContext.create_dynamic_frame.from_options(
    format_options={"withHeader": True, "separator": ","},
    connection_type="s3",
    format="csv",
    connection_options={"paths": [args["source_path"]], "recurse": True},
    transformation_ctx="Orders_node1",
)

# Script generated for node Totals per name
SqlQuery0 = """
select name, sum(cast(amount as double)) as total, count(*) as orders
from myDataSource
group by name
"""
TotalsPerName_node2 = sparkSqlQuery(
    glueContext,
    query=SqlQuery0,
    mapping={"myDataSource": Orders_node1},
    transformation_ctx="TotalsPerName_node2",
)

# Script generated for node Target
Target_node3 = glueContext.getSink(
    path=args["target_path"],
    connection_type="s3",
    updateBehavior="LOG",
    partitionKeys=[],
    enableUpdateCatalog=False,
    transformation_ctx="Target_node3",
)
Target_node3.setFormat("json")
Target_node3.writeFrame(TotalsPerName_node2)
job.commit()
