"""Notebooks executed through nbclient on the installed "Glue 5.0 (local)" kernel.

The kernel is a separate process with its own Spark driver (not the test session's), started in
the notebook's folder like Jupyter does; it must move to the project root, have the layer
importable and pick up kit's Spark settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from kit.runtime import kernel as glue_kernel
from kit.runtime.environment import LAYER_DIR

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
KIT_KERNEL = (  # `kit kernel ...` until the lead registers the group in kit/cli.py
    "from kit.cli import main\n"
    "from kit.runtime.kernel_commands import kernel\n"
    "if 'kernel' not in main.commands:\n"
    "    main.add_command(kernel)\n"
    "main()\n"
)
AMOUNTS = [10.5, 20.0, 7.25, 1.0]


@pytest.fixture
def kit_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kit project with sample data, and the kernel installed in a private Jupyter prefix."""
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "data" / "demo").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    lines = ["id,name,amount"] + [f"{i},n{i},{a}" for i, a in enumerate(AMOUNTS, 1)]
    (root / "data" / "demo" / "input.csv").write_text("\n".join(lines) + "\n")
    records = [{"id": i, "amount": a} for i, a in enumerate(AMOUNTS, 1)]
    (root / "data" / "demo" / "input.json").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n"
    )
    prefix = tmp_path / "jupyter-prefix"
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    glue_kernel.install(prefix=prefix)
    return root


def run_notebook(project: Path, *sources: str) -> list[str]:
    """Execute cells on the glue-local kernel from ``notebooks/``; each cell's stdout."""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "glue-local", "display_name": "Glue 5.0 (local)",
                                 "language": "python"}
    client = NotebookClient(
        nb, kernel_name="glue-local", timeout=240, startup_timeout=120,
        resources={"metadata": {"path": str(project / "notebooks")}},
    )
    client.execute()
    nbformat.validate(nb)
    return [
        "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
        for cell in nb.cells
    ]


def test_kernel_runs_spark_at_the_project_root(kit_project: Path) -> None:
    probe = (
        "import json, os, sys\n"
        "print(json.dumps({'cwd': os.getcwd(), 'path': sys.path, 'exe': sys.executable,\n"
        "                  'project': os.environ.get('KIT_PROJECT')}))"
    )
    spark_cell = (
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "df = spark.read.option('header', True).csv('data/demo/input.csv')\n"
        "total = df.selectExpr('sum(cast(amount as double)) as s').first()['s']\n"
        "print(json.dumps({'master': spark.sparkContext.master, 'total': total,\n"
        "                  'tz': spark.conf.get('spark.sql.session.timeZone')}))"
    )
    first, second = run_notebook(kit_project, probe, spark_cell)

    seen = json.loads(first.strip().splitlines()[-1])
    assert Path(seen["cwd"]) == kit_project.resolve()
    assert seen["project"] == str(kit_project.resolve())
    assert str(LAYER_DIR) in seen["path"]
    assert Path(seen["exe"]).resolve() == Path(sys.executable).resolve()
    result = json.loads(second.strip().splitlines()[-1])
    assert result["master"] == "local[*]"
    assert result["tz"] == "UTC"
    assert result["total"] == pytest.approx(sum(AMOUNTS))


def test_plain_awsglue_imports_run_on_the_kernel(kit_project: Path) -> None:
    data = kit_project / "data" / "demo" / "input.json"
    cell = (
        "from awsglue.context import GlueContext\n"
        "from pyspark.context import SparkContext\n"
        "glue_context = GlueContext(SparkContext.getOrCreate())\n"
        "frame = glue_context.create_dynamic_frame.from_options(\n"
        f"    connection_type='s3', connection_options={{'paths': [{str(data)!r}]}},\n"
        "    format='json')\n"
        "rows = frame.toDF().collect()\n"
        "print(frame.count(), sorted(r['id'] for r in rows))"
    )
    (out,) = run_notebook(kit_project, cell)
    last = out.strip().splitlines()[-1]  # the layer may print where s3:// paths go first
    assert last == f"{len(AMOUNTS)} {list(range(1, len(AMOUNTS) + 1))}"


EXAMPLE = "orders_by_month"


def test_nbval_runs_the_example_notebook_on_the_kernel(tmp_path: Path) -> None:
    """What CI does: `pytest --nbval-lax --nbval-kernel-name glue-local notebooks/`."""
    from tests.conftest import copy_example_project
    from tests.jobs.expected_orders_by_month import expected_totals

    root = copy_example_project(tmp_path / "proj")
    prefix = tmp_path / "jupyter-prefix"
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_PROJECT", "PYSPARK_SUBMIT_ARGS")}
    env["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    installed = subprocess.run(
        [sys.executable, "-c", KIT_KERNEL, "kernel", "install", "--prefix", str(prefix)],
        env=env, capture_output=True, text=True, check=False,
    )
    assert installed.returncode == 0, installed.stderr

    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-kernel-name", "glue-local", f"notebooks/{EXAMPLE}.ipynb", "-q"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )

    assert proc.returncode == 0, proc.stdout[-4000:]
    months = {p.name for p in (root / "build" / "output" / EXAMPLE).glob("month=*")}
    assert months == {f"month={m}" for m, *_ in expected_totals(data=root / "data" / EXAMPLE)}
