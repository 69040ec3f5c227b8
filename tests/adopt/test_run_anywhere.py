"""``kit run`` outside any project: a script path runs from here, a job name asks for a project.

(The full run of a Glue script with no project is in test_roundtrip.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import NoProject


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    if any((p / "pyproject.toml").exists() or (p / "jupytext.toml").exists() for p in folder.parents):
        pytest.skip("the temporary folder lies inside a project")
    return folder


def test_no_project_is_a_typed_error_naming_kit_init(nowhere: Path):
    with pytest.raises(NoProject, match="run `kit init`"):
        kit_config.load()


def test_for_folder_puts_state_in_dot_kit(nowhere: Path):
    cfg = kit_config.for_folder(nowhere)
    assert cfg.root == nowhere.resolve() and cfg.state_dir == nowhere.resolve() / ".kit"
    assert not (nowhere / ".kit").exists()  # nothing written until a run needs it


def test_missing_script_without_project_is_one_line(nowhere: Path, cli):
    result = cli("run", "missing.py", "--JOB_NAME", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith("kit: error: missing.py: no such script")
    assert result.stderr.count("\n") == 1
    assert list(nowhere.iterdir()) == []


def test_job_name_without_project_suggests_kit_init(nowhere: Path, cli):
    result = cli("run", "daily_sales")
    assert result.exit_code == 1
    assert result.stderr == (
        "kit: error: no kit project found here or above; run kit from your project folder "
        "(one with pyproject.toml) or run `kit init` to make this folder one\n"
    )
