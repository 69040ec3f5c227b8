"""Glue layer tests: the shared Spark session plus kit's glue_context fixture."""

from __future__ import annotations

import os
import sys

import pytest

# Python workers run this interpreter (as under `kit run`), so Arrow-batched Map/Filter is used
# when this directory's tests start the shared session.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from kit.testing.glue import glue_context  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """Each test gets its own S3 root and bookmark folder."""
    monkeypatch.setenv("KIT_S3_ROOT", str(tmp_path / "s3"))
    monkeypatch.setenv("KIT_BOOKMARK_DIR", str(tmp_path / "bookmarks"))
    from kit.runtime import bookmarks

    bookmarks.activate(None)
    yield
    bookmarks.activate(None)


@pytest.fixture
def run_script(tmp_path, request, monkeypatch):
    """Run Glue script source in-process as ``python script.py ARGS...`` (shared Spark)."""
    import runpy
    import sys
    import textwrap

    request.getfixturevalue("glue_context")  # the shared SparkContext the script picks up
    counter = iter(range(1000))

    def run(source: str, *argv: str) -> dict:
        path = tmp_path / f"glue_script_{next(counter)}.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.setattr(sys, "argv", [str(path), *argv])
        return runpy.run_path(str(path), run_name="__main__")

    return run


@pytest.fixture(scope="session")
def glue_endpoint():
    """A moto server (real HTTP on 127.0.0.1) for the Glue and Secrets Manager APIs."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def glue_api(glue_endpoint, monkeypatch):
    """A clean local Glue API (database ``sales``) that kit's boto3 clients reach."""
    import boto3
    import requests

    requests.post(f"{glue_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", glue_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_GLUE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("glue", endpoint_url=glue_endpoint, region_name="us-east-1")
    client.create_database(DatabaseInput={"Name": "sales"})
    return client


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (tests/postgres.py), stopped at the end."""
    from tests import postgres as pg

    server = pg.start()
    yield server
    server.stop()
