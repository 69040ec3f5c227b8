"""Pairing: edits to either twin reach the other through `kit sync`; drift is detected."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jupytext
import nbformat

from kit import config as kit_config
from kit.notebooks.pairing import status
from kit.notebooks.reader import read_notebook
from tests.conftest import EXAMPLE


def _touch_later(path: Path) -> None:
    """Make ``path`` the newest twin (jupytext's sync takes inputs from the newest file)."""
    later = time.time() + 5
    os.utime(path, (later, later))


def test_edit_module_then_sync_updates_notebook(project: Path, cli):
    module = project / "jobs" / f"{EXAMPLE}.py"
    module.write_text(module.read_text().replace('"min_age": "18"', '"min_age": "21"'))
    _touch_later(module)
    cfg = kit_config.load(project)
    assert status(EXAMPLE, cfg).state == "out of sync"
    result = cli("sync", f"jobs/{EXAMPLE}.py")
    assert result.exit_code == 0, result.output
    notebook = read_notebook(project / "notebooks" / f"{EXAMPLE}.ipynb")
    assert any('"min_age": "21"' in c.source for c in notebook.cells)
    assert status(EXAMPLE, cfg).state == "in sync"


def test_edit_notebook_then_sync_updates_module_and_keeps_tags(project: Path, cli):
    path = project / "notebooks" / f"{EXAMPLE}.ipynb"
    nb = jupytext.read(path)
    nb.cells[1].source += "\nEXTRA_SETTING = 7"
    nb.cells.insert(2, jupytext.reads("# %% tags=[\"dev\"]\nprint('peek')", fmt="py:percent").cells[0])
    jupytext.write(nb, path)
    _touch_later(path)
    result = cli("sync", f"notebooks/{EXAMPLE}.ipynb")
    assert result.exit_code == 0, result.output
    text = (project / "jobs" / f"{EXAMPLE}.py").read_text()
    assert "EXTRA_SETTING = 7" in text
    assert "# %% tags=[\"dev\"]\nprint('peek')" in text
    assert status(EXAMPLE, kit_config.load(project)).ok


def test_sync_creates_missing_twin(project: Path, cli):
    (project / "notebooks" / f"{EXAMPLE}.ipynb").unlink()
    cfg = kit_config.load(project)
    assert status(EXAMPLE, cfg).state == "missing notebook"
    assert cli("sync", f"jobs/{EXAMPLE}.py").exit_code == 0
    assert status(EXAMPLE, cfg).ok


def test_sync_refuses_malformed_twin_without_touching_the_other(project: Path, cli):
    notebook = project / "notebooks" / f"{EXAMPLE}.ipynb"
    notebook.write_text("{broken", encoding="utf-8")
    module = project / "jobs" / f"{EXAMPLE}.py"
    before = module.read_bytes()
    result = cli("sync", f"jobs/{EXAMPLE}.py")
    assert result.exit_code == 1 and "not a valid notebook" in result.stderr
    assert module.read_bytes() == before
    assert notebook.read_text() == "{broken"


def test_kit_check_reports_drift_outputs_and_stale_exports(project: Path, cli):
    assert cli("check").exit_code == 0
    notebook = project / "notebooks" / f"{EXAMPLE}.ipynb"
    nb = jupytext.read(notebook)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret data\n")]
    nb.cells[1].execution_count = 1
    jupytext.write(nb, notebook)
    result = cli("check")
    assert result.exit_code == 1
    assert "has outputs in cell(s) 2" in result.stderr
    module = project / "jobs" / f"{EXAMPLE}.py"
    module.write_text(module.read_text().replace('"min_age": "18"', '"min_age": "30"'))
    result = cli("check")
    assert "out of sync" in result.stderr
