"""kit: a notebook-first development kit for AWS Glue ETL jobs."""

__version__ = "0.1.0"
