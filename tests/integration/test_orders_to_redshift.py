"""Integration checks for orders_to_redshift: `kit itest orders_to_redshift --env E` runs them
after a real job run. Like the seed's, they query Redshift: the table the run loaded, reached
through the deployed job's own Glue connection (locally: the PostgreSQL of `kit db local`), and
compare it with the sample data computed in plain Python."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import boto3

from kit import localdb
from kit.runtime import connections
from tests.jobs.expected_orders_to_redshift import expected_revenue


def deployed_arguments() -> dict[str, str]:
    """The deployed job's DefaultArguments (kit itest gives the AWS and the job's name)."""
    job = boto3.client("glue").get_job(JobName=os.environ["KIT_ITEST_JOB_NAME"])["Job"]
    return {k.removeprefix("--"): v for k, v in job.get("DefaultArguments", {}).items()}


def test_customer_revenue_table_matches_the_sample_data():
    args = deployed_arguments()
    target = connections.resolve(
        "redshift", {"useConnectionProperties": "true", "connectionName": args["connection_name"]})
    host, port, database = localdb.jdbc_parts(target.url)
    rows = localdb.psql(
        host, port, database, target.user or "", target.password or "",
        "SELECT customer_id, country, orders, revenue, first_order, last_order "
        f"FROM {args['target_table']} ORDER BY customer_id",
    )
    got = [(int(c), country, int(n), Decimal(rev), dt.date.fromisoformat(first),
            dt.date.fromisoformat(last)) for c, country, n, rev, first, last in rows]
    assert got == expected_revenue()
