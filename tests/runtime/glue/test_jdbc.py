"""JDBC sources and sinks on a real PostgreSQL, Glue connections on a real (moto) Glue API."""

from __future__ import annotations

import json

import boto3
import pytest

from kit.errors import GlueConnectionError
from kit.runtime import connections
from kit.testing.glue import add_layer_to_path

add_layer_to_path()

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection  # noqa: E402

pytestmark = pytest.mark.slow

ROWS = [(1, "ann", 2.5), (2, "bob", None), (3, "cy", 7.25)]


@pytest.fixture
def frame(glue_context, spark_session):
    df = spark_session.createDataFrame(ROWS, "id int, name string, amount double")
    return DynamicFrame.fromDF(df, glue_context, "people")


@pytest.fixture
def table(postgres, request):
    """A fresh table name in schema ``public`` (dropped afterwards)."""
    name = "t_" + request.node.name.replace("[", "_").replace("]", "").lower()[:40]
    postgres.psql(f"DROP TABLE IF EXISTS public.{name}")
    yield f"public.{name}"
    postgres.psql(f"DROP TABLE IF EXISTS public.{name}")


def create_connection(glue_api, name, url, **props):
    glue_api.create_connection(ConnectionInput={
        "Name": name,
        "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": url, **props},
    })


def test_postgresql_round_trip_with_explicit_options(glue_context, frame, postgres, table):
    options = {"url": postgres.jdbc_url, "user": "kit", "password": postgres.password,
               "dbtable": table}
    glue_context.write_dynamic_frame.from_options(frame=frame, connection_type="postgresql",
                                                  connection_options=options)
    rows = postgres.psql(f"SELECT id, name, amount FROM {table} ORDER BY id")
    assert rows == [["1", "ann", "2.5"], ["2", "bob", ""], ["3", "cy", "7.25"]]
    # Glue's JDBC sinks append
    glue_context.write_dynamic_frame.from_options(frame=frame, connection_type="postgresql",
                                                  connection_options=options)
    assert postgres.psql(f"SELECT count(*) FROM {table}") == [["6"]]
    back = glue_context.create_dynamic_frame.from_options(
        connection_type="postgresql", connection_options=options,
        push_down_predicate="amount > 3")
    df = back.toDF()
    assert df.dtypes == [("id", "int"), ("name", "string"), ("amount", "double")]
    assert sorted(tuple(r) for r in df.collect()) == [(3, "cy", 7.25), (3, "cy", 7.25)]


def test_glue_connection_with_username_password(glue_api, glue_context, frame, postgres, table):
    create_connection(glue_api, "pg-conn", postgres.jdbc_url, USERNAME="kit",
                      PASSWORD=postgres.password)
    options = {"useConnectionProperties": "true", "connectionName": "pg-conn", "dbtable": table}
    glue_context.write_dynamic_frame.from_options(frame=frame, connection_type="postgresql",
                                                  connection_options=options)
    read = glue_context.create_data_frame.from_options(connection_type="postgresql",
                                                       connection_options=options)
    assert sorted(r.name for r in read.collect()) == ["ann", "bob", "cy"]


def test_redshift_through_a_glue_connection_with_a_secret(glue_api, glue_context, frame,
                                                          postgres, table, glue_endpoint):
    secrets = boto3.client("secretsmanager", endpoint_url=glue_endpoint, region_name="us-east-1")
    secrets.create_secret(Name="rs-secret", SecretString=json.dumps(
        {"username": "kit", "password": postgres.password}))
    # a Redshift URL: locally the same wire protocol reaches PostgreSQL
    url = postgres.jdbc_url.replace("jdbc:postgresql:", "jdbc:redshift:")
    create_connection(glue_api, "redshift-connection", url, SECRET_ID="rs-secret")
    glue_context.write_dynamic_frame.from_options(
        frame=frame,
        connection_type="redshift",
        connection_options={
            "redshiftTmpDir": "s3://temp-bucket/temporary/",
            "useConnectionProperties": "true",
            "connectionName": "redshift-connection",
            "dbtable": table,
            "preactions": f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER, name VARCHAR, "
                          "amount DOUBLE PRECISION, note VARCHAR DEFAULT 'pre');",
            "postactions": f"UPDATE {table} SET note = 'post' WHERE id = 1;",
        },
        transformation_ctx="to_redshift",
    )
    rows = postgres.psql(f"SELECT id, name, note FROM {table} ORDER BY id")
    assert rows == [["1", "ann", "post"], ["2", "bob", "pre"], ["3", "cy", "pre"]]
    dyf = glue_context.create_dynamic_frame.from_options(
        connection_type="redshift",
        connection_options={"useConnectionProperties": "true", "connectionName": "redshift-connection",
                            "dbtable": table, "redshiftTmpDir": "s3://temp-bucket/temporary/"})
    assert dyf.count() == 3


