"""kit new: a paired notebook + job module that exports and is in sync from the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit import config as kit_config
from kit.notebooks import export as exporter
from kit.notebooks.pairing import status
from tests.conftest import tree_digest


def test_new_creates_pair_and_sample_and_exports(project: Path, cli):
    result = cli("new", "daily_sales")
    assert result.exit_code == 0, result.output
    for rel in ("notebooks/daily_sales.ipynb", "jobs/daily_sales.py", "data/daily_sales/input.csv"):
        assert (project / rel).is_file(), rel
        assert f"created {rel}" in result.output
    cfg = kit_config.load(project)
    assert status("daily_sales", cfg).ok
    script = exporter.render("daily_sales", cfg).files[exporter.script_path(cfg, "daily_sales")]
    assert "job.commit()" in script and "getResolvedOptions" in script
    text = (project / "jobs" / "daily_sales.py").read_text()
    assert "formats: notebooks///ipynb,jobs///py:percent" in text


@pytest.mark.slow
def test_new_job_passes_its_own_generated_test(project: Path, cli):
    (project / "tests").mkdir()
    result = cli("new", "daily_sales")
    assert "created tests/jobs/test_daily_sales.py" in result.output
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/jobs/test_daily_sales.py"],
        cwd=project, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_new_refuses_existing_and_bad_names(project: Path, cli):
    before = tree_digest(project)
    result = cli("new", "orders_by_month")
    assert result.exit_code == 1 and "already exists" in result.stderr
    for bad in ("Orders", "1job", "with-dash", "class", "output"):
        result = cli("new", bad)
        assert result.exit_code == 1, bad
        assert result.stderr.count("\n") == 1
    assert tree_digest(project) == before


@pytest.mark.parametrize("content", ['[tool.kit]\nbogus = 1\n', "[tool.kit\n", '[tool.kit]\nbuild = 3\n'])
def test_bad_config_is_one_line_error(project: Path, cli, content):
    (project / "pyproject.toml").write_text(content, encoding="utf-8")
    result = cli("export", "orders_by_month")
    assert result.exit_code == 1
    assert result.stderr.startswith("kit: error: ") and result.stderr.count("\n") == 1
