"""A JDBC connection's SECRET_ID resolves through the job run's local AWS (the same endpoint and
keys as the job's own boto3), and the secret's value appears in no output or file of the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import postgres as pg

SCRIPT = """\
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME"])
glue_context = GlueContext(SparkContext.getOrCreate())
orders = glue_context.create_dynamic_frame.from_options(
    connection_type="postgresql",
    connection_options={"useConnectionProperties": "true", "connectionName": "orders_db",
                        "dbtable": "public.orders"},
)
print("rows", orders.count())
conf = glue_context.extract_jdbc_conf("orders_db")
print("user", conf["user"])
glue_context.write_dynamic_frame.from_options(
    orders, connection_type="s3", connection_options={"path": "s3://acme-data/out/orders/"},
    format="json")
# the job's own client reaches the same Secrets Manager
print("secret names", [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"]])
"""
AWS_TOML = """\
[secrets]
"orders/db" = {{ secret = "ORDERS_DB" }}

[glue.connections.orders_db]
type = "JDBC"
properties = {{ JDBC_CONNECTION_URL = "{url}", SECRET_ID = "orders/db" }}

[[buckets]]
name = "acme-data"
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[pg.Postgres]:
    if pg.pg_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    server = pg.start()
    server.psql("CREATE TABLE public.orders (id int, amount numeric)")
    server.psql("INSERT INTO public.orders VALUES (1, 10), (2, 60), (3, 70)")
    yield server
    server.stop()


@pytest.mark.slow
def test_secret_id_resolves_through_the_runs_local_aws_and_is_never_shown(
    tmp_path: Path, postgres: pg.Postgres
):
    root = tmp_path / "proj"
    (root / "local").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    (root / "local" / "aws.toml").write_text(AWS_TOML.format(url=postgres.jdbc_url),
                                             encoding="utf-8")
    (root / "jdbc_job.py").write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KIT_"))}
    env.update({
        "KIT_LOCAL_AWS_IDLE": "0",
        "ORDERS_DB": json.dumps({"username": pg.USER, "password": postgres.password}),
        # a user's own settings for other endpoints: the job's clients must not use them
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://192.0.2.1:9",
        "AWS_ENDPOINT_URL_GLUE": "http://192.0.2.1:9",
        "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00", "AWS_SECRET_ACCESS_KEY": "real-secret",
    })
    proc = subprocess.run(
        [sys.executable, "-m", "kit", "run", "jdbc_job.py", "--JOB_NAME", "jdbc"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "rows 3" in proc.stdout and f"user {pg.USER}" in proc.stdout
    assert "secret names ['orders/db']" in proc.stdout
    assert postgres.password not in output
    written = sorted((root / ".kit" / "s3" / "acme-data" / "out" / "orders").glob("part-*"))
    assert written
    for path in root.rglob("*"):  # state folder, logs, outputs: never the value
        if path.is_file():
            assert postgres.password.encode() not in path.read_bytes(), path