def test_from_jdbc_conf_and_extract_jdbc_conf(glue_api, glue_context, frame, postgres, table):
    # the connection names database "postgres"; the database option points the write elsewhere
    url = postgres.jdbc_url.rsplit("/", 1)[0] + "/postgres"
    create_connection(glue_api, "pg-conf", url, USERNAME="kit", PASSWORD=postgres.password)
    glue_context.write_dynamic_frame.from_jdbc_conf(
        frame=frame, catalog_connection="pg-conf",
        connection_options={"dbtable": table, "database": "kit"}, redshift_tmp_dir="")
    assert postgres.psql(f"SELECT count(*) FROM {table}") == [["3"]]
    conf = glue_context.extract_jdbc_conf("pg-conf")
    assert conf["user"] == "kit" and conf["password"] == postgres.password
    assert conf["vendor"] == "postgresql"
    assert conf["url"] == postgres.jdbc_url.rsplit("/", 1)[0]
    assert conf["fullUrl"] == url


def test_write_from_jdbc_conf_writes_a_collection_table_per_frame(glue_api, glue_context, frame,
                                                                  postgres):
    create_connection(glue_api, "pg-coll", postgres.jdbc_url, USERNAME="kit",
                      PASSWORD=postgres.password)
    names = ["coll_a", "coll_b"]
    for name in names:
        postgres.psql(f"DROP TABLE IF EXISTS {name}")
    collection = DynamicFrameCollection({"coll_a": frame, "coll_b": frame.filter(
        lambda r: r["id"] > 1)}, glue_context)
    glue_context.write_from_jdbc_conf(collection, catalog_connection="pg-coll")
    assert postgres.psql("SELECT (SELECT count(*) FROM coll_a), (SELECT count(*) FROM coll_b)") \
        == [["3", "2"]]


def test_missing_connection_is_one_line(glue_api, glue_context):
    with pytest.raises(GlueConnectionError, match="Glue connection 'nope': EntityNotFoundException"):
        glue_context.create_dynamic_frame.from_options(
            connection_type="mysql",
            connection_options={"useConnectionProperties": "true", "connectionName": "nope",
                                "dbtable": "t"})


def test_sqlserver_without_a_driver_is_refused_in_one_line(glue_context, tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_JDBC_JAR_DIR", str(tmp_path))
    with pytest.raises(GlueConnectionError) as err:
        glue_context.create_dynamic_frame.from_options(
            connection_type="sqlserver",
            connection_options={"url": "jdbc:sqlserver://127.0.0.1:1433;databaseName=x",
                                "dbtable": "t", "user": "u", "password": "p"})
    message = str(err.value)
    assert "\n" not in message
    assert "Microsoft SQL Server JDBC driver" in message and "customJdbcDriverS3Path" in message


def test_missing_debian_driver_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_JDBC_JAR_DIR", str(tmp_path))
    assert connections.driver_jar(connections.MARIADB) is None
    assert "sudo apt-get install -y libmariadb-java" in connections.MARIADB.missing_message("mysql")
    (tmp_path / "mariadb-java-client.jar").write_bytes(b"")
    assert connections.jdbc_jars() == [str((tmp_path / "mariadb-java-client.jar").resolve())]


def test_debian_jars_are_found():
    found = connections.jdbc_jars()
    assert any(j.endswith("postgresql.jar") or "postgresql" in j for j in found)


@pytest.mark.parametrize(("url", "vendor", "local"), [
    ("jdbc:redshift://h:5439/dev", "redshift", "jdbc:postgresql://h:5439/dev"),
    ("jdbc:mysql://h:3306/db", "mysql", "jdbc:mysql://h:3306/db"),
    ("jdbc:postgresql://h/db?ssl=true", "postgresql", "jdbc:postgresql://h/db?ssl=true"),
    ("jdbc:sqlserver://h:1433;databaseName=x", "sqlserver", "jdbc:sqlserver://h:1433;databaseName=x"),
])
def test_urls(url, vendor, local):
    assert connections.vendor_of(url) == vendor
    assert connections.local_url(url) == local


def test_with_database_replaces_the_path():
    assert connections.with_database("jdbc:postgresql://h:1/a?x=1", "b") == \
        "jdbc:postgresql://h:1/b?x=1"
    assert connections.with_database("jdbc:mysql://h:3306", "b") == "jdbc:mysql://h:3306/b"
