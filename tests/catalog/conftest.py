"""A moto server on 127.0.0.1 (started and stopped here) and a project with the example catalog."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def local_aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean local AWS; AWS_* variables point every client at it."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_GLUE"):
        monkeypatch.delenv(name, raising=False)
    return moto_endpoint


@pytest.fixture
def glue(local_aws: str):
    return boto3.client("glue", endpoint_url=local_aws, region_name="us-east-1")


@pytest.fixture
def s3(local_aws: str):
    return boto3.client("s3", endpoint_url=local_aws, region_name="us-east-1")


@pytest.fixture
def catalog_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (the cwd) holding this repository's example catalog declaration."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    shutil.copytree(REPO / "catalog", root / "catalog")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    monkeypatch.delenv("KIT_S3_ROOT", raising=False)
    return root
