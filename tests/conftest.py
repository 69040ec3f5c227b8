"""Shared test helpers: a throwaway copy of the kit project and an in-process CLI runner."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "orders_by_month"


def copy_example_project(
    root: Path, folders: tuple[str, ...] = ("notebooks", "jobs", "data")
) -> Path:
    """A minimal kit project at ``root`` holding copies of this repository's ``folders``."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    for folder in folders:
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's project (settings, example job, data, infra) as the cwd."""
    root = copy_example_project(tmp_path / "proj", folders=("notebooks", "jobs", "infra", "data"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")  # the same [tool.kit] settings
    # every committed build (the example job, the example pipeline's jobs), not local outputs
    shutil.copytree(REPO / "build", root / "build", ignore=shutil.ignore_patterns(
        "output", "benchmarks", "lib", "bdist.*", "graph.html", "__pycache__"))
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    return root


@pytest.fixture
def cli():
    """Invoke the kit CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def tree_digest(root: Path) -> dict[str, str]:
    """Content hash of every file under ``root`` (to prove a command left files untouched)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }

