"""Running Glue code off Glue: local Spark settings, the awsglue layer, the job runner."""
