"""kit.localdb and `kit db`: a real PostgreSQL (Debian's) on loopback, its record, and the
``${kit:db.KEY}`` references of local/aws.toml."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from kit import localdb
from kit.errors import LocalDbError, LocalFixtureError
from kit.localaws import fixtures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db():
    server = localdb.start()  # a temporary folder
    yield server
    server.stop()


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def make_project(root: Path, aws_toml: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    if aws_toml:
        (root / "local").mkdir(exist_ok=True)
        (root / "local" / "aws.toml").write_text(aws_toml, encoding="utf-8")
    return root


def test_a_temporary_server_listens_on_loopback_only_with_password_auth(db):
    assert db.temporary and db.running() and listening(db.port)
    assert db.psql("SHOW listen_addresses") == [["127.0.0.1"]]
    assert db.psql("SELECT current_setting('unix_socket_directories') = ''") == [["t"]]
    assert db.psql("SHOW password_encryption") == [["scram-sha-256"]]
    assert db.psql("SELECT current_user, current_database()") == [["kit", "kit"]]
    with pytest.raises(LocalDbError, match="password authentication failed"):
        localdb.psql(db.host, db.port, db.database, db.user, "wrong", "SELECT 1")
    assert stat.S_IMODE((db.folder / localdb.PASSFILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(db.folder.stat().st_mode) == 0o700
    assert db.password not in repr(db)


def test_stop_removes_a_temporary_server_and_its_folder():
    server = localdb.start()
    folder, port = server.folder, server.port
    server.stop()
    assert not folder.exists() and not listening(port)


def test_the_project_folder_keeps_data_password_and_port_between_starts(tmp_path):
    folder = tmp_path / "state" / localdb.FOLDER
    first = localdb.start(folder)
    try:
        first.psql("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)")
        localdb.record(tmp_path / "state", first)
        found = localdb.find_running(tmp_path / "state")
        assert found is not None and (found.port, found.password) == (first.port, first.password)
        record = (tmp_path / "state" / localdb.RECORD).read_text(encoding="utf-8")
        assert str(first.port) in record and first.password not in record
        with pytest.raises(LocalDbError, match="already runs"):
            localdb.start(folder)
    finally:
        first.stop()
    assert localdb.find_running(tmp_path / "state") is None  # recorded, but no longer live
    second = localdb.start(folder)
    try:
        assert (second.port, second.password) == (first.port, first.password)
        assert second.psql("SELECT x FROM kept") == [["7"]]
        assert localdb.stop_project(tmp_path / "state") is True  # `kit db stop`: same record
        assert not second.running() and not (tmp_path / "state" / localdb.RECORD).exists()
        assert localdb.stop_project(tmp_path / "state") is False
    finally:
        second.stop()
    assert (second.datadir / "PG_VERSION").is_file()  # a project's data stays
    if second.server_dir:  # root, and the postgres user cannot reach pytest's tmp_path
        assert second.server_dir.parent == Path("/var/tmp")
        shutil.rmtree(second.server_dir)


def test_a_missing_server_package_is_one_line_naming_it(monkeypatch, tmp_path):
    monkeypatch.setattr(localdb, "pg_bindir", lambda: None)
    with pytest.raises(LocalDbError) as found:
        localdb.start(tmp_path / "pg")
    assert str(found.value).endswith("install it with `sudo apt-get install -y postgresql`")
    assert not (tmp_path / "pg").exists()


def test_jdbc_parts_of_postgresql_and_redshift_urls():
    assert localdb.jdbc_parts("jdbc:postgresql://127.0.0.1:5433/kit") == ("127.0.0.1", 5433, "kit")
    assert localdb.jdbc_parts("jdbc:redshift://c.example:5439/dev?ssl=true") == ("c.example", 5439, "dev")
    assert localdb.jdbc_parts("jdbc:redshift://c.example/dev") == ("c.example", 5439, "dev")
    with pytest.raises(LocalDbError):
        localdb.jdbc_parts("jdbc:mysql://h/db")


def test_expand_fills_references_and_keeps_the_password_to_secrets():
    values = {"host": "127.0.0.1", "port": "5433", "database": "kit", "user": "kit",
              "url": "jdbc:postgresql://127.0.0.1:5433/kit", "password": "pw",
              "credentials": '{"username": "kit", "password": "pw"}'}
    text = "jdbc:redshift://${kit:db.host}:${kit:db.port}/${kit:db.database}"
    assert localdb.expand(text, values) == "jdbc:redshift://127.0.0.1:5433/kit"
    assert localdb.expand("plain", values) == "plain" and not localdb.references("plain")
    assert localdb.expand("${kit:db.credentials}", values, secret=True) == values["credentials"]
    with pytest.raises(LocalDbError, match="not allowed outside a secret"):
        localdb.expand("${kit:db.password}", values)
    with pytest.raises(LocalDbError, match=r"\$\{kit:db.nope\} is not allowed"):
        localdb.expand("${kit:db.nope}", values, secret=True)


FIXTURES = """\
[secrets]
"app/db" = { secret = "${kit:db.credentials}" }

[glue.connections.app_db]
type = "JDBC"
properties = { JDBC_CONNECTION_URL = "jdbc:redshift://${kit:db.host}:${kit:db.port}/${kit:db.database}", SECRET_ID = "app/db" }

