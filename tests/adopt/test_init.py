"""``kit init``: an existing repository becomes a kit project without losing anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.adopt import init as kit_init
from tests.conftest import tree_digest

EXISTING = """\
# Team data platform: keep this header.
[project]
name = "etl"          # the distribution name
version = "2.3.0"
dependencies = ["boto3"]

[tool.black]
line-length = 88  # house style

# mypy is strict here
[tool.mypy]
strict = true

[tool.pytest.ini_options]
addopts = "-q"
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "etl"
    root.mkdir()
    (root / "pyproject.toml").write_text(EXISTING, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    return root


def test_init_keeps_every_key_and_comment_and_adds_tool_kit(repo: Path, cli):
    result = cli("init")
    assert result.exit_code == 0, result.output
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(EXISTING)  # byte for byte, comments and blank lines included
    assert "[tool.kit]" in text[len(EXISTING):]
    cfg = kit_config.load(repo)
    assert cfg.notebooks_dir == repo / "notebooks" and cfg.jobs_dir == repo / "jobs"
    for path in ("jupytext.toml", "infra/etl-template.yml", "infra/bootstrap.yml",
                 ".pre-commit-config.yaml", ".github/workflows/kit.yml", ".gitignore"):
        assert (repo / path).is_file(), path
    for folder in ("notebooks", "jobs", "tests", "infra", "data"):
        assert (repo / folder).is_dir()
    assert "add [tool.kit] to pyproject.toml" in result.output
    assert kit_config.find_root(repo / "jobs") == repo


def test_init_again_changes_nothing_and_says_what_it_left_alone(repo: Path, cli):
    cli("init")
    before = tree_digest(repo)
    result = cli("init")
    assert result.exit_code == 0
    assert tree_digest(repo) == before
    assert "left alone pyproject.toml (exists)" in result.output
    assert "nothing to do" in result.output


def test_init_never_overwrites_an_existing_file(repo: Path, cli):
    (repo / "jupytext.toml").write_text("# ours\nformats = 'ipynb,py:light'\n", encoding="utf-8")
    (repo / ".gitignore").write_text("dist/\n", encoding="utf-8")
    result = cli("init")
    assert result.exit_code == 0
    assert (repo / "jupytext.toml").read_text(encoding="utf-8") == "# ours\nformats = 'ipynb,py:light'\n"
    assert (repo / ".gitignore").read_text(encoding="utf-8") == "dist/\n"
    assert "left alone jupytext.toml (exists)" in result.output
    assert "left alone .gitignore (exists)" in result.output


def test_dry_run_lists_and_writes_nothing(repo: Path, cli):
    before = tree_digest(repo)
    result = cli("init", "--dry-run")
    assert result.exit_code == 0
    assert tree_digest(repo) == before
    assert not (repo / "notebooks").exists()
    assert "would write jupytext.toml" in result.output
    assert "would add [tool.kit] to pyproject.toml" in result.output


def test_init_a_new_folder_and_an_existing_tool_kit(tmp_path: Path, cli):
    result = cli("init", str(tmp_path / "fresh"))
    assert result.exit_code == 0
    assert kit_config.load(tmp_path / "fresh").root == tmp_path / "fresh"
    plan = kit_init.plan(tmp_path / "fresh")
    assert plan.empty and tmp_path / "fresh" / "pyproject.toml" in plan.kept


def test_init_refuses_a_file_where_a_folder_goes(repo: Path, cli):
    (repo / "jobs").write_text("not a folder", encoding="utf-8")
    before = tree_digest(repo)
    result = cli("init")
    assert result.exit_code == 1 and "jobs exists and is not a folder" in result.stderr
    assert tree_digest(repo) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project\nname = 'x'\n", "not valid TOML"),
        ("tool = { ruff = { line-length = 90 } }\n", "cannot add a [tool.kit] table"),
    ],
)
def test_pyproject_kit_cannot_edit_is_one_line(repo: Path, cli, text: str, message: str):
    (repo / "pyproject.toml").write_text(text, encoding="utf-8")
    before = tree_digest(repo)
    result = cli("init")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("kit: error: ") and message in result.stderr
    assert tree_digest(repo) == before


def test_dotted_tool_keys_are_kept(repo: Path, cli):
    text = "tool.ruff.line-length = 100  # dotted\n\n[project]\nname = 'x'\n"
    (repo / "pyproject.toml").write_text(text, encoding="utf-8")
    assert cli("init").exit_code == 0
    data = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["tool"]["ruff"] == {"line-length": 100} and data["project"] == {"name": "x"}
    assert "kit" in data["tool"]
    assert "# dotted" in (repo / "pyproject.toml").read_text(encoding="utf-8")


def test_a_job_made_in_an_initialised_project_is_on_aws_default_glue_version(repo: Path, cli):
    """kit init makes the project; its first job (kit new) is pinned to AWS's current default
    Glue version, 5.1, and its notebook names that version's kernel."""
    assert cli("init").exit_code == 0
    made = cli("new", "daily")
    assert made.exit_code == 0, made.output
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(EXISTING)
    assert tomllib.loads(text)["tool"]["kit"]["job"]["daily"] == {"glue_version": "5.1"}
    nb = (repo / "notebooks" / "daily.ipynb").read_text(encoding="utf-8")
    assert '"name": "glue-local-5.1"' in nb
