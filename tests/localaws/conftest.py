"""One kit local AWS per test session (reset per test), reached over real HTTP with boto3."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import boto3
import pytest

from kit import localaws


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[localaws.LocalAws]:
    """S3 objects live in a folder (``server.s3_root``), as for a job run."""
    running = localaws.start(s3_root=tmp_path_factory.mktemp("s3-root"))
    yield running
    running.stop()


@pytest.fixture
def aws(server: localaws.LocalAws):
    """A clean local AWS; ``aws("glue")`` is a boto3 client on it (dummy keys, us-east-1)."""
    server.reset()
    server.unstage_job_runs()
    for folder in server.s3_root.iterdir():  # reset forgets metadata; the files are the objects
        shutil.rmtree(folder)

    def client(service: str):
        return boto3.client(service, endpoint_url=server.endpoint, region_name=server.region,
                            aws_access_key_id="k", aws_secret_access_key="s")

    return client
