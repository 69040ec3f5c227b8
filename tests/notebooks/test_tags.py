"""Tags are checked: near misses of job/dev, malformed values and unknown tags are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import tree_digest as project_digest
from tests.notebooks.nbfactory import BOOT, notebook, write_pair

WRITE = "print('write step')"


def tree_digest(root: Path) -> dict[str, str]:
    """The project's files and hashes, kit's state folder (.kit/: sync records) aside."""
    return {k: v for k, v in project_digest(root).items() if not k.startswith(".kit/")}



def refused(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kit: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("tag", ["Job", "JOB", " job", "job ", "Dev"])
def test_near_miss_tags_are_refused_by_export_and_check(project: Path, cli, tag):
    write_pair(project, "near", notebook((["job"], BOOT), ([tag], WRITE)))
    before = tree_digest(project)
    line = refused(cli("export", "near"))
    expected = tag.strip().lower()
    assert "cell 2" in line and f"rename it to \"{expected}\"" in line, line
    assert tree_digest(project) == before
    result = cli("check")
    assert result.exit_code == 3 and "cell 2" in result.stderr


def test_unknown_tag_on_code_cell_refused_unless_allowed(project: Path, cli):
    write_pair(project, "extra", notebook((["job"], BOOT), (["job", "parameters"], "x = 1"),
                                          ("md", "notes")))
    line = refused(cli("export", "extra"))
    assert 'cell 2: unknown tag "parameters"' in line and 'tags = ["parameters"]' in line
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'build = "build"\n', 'build = "build"\ntags = ["parameters"]\n'))
    result = cli("export", "extra")
    assert result.exit_code == 0, result.output
    assert "x = 1" in (project / "build" / "extra" / "extra.py").read_text()


def test_unknown_tag_on_markdown_is_fine(project: Path, cli):
    nb = notebook((["job"], BOOT), ("md", "notes"))
    nb.cells[1].metadata["tags"] = ["anything"]
    write_pair(project, "mdtag", nb)
    assert cli("export", "mdtag").exit_code == 0


def test_tags_as_a_string_in_the_notebook_is_refused_with_the_cell(project: Path, cli):
    ipynb, py = write_pair(project, "strtag", notebook((["job"], BOOT), (["job"], WRITE)))
    data = json.loads(ipynb.read_text())
    data["cells"][1]["metadata"]["tags"] = "job"
    ipynb.write_text(json.dumps(data))
    py.unlink()
    before = tree_digest(project)
    line = refused(cli("export", "notebooks/strtag.ipynb"))
    assert "cell 2: tags must be a list of strings" in line and 'tags=["job"]' in line
    assert tree_digest(project) == before


def test_tags_as_a_string_in_the_py_twin_is_refused_with_the_cell(project: Path, cli):
    ipynb, py = write_pair(project, "pystr", notebook((["job"], BOOT), (["job"], WRITE)))
    ipynb.unlink()
    py.write_text(py.read_text().replace('# %% tags=["job"]\n' + WRITE, '# %% tags="job"\n' + WRITE))
    assert 'tags="job"' in py.read_text()
    line = refused(cli("export", "jobs/pystr.py"))
    assert "cell 2: tags must be a list of strings" in line


def test_bad_allow_list_setting_is_one_line(project: Path, cli):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('build = "build"\n', 'build = "build"\ntags = "x"\n'))
    assert "[tool.kit] tags: Input should be a valid list" in refused(cli("export", "orders_by_month"))
