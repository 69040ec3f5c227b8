"""pytest fixtures for jobs that call AWS (entry point ``pytest11``): the same local AWS as ``kit run``.

``local_aws`` (session): kit's local AWS with its S3 objects in a temporary object root, the
process's ``AWS_*`` variables pointed at it for the session (real credentials dropped) and
``KIT_S3_ROOT`` set so Spark's ``s3://`` paths and boto3 share it, with the project's
``local/aws.toml`` loaded. Importing this plugin does not import moto.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Any]:
    """kit's local AWS for the test session (a :class:`kit.localaws.LocalAws`)."""
    from kit.localaws import fixtures, jobrun
    from kit.localaws.server import start

    loaded = fixtures.load(pytestconfig.rootpath)
    s3_root = tmp_path_factory.mktemp("kit-s3")
    patch = pytest.MonkeyPatch()
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        patch.delenv(name)
    server = start(s3_root=s3_root)
    try:
        env = jobrun.local_client_env(server.endpoint, server.region, str(s3_root))
        for name, value in env.items():
            patch.setenv(name, value)
        fixtures.apply(loaded, jobrun.local_clients(env))
        yield server
    finally:
        patch.undo()
        server.stop()
