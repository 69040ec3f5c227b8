"""kit's pytest plugin: importing it changes nothing; a pytest session gets the layer and Spark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kit.runtime.environment import LAYER_DIR


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


def test_importing_the_plugin_leaves_sys_path_alone():
    code = (
        "import sys; before = list(sys.path); import kit.testing.plugin; "
        "print(sys.path == before, 'awsglue' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=_clean_env(), capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def _pytest(folder: Path, ini: str = "") -> subprocess.CompletedProcess[str]:
    (folder / "pytest.ini").write_text(f"[pytest]\n{ini}")
    (folder / "test_glue_import.py").write_text(
        "import awsglue\n\n\ndef test_layer():\n"
        f"    assert awsglue.__file__ == {str(LAYER_DIR / 'awsglue' / '__init__.py')!r}\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=folder, env=_clean_env(), capture_output=True, text=True, check=False,
    )


def test_a_pytest_session_can_import_awsglue_at_module_level(tmp_path: Path):
    run = _pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_the_layer_can_be_turned_off(tmp_path: Path):
    run = _pytest(tmp_path, "kit_glue_layer = false\n")
    assert run.returncode != 0
    assert "No module named 'awsglue'" in run.stdout


def test_glue_context_fixture_runs_on_the_shared_session(glue_context, spark_session):
    from awsglue.dynamicframe import DynamicFrame

    assert glue_context.spark_session.sparkContext is spark_session.sparkContext
    df = spark_session.createDataFrame([(1,), (2,)], "id int")
    assert DynamicFrame.fromDF(df, glue_context, "rows").count() == 2
