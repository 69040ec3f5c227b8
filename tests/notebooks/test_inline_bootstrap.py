"""kit export inlines kit.bootstrap: the Glue script is self-contained and still byte-identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import ExportRefused
from kit.notebooks import export as exporter
from kit.notebooks.inline_bootstrap import BEGIN, END, inline_cell, module_source, session_preamble
from kit.notebooks.reader import read_notebook
from kit.notebooks.tags import job_cells
from tests.conftest import EXAMPLE, REPO, tree_digest
from tests.notebooks.nbfactory import notebook, write_pair


def test_the_import_becomes_the_module_source_once():
    cell = "from kit.bootstrap import start\nJOB_ARGS = {}\nRUN_MODE = start(JOB_ARGS).run_mode\n"
    out, inlined = inline_cell(cell)
    assert inlined
    assert "from kit.bootstrap" not in out
    lines = out.splitlines()
    assert lines[0] == BEGIN and END in lines
    assert "\n".join(lines[1:lines.index(END)]) == module_source()
    assert lines[lines.index(END) + 1:] == ["JOB_ARGS = {}", "RUN_MODE = start(JOB_ARGS).run_mode"]
    again, _ = inline_cell("from kit.bootstrap import start as boot, project_root\nx = 1", True)
    assert again.splitlines() == ["boot = start", "x = 1"]  # pasted once per script


def test_the_inlined_module_carries_no_docstring_and_no_future_import():
    source = module_source()
    compile(source, "kit/bootstrap.py", "exec", dont_inherit=True)
    assert "from __future__" not in source  # would not compile in the middle of a script
    assert not source.startswith('"""')


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("import kit.bootstrap\n", "top-level `from kit.bootstrap import start`"),
        ("from kit import bootstrap\n", "top-level `from kit.bootstrap import start`"),
        ("if True:\n    from kit.bootstrap import start\n", "top-level"),
        ("from kit.bootstrap import nothing_like_this\n", "has no name 'nothing_like_this'"),
        ("from kit.bootstrap import start; x = 1\n", "on lines of its own"),
    ],
)
def test_imports_export_cannot_inline_are_refused(cell, expected):
    with pytest.raises(ExportRefused, match=expected):
        inline_cell(cell)


def test_example_script_is_self_contained_and_identical_from_both_twins(project: Path):
    cfg = kit_config.load(project)
    scripts = {
        twin: exporter.render(twin, cfg).files[exporter.script_path(cfg, EXAMPLE)]
        for twin in (f"notebooks/{EXAMPLE}.ipynb", f"jobs/{EXAMPLE}.py")
    }
    assert len(set(scripts.values())) == 1
    script = scripts[f"jobs/{EXAMPLE}.py"]
    assert script.count(BEGIN) == 1
    assert "from kit" not in script and "import kit" not in script
    assert script == (REPO / "build" / EXAMPLE / f"{EXAMPLE}.py").read_text(encoding="utf-8")


def test_exported_script_starts_without_kit_installed(project: Path, tmp_path: Path):
    """``-I -S``: no site-packages, so no kit (and no Spark: test mode needs none)."""
    script = (project / "build" / EXAMPLE / f"{EXAMPLE}.py").read_text(encoding="utf-8")
    head = script.split("# --- notebook cell 3 ---")[0]
    code = head + (
        "\nimport json\nprint(json.dumps({'mode': RUN_MODE, 'dev': _is_dev_endpoint, 'args': args,"
        " 'kit': 'kit' in sys.modules}))\n"
    )
    env = {**os.environ, "ENV": "test"}
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result == {"mode": "test", "dev": False, "kit": False,
                      "args": {"customers_path": "data/orders_by_month/customers.csv",
                               "orders_path": "data/orders_by_month/orders.csv",
                               "output_path": "build/output/orders_by_month", "min_age": "18"}}


def test_session_preamble_runs_the_jobs_own_cell_where_kit_is_missing(tmp_path: Path):
    nb = read_notebook(REPO / "notebooks" / f"{EXAMPLE}.ipynb")
    bootstrap = next(c.source for _, c in job_cells(nb) if "from kit.bootstrap" in c.source)
    code = session_preamble() + "\n" + bootstrap + (
        "\nimport json, sys\nprint(json.dumps({'mode': RUN_MODE, 'min_age': args['min_age'],"
        " 'from': sys.modules['kit.bootstrap'].__file__ if hasattr("
        "sys.modules['kit.bootstrap'], '__file__') else None}))\n"
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], env={**os.environ, "ENV": "test"},
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"mode": "test", "min_age": "18", "from": None}


def test_session_command_prints_magics_then_the_preamble(project: Path, cli):
    result = cli("endpoint", "session", EXAMPLE)
    assert result.exit_code == 0, result.output
    magics, _, rest = result.stdout.partition("\n# kit.bootstrap for this session")
    assert all(line.startswith("%") for line in magics.splitlines())
    assert "%glue_version 5.0" in magics
    compile(rest.partition("\n")[2], "preamble", "exec")


def test_a_bad_bootstrap_import_is_one_line_and_writes_nothing(project: Path, cli):
    write_pair(project, "bad", notebook((["job"], "import kit.bootstrap\nx = kit.bootstrap.start({})")))
    before = tree_digest(project)
    result = cli("export", "notebooks/bad.ipynb")
    assert result.exit_code == 1
    assert result.stderr.startswith("kit: error: notebooks/bad.ipynb: cell 1, line 1: ")
    assert result.stderr.count("\n") == 1
    assert tree_digest(project) == before
