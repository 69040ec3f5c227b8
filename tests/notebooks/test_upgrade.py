"""kit upgrade-bootstrap: an old copied bootstrap cell becomes a call to kit.bootstrap, in both twins."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from kit import config as kit_config
from kit.notebooks import export as exporter
from kit.notebooks.pairing import TEXT_FORMAT, status
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import job_cells
from kit.notebooks.template import OLD_BOOTSTRAP_TEMPLATES, bootstrap_cell
from kit.notebooks.upgrade import _job_args_block
from tests.conftest import EXAMPLE, REPO, tree_digest

OLD_LINE = "    spark = SparkSession.builder.appName(\"orders_by_month\").getOrCreate()"


def _bootstrap_number(nb) -> int:
    return next(n for n, c in job_cells(nb) if "JOB_ARGS = {" in c.source)


def make_old(project: Path, edit: tuple[str, str] | None = None, twin: str = "both",
             template: str = OLD_BOOTSTRAP_TEMPLATES[-1]) -> None:
    """Turn the example job back into what kit new wrote before kit.bootstrap (both twins)."""
    nb = read_notebook(REPO / "jobs" / f"{EXAMPLE}.py")
    cell = nb.cells[_bootstrap_number(nb) - 1]
    old = bootstrap_cell(EXAMPLE, _job_args_block(cell.source), template).strip("\n")
    for path in (project / "notebooks" / f"{EXAMPLE}.ipynb", project / "jobs" / f"{EXAMPLE}.py"):
        cell.source = old
        if edit and (twin == "both" or path.suffix == twin):
            assert edit[0] in old
            cell.source = old.replace(*edit)
        fmt = "ipynb" if path.suffix == ".ipynb" else TEXT_FORMAT
        path.write_text(jupytext.writes(nb, fmt=fmt), encoding="utf-8")


@pytest.mark.parametrize("template", OLD_BOOTSTRAP_TEMPLATES)
def test_old_cells_become_the_short_form_and_export_the_committed_build(project: Path, cli,
                                                                        template: str):
    make_old(project, template=template)
    old_cells = read_notebook(project / "jobs" / f"{EXAMPLE}.py").cells
    assert any("def _run_mode(" in c.source for c in old_cells)
    result = cli("upgrade-bootstrap", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert f"upgraded jobs/{EXAMPLE}.py" in result.stdout
    assert f"upgraded notebooks/{EXAMPLE}.ipynb" in result.stdout
    for twin in (f"jobs/{EXAMPLE}.py", f"notebooks/{EXAMPLE}.ipynb"):
        upgraded = read_notebook(project / twin)
        expected = read_notebook(REPO / twin)
        assert [c.source for c in upgraded.cells] == [c.source for c in expected.cells], twin
    cfg = kit_config.load(project)
    assert status(EXAMPLE, cfg).ok
    script = exporter.render(EXAMPLE, cfg).files[exporter.script_path(cfg, EXAMPLE)]
    assert script == (REPO / "build" / EXAMPLE / f"{EXAMPLE}.py").read_text(encoding="utf-8")
    again = cli("upgrade-bootstrap")
    assert again.exit_code == 0 and f"up to date jobs/{EXAMPLE}.py" in again.stdout


def test_a_hand_edited_cell_is_refused_in_one_line_and_nothing_is_written(project: Path, cli):
    make_old(project, edit=(OLD_LINE, OLD_LINE + "\n    spark.conf.set('x', 'y')"), twin=".py")
    before = tree_digest(project)
    result = cli("upgrade-bootstrap", EXAMPLE)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kit: error: jobs/{EXAMPLE}.py: cell 2 (the bootstrap) ")
    assert "edited by hand" in result.stderr and result.stderr.count("\n") == 1
    assert tree_digest(project) == before  # the clean notebook twin was not written either


def test_a_changed_job_args_block_is_not_an_edit(project: Path, cli):
    """Only the JOB_ARGS declaration may differ from the template (it is the job's own)."""
    make_old(project, edit=('    "min_age": "18",\n', '    "min_age": "21",  # adults here\n'))
    result = cli("upgrade-bootstrap", EXAMPLE)
    assert result.exit_code == 0, result.output
    cell = read_notebook(project / "notebooks" / f"{EXAMPLE}.ipynb").cells[1].source
    assert '"min_age": "21",  # adults here' in cell
    assert 'start(JOB_ARGS, "orders_by_month")' in cell


def test_unknown_job_is_one_line(project: Path, cli):
    result = cli("upgrade-bootstrap", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("kit: error: no notebook or job module named 'nope'")
    assert result.stderr.count("\n") == 1
