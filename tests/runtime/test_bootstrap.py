"""The bootstrap (kit.bootstrap, called by each job's bootstrap cell) decides the run mode:
Glue job, endpoint/session, local Spark or unit test."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit import bootstrap
from kit.notebooks.reader import read_notebook
from kit.runtime.environment import LAYER_DIR
from tests.conftest import EXAMPLE, REPO


def bootstrap_source() -> str:
    nb = read_notebook(REPO / "notebooks" / f"{EXAMPLE}.ipynb")
    return next(c.source for c in nb.cells if "JOB_ARGS = {" in c.source)


def run_bootstrap(argv: list[str]) -> dict:
    namespace: dict = {"__name__": "__main__"}
    old_argv = sys.argv
    sys.argv = argv
    try:
        exec(compile(bootstrap_source(), "bootstrap", "exec"), namespace)
    finally:
        sys.argv = old_argv
    return namespace


@pytest.fixture
def no_glue(monkeypatch):
    """``import awsglue`` fails as it does on a machine without Glue's libraries."""
    monkeypatch.setitem(sys.modules, "awsglue", None)


@pytest.fixture
def local_glue(monkeypatch):
    """kit's local awsglue layer importable, as in kit's runner, kernel and endpoint."""
    monkeypatch.syspath_prepend(str(LAYER_DIR))


def test_the_job_cell_is_a_handful_of_lines_calling_kit_bootstrap():
    lines = [line for line in bootstrap_source().splitlines() if line and not line.startswith("#")]
    assert "from kit.bootstrap import start" in lines
    assert 'RUN_MODE, args, spark, glue_context, job = start(JOB_ARGS, "orders_by_month")' in lines
    assert len(lines) <= 12


def test_the_module_imports_only_the_standard_library_and_glue_or_spark_lazily():
    tree = ast.parse(Path(bootstrap.__file__).read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in top if isinstance(n, ast.ImportFrom)}
    assert names and all(name.split(".")[0] in sys.stdlib_module_names for name in names)
    assert "__future__" not in names  # its source is pasted mid-script by kit export
    lazy = {n.module if isinstance(n, ast.ImportFrom) else n.names[0].name for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and n not in top}
    assert {m.split(".")[0] for m in lazy} == {"awsglue", "pyspark"}


def test_run_mode_reads_argv_and_environment_it_is_given(no_glue):
    assert bootstrap.run_mode(["x"], {"ENV": "test"}) == "test"
    assert bootstrap.run_mode(["x", "--JOB_NAME=n"], {}) == "glue_job"
    assert bootstrap.run_mode(["x", "--JOB_NAMES", "n"], {}) == "local"
    result = bootstrap.start({"a": "1"}, argv=["x", "--a", "2"], environ={"ENV": "test"})
    assert result == ("test", {"a": "1"}, None, None, None)  # test mode resolves nothing


def test_project_root_is_the_folder_with_jupytext_toml(tmp_path, monkeypatch):
    (tmp_path / "jupytext.toml").write_text("")
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    assert bootstrap.project_root(str(tmp_path / "notebooks" / "deep")) == str(tmp_path)
    monkeypatch.chdir(tmp_path / "notebooks")
    assert bootstrap.project_root() == str(tmp_path)


def test_test_mode_imports_neither_glue_nor_spark():
    code = (
        "import sys, json\n"
        f"exec(open({str(REPO / 'build' / EXAMPLE / (EXAMPLE + '.py'))!r}).read().split("
        "'# --- notebook cell 3 ---')[0])\n"
        "print(json.dumps({'mode': RUN_MODE, 'spark': spark is None, 'args': args,"
        " 'loaded': sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'awsglue'))}))"
    )
    env = {**os.environ, "ENV": "test", "PYTHONPATH": str(LAYER_DIR)}
    out = subprocess.run(
        [sys.executable, "-c", code, "--JOB_NAME", "x"], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert result["mode"] == "test"
    assert result["spark"] is True
    assert result["loaded"] == []
    assert result["args"]["min_age"] == "18"


def test_local_mode_uses_plain_spark_and_local_defaults(spark_session, no_glue, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO / "notebooks")  # where a notebook kernel starts
    ns = run_bootstrap(["notebook"])
    assert ns["RUN_MODE"] == "local"
    assert ns["spark"] is spark_session
    assert ns["glue_context"] is None and ns["job"] is None
    assert ns["args"] == ns["JOB_ARGS"]
    assert ns["_is_dev_endpoint"] is False
    assert Path.cwd() == REPO  # defaults resolve from the project root


def test_endpoint_mode_builds_a_glue_context_without_a_job(spark_session, local_glue, monkeypatch):
    monkeypatch.chdir(REPO)
    ns = run_bootstrap(["livy-session"])
    assert ns["RUN_MODE"] == "endpoint"
    assert ns["glue_context"] is not None
    assert ns["spark"].sparkContext is spark_session.sparkContext
    assert ns["job"] is None
    assert ns["_is_dev_endpoint"] is True
    assert ns["args"]["customers_path"] == "data/orders_by_month/customers.csv"


def test_glue_job_mode_resolves_arguments_and_inits_the_job(spark_session, local_glue, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("KIT_BOOKMARK_DIR", str(REPO / ".kit" / "test-bookmarks"))
    argv = ["script.py", "--JOB_NAME", "nightly", "--min_age", "21", "--job-bookmark-option",
            "job-bookmark-disable", "--TempDir", "s3://tmp/x"]
    ns = run_bootstrap(argv)
    assert ns["RUN_MODE"] == "glue_job"
    assert ns["args"]["JOB_NAME"] == "nightly"
    assert ns["args"]["min_age"] == "21"  # given on the command line
    assert ns["args"]["orders_path"] == "data/orders_by_month/orders.csv"  # local default
    assert ns["job"] is not None
    assert ns["spark"].sparkContext is spark_session.sparkContext


def test_glue_job_mode_missing_required_argument_fails_like_glue(spark_session, local_glue):
    from awsglue.utils import GlueArgumentError

    with pytest.raises(GlueArgumentError):
        run_bootstrap(["script.py", "--JOB_NAME"])


def test_a_broken_glue_install_is_not_mistaken_for_local(tmp_path, monkeypatch):
    """Only "awsglue is not installed" means local; a missing dependency of awsglue surfaces."""
    broken = tmp_path / "awsglue"
    broken.mkdir()
    (broken / "__init__.py").write_text("import glue_native_dependency_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "awsglue", raising=False)
    with pytest.raises(ModuleNotFoundError, match="glue_native_dependency_that_is_missing"):
        run_bootstrap(["notebook"])


@pytest.mark.slow
def test_endpoint_mode_takes_argument_overrides_from_the_session_conf(tmp_path):
    """On a dev endpoint / interactive session, spark.kit.arg.NAME replaces a local default."""
    code = (
        "import json\n"
        f"exec(compile({bootstrap_source()!r}, 'bootstrap', 'exec'))\n"
        "print(json.dumps({'mode': RUN_MODE, 'args': args}))\n"
        "spark.stop()\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(LAYER_DIR),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_SUBMIT_ARGS": "--master local[1] --conf spark.ui.enabled=false "
        "--conf spark.kit.arg.orders_path=s3://bucket/orders/ --conf spark.kit.arg.unknown=x "
        "pyspark-shell",
    }
    env.pop("ENV", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["mode"] == "endpoint"
    assert result["args"]["orders_path"] == "s3://bucket/orders/"
    assert result["args"]["customers_path"] == "data/orders_by_month/customers.csv"
    assert "unknown" not in result["args"]
