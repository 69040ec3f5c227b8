"""Runtimes for the version tests: built once per machine in the user cache (CI caches it)."""

from __future__ import annotations

import pytest

from kit.runtime import runtimes
from tests.endpoints.conftest import client, livy, workdir  # noqa: F401  (a local endpoint)
from tests.infra.conftest import (  # noqa: F401  (a project on a local moto server)
    aws_clients,
    deploy_project,
    kit,
    local_aws,
    moto,
    project_dir,
)


@pytest.fixture(scope="session")
def glue_runtimes() -> dict[str, runtimes.RuntimeStatus]:
    """Every Glue version's runtime, built on first use and reused by later sessions."""
    return {v: runtimes.ensure(v, print) for v in runtimes.GLUE_VERSIONS}
