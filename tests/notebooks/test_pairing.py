"""Pairing: edits to either twin reach the other through `kit sync`; drift is detected."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

from kit import config as kit_config
from kit.notebooks.pairing import status
from kit.notebooks.reader import read_notebook
from tests.conftest import EXAMPLE
from tests.conftest import tree_digest as project_digest


def tree_digest(root: Path) -> dict[str, str]:
    """The project's files and hashes, kit's state folder (.kit/: sync records) aside."""
    return {k: v for k, v in project_digest(root).items() if not k.startswith(".kit/")}



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
    assert result.exit_code == 3
    assert "has outputs in cell(s) 2" in result.stderr
    module = project / "jobs" / f"{EXAMPLE}.py"
    module.write_text(module.read_text().replace('"min_age": "18"', '"min_age": "30"'))
    result = cli("check")
    assert "out of sync" in result.stderr


def _edit_both(project: Path) -> tuple[Path, Path]:
    """Sync once (records the twins), then edit the notebook and the module differently."""
    notebook = project / "notebooks" / f"{EXAMPLE}.ipynb"
    module = project / "jobs" / f"{EXAMPLE}.py"
    from kit.notebooks.pairing import sync

    sync(module, kit_config.load(project))
    nb = jupytext.read(notebook)
    nb.cells[1].source += "\nFROM_NOTEBOOK = 1"
    jupytext.write(nb, notebook)
    module.write_text(module.read_text().replace('"min_age": "18"', '"min_age": "25"'))
    return notebook, module


def test_sync_refuses_when_both_twins_changed_and_changes_nothing(project: Path, cli, tmp_path):
    notebook, module = _edit_both(project)
    for older in (notebook, module):  # whichever twin is newer, neither edit is lost
        _touch_later(older)
        before = tree_digest(project)
        for args in (["sync"], ["sync", f"jobs/{EXAMPLE}.py"], ["export", EXAMPLE], ["run", EXAMPLE]):
            result = cli(*args)
            assert result.exit_code == 1, (args, result.output)
            line = result.stderr.strip()
            assert line.count("\n") == 0 and line.startswith("kit: error: "), line
            assert f"notebooks/{EXAMPLE}.ipynb and jobs/{EXAMPLE}.py both changed" in line
            assert "--keep notebook|py" in line
            assert tree_digest(project) == before
    result = cli("check")
    assert result.exit_code == 3 and "both changed since the last sync" in result.stderr


@pytest.mark.parametrize(("keep", "kept", "lost"), [
    ("py", '"min_age": "25"', "FROM_NOTEBOOK"), ("notebook", "FROM_NOTEBOOK", '"min_age": "25"'),
])
def test_sync_keep_resolves_a_conflict(project: Path, cli, keep, kept, lost):
    notebook, module = _edit_both(project)
    result = cli("sync", f"jobs/{EXAMPLE}.py", "--keep", keep)
    assert result.exit_code == 0, result.output
    for twin in (notebook, module):
        text = "\n".join(c.source for c in read_notebook(twin).cells)
        assert kept in text and lost not in text
    assert status(EXAMPLE, kit_config.load(project)).ok
    assert cli("sync").exit_code == 0


def test_the_edited_twin_wins_even_when_it_is_older(project: Path, cli):
    notebook = project / "notebooks" / f"{EXAMPLE}.ipynb"
    module = project / "jobs" / f"{EXAMPLE}.py"
    assert cli("sync").exit_code == 0  # records both twins
    module.write_text(module.read_text().replace('"min_age": "18"', '"min_age": "40"'))
    _touch_later(notebook)  # the unedited notebook is newer: jupytext alone would revert the edit
    result = cli("export", EXAMPLE)  # exports the edited twin without writing the pair
    assert result.exit_code == 0, result.output
    assert '"min_age": "40"' in (project / "build" / EXAMPLE / f"{EXAMPLE}.py").read_text()
    assert cli("sync").exit_code == 0
    assert any('"min_age": "40"' in c.source for c in read_notebook(notebook).cells)


def test_notebook_symlinked_from_outside_is_one_line(project: Path, cli, tmp_path):
    outside = tmp_path / "outside.ipynb"
    notebook = project / "notebooks" / f"{EXAMPLE}.ipynb"
    outside.write_bytes(notebook.read_bytes())
    notebook.unlink()
    notebook.symlink_to(outside)
    before = tree_digest(project)
    for args in (["sync"], ["export", EXAMPLE], ["run", EXAMPLE]):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1 and "outside the project" in result.stderr
    result = cli("check")
    assert result.exit_code == 3 and "outside the project" in result.stderr
    assert tree_digest(project) == before