[glue.connections.other]
type = "JDBC"
properties = { JDBC_CONNECTION_URL = "jdbc:postgresql://db:5432/x", USERNAME = "u" }
"""


def test_fixtures_take_the_running_databases_url_and_credentials(db, tmp_path):
    root = make_project(tmp_path / "proj", FIXTURES)
    localdb.record(root / ".kit", db)
    loaded = fixtures.load(root, environ={})
    assert loaded.connections["app_db"]["properties"]["JDBC_CONNECTION_URL"] == (
        f"jdbc:redshift://127.0.0.1:{db.port}/kit")
    assert loaded.secrets["app/db"] == db.values()["credentials"]
    assert any(db.password in v for v in loaded.secret_values) and not loaded.waiting


def test_without_a_database_what_refers_to_it_waits_and_the_rest_loads(tmp_path):
    root = make_project(tmp_path / "proj", FIXTURES)
    loaded = fixtures.load(root, environ={})
    assert loaded.waiting == ["secret app/db", "connection app_db"]
    assert list(loaded.connections) == ["other"] and not loaded.secrets


def test_a_password_reference_outside_a_secret_is_refused(db, tmp_path):
    root = make_project(tmp_path / "proj", FIXTURES.replace("${kit:db.port}", "${kit:db.password}"))
    localdb.record(root / ".kit", db)
    with pytest.raises(LocalFixtureError) as found:
        fixtures.load(root, environ={})
    assert str(found.value).startswith(
        "local/aws.toml: glue connection app_db: JDBC_CONNECTION_URL: ${kit:db.password} is not "
        "allowed outside a secret")


def test_a_job_reads_the_database_through_the_applied_connection(db, tmp_path):
    """apply() on kit's local AWS; the connection resolves (GetConnection + the secret) to the
    database, and re-applying the same fixtures is a no-op."""
    from kit import localaws
    from kit.runtime import connections

    root = make_project(tmp_path / "proj", FIXTURES)
    localdb.record(root / ".kit", db)
    server = localaws.start(s3_root=tmp_path / "s3")
    try:
        env = {"AWS_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": "k",
               "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1"}

        def client(service: str):
            return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                                aws_access_key_id="k", aws_secret_access_key="s")

        loaded = fixtures.load(root, environ={})
        fixtures.apply(loaded, client)
        fixtures.apply(loaded, client)  # unchanged: nothing to update
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            target = connections.resolve(None, {"useConnectionProperties": "true",
                                                "connectionName": "app_db", "dbtable": "t"})
        finally:
            for k, v in saved.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        assert target.connection_type == "redshift"
        assert target.url == db.jdbc_url and (target.user, target.password) == ("kit", db.password)
        moved = {**loaded.connections["app_db"]["properties"],
                 "JDBC_CONNECTION_URL": "jdbc:redshift://127.0.0.1:1/kit"}
        loaded.connections["app_db"] = {**loaded.connections["app_db"], "properties": moved}
        with pytest.raises(LocalFixtureError, match=r"no UpdateConnection\); restart the local AWS$"):
            fixtures.apply(loaded, client)
    finally:
        server.stop()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_kit_db_local_serves_until_stopped_and_never_prints_the_password(tmp_path, stop_signal):
    root = make_project(tmp_path / "proj")
    env = {k: v for k, v in os.environ.items() if k != "KIT_PROJECT"}
    proc = subprocess.Popen([sys.executable, "-m", "kit", "db", "local"], cwd=root, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = proc.stdout.readline().strip() if proc.stdout else ""
        db = localdb.find_running(root / ".kit")
        assert db is not None and url == db.jdbc_url
        assert (db.datadir / "PG_VERSION").is_file() and db.folder == root / ".kit" / "postgres"
        again = subprocess.run([sys.executable, "-m", "kit", "db", "local"], cwd=root, env=env,
                               text=True, capture_output=True, check=False)
        assert again.returncode == 1
        assert again.stderr == ("kit: error: the project's local PostgreSQL already runs; stop it "
                                "with `kit db stop` first\n")
    finally:
        proc.send_signal(stop_signal)
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.terminate()  # kit stops its server on SIGTERM
            proc.communicate(timeout=120)
            raise
    assert proc.returncode == 0
    assert "password in .kit/postgres/pgpass" in err and err.strip().endswith("stopped")
    assert db.password not in out + err + again.stdout + again.stderr
    assert not listening(db.port) and localdb.find_running(root / ".kit") is None
    assert not (root / ".kit" / localdb.RECORD).exists()
    if db.server_dir:  # root, and the postgres user cannot reach pytest's tmp_path
        shutil.rmtree(db.server_dir)


def test_kit_db_local_without_postgresql_is_one_line(tmp_path):
    root = make_project(tmp_path / "proj")
    code = ("import sys; from kit import localdb; localdb.pg_bindir = lambda: None; "
            "from kit.cli import main; sys.argv = ['kit', 'db', 'local']; main()")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, text=True, capture_output=True,
                          check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "kit: error: PostgreSQL server not found (no /usr/lib/postgresql/*/bin/initdb); install "
        "it with `sudo apt-get install -y postgresql`"]


def test_fixtures_load_the_projects_catalog_for_an_environment(tmp_path):
    """``[glue] catalog = ENV`` (what local/aws.toml uses to give from_catalog its tables)."""
    root = make_project(tmp_path / "proj", '[glue]\ncatalog = "dev"\n')
    (root / "catalog").mkdir()
    (root / "catalog" / "sales.yml").write_text(
        "tables:\n  orders:\n    format: csv\n    location: s3://b-{env}/orders/\n"
        "    columns:\n      - {name: id, type: bigint}\n", encoding="utf-8")
    loaded = fixtures.load(root, environ={})
    assert loaded.catalog_env == "dev"
    assert [(d.name, [t.name for t in d.tables]) for d in loaded.catalog] == [("sales", ["orders"])]
    (root / "local" / "aws.toml").write_text("[glue]\ncatalog = 3\n", encoding="utf-8")
    with pytest.raises(LocalFixtureError, match=r'^local/aws.toml: \[glue\] catalog must name an '
                                                r'environment, e.g. catalog = "dev"$'):
        fixtures.load(root, environ={})
