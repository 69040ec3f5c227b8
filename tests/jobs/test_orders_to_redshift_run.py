"""orders_to_redshift as a new user runs it: `kit aws local` + `kit db local`, then `kit run`,
then `kit bootstrap` / `kit deploy` / `kit itest` against that local AWS. The rows are read back
with psql (an independent client) and compared with the sample data computed in plain Python."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from kit import localdb
from tests.conftest import REPO
from tests.jobs.expected_orders_to_redshift import expected_revenue

pytestmark = pytest.mark.slow

JOB = "orders_to_redshift"
KIT = [sys.executable, "-m", "kit"]
TABLE = "public.customer_revenue"
COLUMNS = "customer_id, country, orders, revenue, first_order, last_order"


def copy_project(root: Path) -> Path:
    """This repository's project: settings, jobs, builds, catalog, local AWS fixtures, checks."""
    root.mkdir()
    for name in ("pyproject.toml", "jupytext.toml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("notebooks", "jobs", "data", "infra", "catalog", "local", f"build/{JOB}"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("tests/__init__.py", "tests/jobs/__init__.py",
                 "tests/jobs/expected_orders_to_redshift.py", "tests/integration/__init__.py",
                 "tests/integration/conftest.py", f"tests/integration/test_{JOB}.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, root / name)
    return root


class Project:
    """A copied project with kit's local AWS and local PostgreSQL running for it."""

    def __init__(self, root: Path):
        self.root = root
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "KIT_"))}
        self.servers: list[subprocess.Popen] = []

    def serve(self, *command: str) -> str:
        """Start a long-running kit command; its first stdout line."""
        log = self.root.parent / f"{command[0]}.log"  # a file: a full pipe would block the server
        with open(log, "w", encoding="utf-8") as err:
            proc = subprocess.Popen([*KIT, *command], cwd=self.root, env=self.env, text=True,
                                    stdout=subprocess.PIPE, stderr=err)
        self.servers.append(proc)
        line = proc.stdout.readline().strip() if proc.stdout else ""
        assert line, f"kit {' '.join(command)} printed nothing: {log.read_text()}"
        return line

    def kit(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*KIT, *command], cwd=self.root, env=self.env, text=True,
                              capture_output=True, check=False)

    def stop(self) -> None:
        for proc in reversed(self.servers):
            proc.terminate()  # SIGTERM: each stops cleanly
            proc.communicate(timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Iterator[Project]:
    running = Project(copy_project(tmp_path_factory.mktemp("seed") / "proj"))
    db = None
    try:
        export = running.serve("aws", "local", "--port", "0")
        assert export.startswith("export AWS_ENDPOINT_URL=http://localhost:")
        running.env.update(AWS_ENDPOINT_URL=export.split("=", 1)[1], AWS_ACCESS_KEY_ID="local",
                           AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1")
        assert running.serve("db", "local").startswith("jdbc:postgresql://127.0.0.1:")
        db = localdb.find_running(running.root / ".kit")
        yield running
    finally:
        running.stop()
        if db is not None and db.server_dir:  # root: the cluster lived in /var/tmp
            shutil.rmtree(db.server_dir, ignore_errors=True)


def table_rows(project: Project) -> list[tuple]:
    state = project.root / ".kit"
    db = localdb.find_running(state)
    assert db is not None
    rows = db.psql(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY customer_id")
    return [(int(c), country, int(n), Decimal(rev), dt.date.fromisoformat(first),
             dt.date.fromisoformat(last)) for c, country, n, rev, first, last in rows]


def test_kit_run_loads_the_catalog_tables_into_the_local_redshift(project):
    run = project.kit("run", JOB)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "kit: local AWS: catalog/ (dev):" in run.stderr
    assert "Glue: 0 database(s), 0 table(s), 1 connection(s)" in run.stderr
    assert f"{len(expected_revenue())} customer(s) loaded into {TABLE}" in run.stdout
    assert table_rows(project) == expected_revenue()
    password = localdb.find_running(project.root / ".kit").password
    assert password not in run.stdout + run.stderr


def test_kit_itest_runs_the_deployed_job_and_queries_the_database(project):
    assert project.kit("bootstrap").returncode == 0
    deployed = project.kit("deploy", JOB)
    assert deployed.returncode == 0, deployed.stderr
    db = localdb.find_running(project.root / ".kit")
    db.psql(f"DROP TABLE IF EXISTS {TABLE}")  # the itest run must create and load it again
    itest = project.kit("itest", JOB, "--poll", "0.2")
    assert itest.returncode == 0, itest.stdout + itest.stderr
    assert itest.stdout.strip().endswith("SUCCEEDED; checks passed")
    assert f"running tests/integration/test_{JOB}.py" in itest.stderr
    assert table_rows(project) == expected_revenue()
