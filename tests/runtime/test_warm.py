"""`kit run --warm`: the same results as a cold run, from one resident driver, run by run isolated."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.config import load
from kit.endpoints import engine
from kit.runtime import warm
from tests.conftest import EXAMPLE, REPO, copy_example_project
from tests.jobs.expected_orders_by_month import expected_totals

pytestmark = pytest.mark.slow  # starts a resident Spark driver

KIT = shutil.which("kit", path=os.path.dirname(sys.executable)) or "kit"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Iterator[Path]:
    """One example project for the module, and one warm engine, stopped at the end."""
    root = copy_example_project(tmp_path_factory.mktemp("warm") / "proj",
                                folders=("notebooks", "jobs", "data"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "build" / EXAMPLE, root / "build" / EXAMPLE)
    yield root
    config = load(root)
    info = engine.find(config.state_dir)
    warm.stop(config)
    if info is not None:
        assert not Path(f"/proc/{info.pid}").exists() or b"Z" in Path(
            f"/proc/{info.pid}/stat").read_bytes().rsplit(b")", 1)[1][:3]


def kit(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KIT_PROJECT"}
    return subprocess.run([KIT, *args], cwd=project, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def script(project: Path, name: str, code: str) -> str:
    (project / name).write_text(code, encoding="utf-8")
    return name


def read_totals(spark, folder: Path) -> list[tuple]:
    rows = spark.read.parquet(str(folder)).select(
        "month", "country", "orders", "customers", "revenue").collect()
    return sorted((r.month, r.country, r.orders, r.customers, r.revenue) for r in rows)


APP_ID = ("from pyspark import SparkContext\n"
          "print('app', SparkContext.getOrCreate().applicationId)\n")


def app_id(result: subprocess.CompletedProcess) -> str:
    return next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("app "))


def test_warm_run_of_the_example_gives_the_cold_result(project, spark_session):
    cold = kit(project, "run", EXAMPLE, "--output_path", "build/cold")
    assert cold.returncode == 0, cold.stderr
    first = kit(project, "run", "--warm", EXAMPLE, "--output_path", "build/warm1")
    assert first.returncode == 0, first.stderr
    again = kit(project, "run", "--warm", EXAMPLE, "--min_age", "30", "--output_path",
                "build/warm2")
    assert again.returncode == 0, again.stderr
    assert read_totals(spark_session, project / "build" / "cold") == expected_totals(18)
    assert read_totals(spark_session, project / "build" / "warm1") == expected_totals(18)
    assert read_totals(spark_session, project / "build" / "warm2") == expected_totals(30)
    assert first.stdout == cold.stdout
    assert "wrote build/warm2: " in again.stderr and ", warm)" in again.stderr
    # bookmarks/job state as in a cold run: Job.init/commit ran and the job committed
    assert "Traceback" not in first.stderr + again.stderr


def test_argv_exit_status_and_traceback_pass_through(project):
    name = script(project, "echo_args.py", "import json, sys\nprint(json.dumps(sys.argv[1:]))\n"
                                          "print('to stderr', file=sys.stderr)\n"
                                          "sys.exit(int(sys.argv[-1]))\n")
    args = ["--JOB_NAME", "demo", "--opt=a b", "--flag", "-x", "plain", "3"]
    cold = kit(project, "run", name, *args)
    hot = kit(project, "run", "--warm", name, *args)
    assert hot.returncode == cold.returncode == 3
    assert hot.stdout == cold.stdout and json.loads(hot.stdout) == args
    assert "to stderr" in hot.stderr

    boom = script(project, "boom.py", "def stage():\n    raise ValueError('boom in stage')\n\n"
                                      "stage()\n")
    cold, hot = kit(project, "run", boom), kit(project, "run", "--warm", boom)
    assert hot.returncode == cold.returncode == 1
    tail = cold.stderr[cold.stderr.index("Traceback"):]
    assert hot.stderr[hot.stderr.index("Traceback"):] == tail  # the same traceback, line by line
    assert "scriptrun" not in hot.stderr and "kit: error" not in hot.stderr

    message = script(project, "message.py", "import sys\nsys.exit('bad config')\n")
    hot = kit(project, "run", "--warm", message)
    assert hot.returncode == 1 and hot.stderr.rstrip().endswith("bad config")


def test_each_run_starts_fresh_on_the_same_driver(project):
    (project / "helper.py").write_text("VALUE = 1\n", encoding="utf-8")
    dirty = script(project, "dirty.py", APP_ID + (
        "import os, sys, helper\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "leak = 'from the first run'\n"
        "spark.range(5).createOrReplaceTempView('leaky_view')\n"
        "spark.range(3).createOrReplaceGlobalTempView('leaky_global')\n"
        "spark.range(9).cache().count()\n"
        "spark.sql('CACHE TABLE leaky_view')\n"
        "spark.udf.register('leaky_udf', lambda x: x)\n"
        "spark.conf.set('spark.sql.shuffle.partitions', '77')\n"
        "os.environ['LEAKY'] = '1'\n"
        "os.chdir('/')\n"
        "sys.path.append('/leaky')\n"
        "print('helper', helper.VALUE)\n"
    ))
    first = kit(project, "run", "--warm", dirty, "--a", "1")
    assert first.returncode == 0, first.stderr
    assert "helper 1" in first.stdout
    (project / "helper.py").write_text("VALUE = 22\n", encoding="utf-8")
    check = script(project, "check.py", APP_ID + (
        "import json, os, sys, helper\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "tables = [t.name for t in spark.catalog.listTables()]\n"
        "print(json.dumps({\n"
        "  'leak': 'leak' in globals(), 'name': __name__, 'argv': sys.argv[1:],\n"
        "  'file': os.path.basename(__file__), 'helper': helper.VALUE,\n"
        "  'tables': tables, 'global': [t.name for t in spark.catalog.listTables('global_temp')],\n"
        "  'udf': [r[0] for r in spark.sql('SHOW USER FUNCTIONS').collect()],\n"
        "  'cached': spark.sparkContext._jsc.getPersistentRDDs().size(),\n"
        "  'partitions': spark.conf.get('spark.sql.shuffle.partitions'),\n"
        "  'env': os.environ.get('LEAKY'), 'cwd': os.getcwd(), 'leaky_path': '/leaky' in sys.path,\n"
        "}))\n"
    ))
    second = kit(project, "run", "--warm", check, "--b", "2")
    assert second.returncode == 0, second.stderr
    state = json.loads(second.stdout.splitlines()[-1])
    assert state == {
        "leak": False, "name": "__main__", "argv": ["--b", "2"], "file": "check.py",
        "helper": 22, "tables": [], "global": [], "udf": [], "cached": 0, "partitions": "4",
        "env": None, "cwd": str(project), "leaky_path": False,
    }
    assert app_id(first) == app_id(second)  # the same driver: warm


def test_glue_style_spark_context_reuses_the_warm_driver(project):
    glue = script(project, "glue_style.py", (
        "from pyspark.context import SparkContext\n"
        "from awsglue.context import GlueContext\n"
        "sc = SparkContext()\n"
        "glue = GlueContext(sc)\n"
        "print('app', sc.applicationId, glue.spark_session.range(4).count())\n"
    ))
    first, second = kit(project, "run", "--warm", glue), kit(project, "run", "--warm", glue)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.split()[-1] == "4" and app_id(first) == app_id(second)


def test_a_run_that_ends_the_driver_makes_the_next_run_cold(project):
    probe = script(project, "probe.py", APP_ID)
    before = app_id(kit(project, "run", "--warm", probe))
    crash = script(project, "crash.py", "import os\nprint('going', flush=True)\nos._exit(7)\n")
    crashed = kit(project, "run", "--warm", crash)
    assert crashed.returncode != 0 and "going" in crashed.stdout
    assert "next run starts a new one" in crashed.stderr
    after = kit(project, "run", "--warm", probe)
    assert after.returncode == 0, after.stderr
    assert app_id(after) != before  # a new driver

    stopper = script(project, "stopper.py", APP_ID + "SparkContext.getOrCreate().stop()\n")
    stopped = kit(project, "run", "--warm", stopper)
    assert stopped.returncode == 0, stopped.stderr
    fresh = kit(project, "run", "--warm", probe)
    assert fresh.returncode == 0 and app_id(fresh) not in (app_id(after), app_id(stopped))


def test_ctrl_c_cancels_the_run_and_the_next_run_is_clean(project):
    probe = script(project, "probe.py", APP_ID)
    before = app_id(kit(project, "run", "--warm", probe))
    endless = script(project, "endless.py", "import time\nprint('started', flush=True)\n"
                                            "while True:\n    time.sleep(0.05)\n")
    env = {k: v for k, v in os.environ.items() if k != "KIT_PROJECT"}
    proc = subprocess.Popen([KIT, "run", "--warm", endless], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == "started\n"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    after = kit(project, "run", "--warm", probe)
    assert after.returncode == 0, after.stderr
    assert app_id(after) != before  # an interrupted driver is not reused


def test_stop_ends_the_engine_and_its_driver(project):
    probe = script(project, "probe.py", APP_ID)
    assert kit(project, "run", "--warm", probe).returncode == 0
    state = load(project).state_dir
    info = engine.find(state)
    assert info is not None
    stopped = kit(project, "run", "--warm", "--stop")
    assert stopped.returncode == 0 and "stopped the warm driver" in stopped.stderr
    assert engine.find(state) is None and not (engine.folder(state) / "engine.json").exists()
    assert "no warm driver was running" in kit(project, "run", "--warm", "--stop").stderr
    # the token lives only in the engine's private file, which is gone with it
    assert not any(info.token in p.read_text(errors="replace")
                   for p in project.rglob("*") if p.is_file() and p.stat().st_size < 10**6)
