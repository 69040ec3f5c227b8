"""kit run: the example end to end on local Spark, argv verbatim, exit status and traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, tree_digest
from tests.jobs.expected_orders_by_month import expected_totals

KIT = shutil.which("kit", path=os.path.dirname(sys.executable)) or "kit"


def kit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([KIT, *args], cwd=cwd, capture_output=True, text=True, check=False)


def read_totals(spark, folder: Path) -> list[tuple]:
    df = spark.read.parquet(str(folder))
    rows = df.select("month", "country", "orders", "customers", "revenue").collect()
    return sorted((r.month, r.country, r.orders, r.customers, r.revenue) for r in rows)


@pytest.mark.slow
def test_run_example_writes_expected_totals_and_passes_arguments(project: Path, spark_session):
    result = kit("run", EXAMPLE, cwd=project)
    assert result.returncode == 0, result.stderr
    assert f"wrote build/output/{EXAMPLE}: " in result.stderr
    output = project / "build" / "output" / EXAMPLE
    assert read_totals(spark_session, output) == expected_totals(18)

    custom = project / "elsewhere"
    result = kit("run", EXAMPLE, "--min_age", "30", "--output_path", str(custom), cwd=project)
    assert result.returncode == 0, result.stderr
    assert read_totals(spark_session, custom) == expected_totals(30)


def test_run_passes_argv_verbatim_and_exit_status(project: Path):
    script = project / "echo_args.py"
    script.write_text(
        "import json, sys\nprint(json.dumps(sys.argv[1:]))\nsys.exit(int(sys.argv[-1]))\n"
    )
    args = ["--JOB_NAME", "demo", "--opt=a b", "--flag", "-x", "plain", "3"]
    result = kit("run", "echo_args.py", *args, cwd=project)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == args
    assert result.returncode == 3


def test_run_passes_the_scripts_traceback_through(project: Path):
    script = project / "boom.py"
    script.write_text("def stage():\n    raise ValueError('boom in stage')\n\nstage()\n")
    result = kit("run", "boom.py", cwd=project)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ValueError: boom in stage" in result.stderr
    assert "kit: error" not in result.stderr


def test_run_unknown_target_is_one_line_error(project: Path, cli):
    before = tree_digest(project)
    result = cli("run", "no_such_job.py")
    assert result.exit_code == 1
    assert "no such script or job" in result.stderr and result.stderr.count("\n") == 1
    result = cli("run", "no_such_job")
    assert result.exit_code == 1 and "kit new no_such_job" in result.stderr
    assert tree_digest(project) == before


def test_run_without_java_says_how_to_install_it(project: Path, cli, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(project / "no-jdk"))
    result = cli("run", EXAMPLE)
    assert result.exit_code == 1
    assert "Java not found" in result.stderr and "openjdk-17" in result.stderr


@pytest.mark.slow
def test_run_applies_glue_conf_and_extra_py_files(project: Path):
    """Glue's --conf and --extra-py-files configure the run; argv still carries them."""
    libs = project / ".kit" / "s3" / "artifacts" / "libs"
    libs.mkdir(parents=True)
    (libs / "helpers.py").write_text("def greet():\n    return 'hello from extra-py-files'\n")
    script = project / "uses_extras.py"
    script.write_text(
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "import helpers\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "print(helpers.greet())\n"
        "print('partitions=' + spark.conf.get('spark.sql.shuffle.partitions'))\n"
        "print('custom=' + spark.conf.get('spark.kit.test.flag'))\n"
        "print('argv-has-conf=' + str('--conf' in sys.argv))\n"
        "spark.stop()\n"
    )
    result = kit(
        "run", "uses_extras.py",
        "--conf", "spark.sql.shuffle.partitions=7 --conf spark.kit.test.flag=on",
        "--extra-py-files", "s3://artifacts/libs/helpers.py",
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "hello from extra-py-files" in lines
    assert "partitions=7" in lines and "custom=on" in lines and "argv-has-conf=True" in lines


def test_run_refuses_a_bad_conf_or_missing_extra_file(project: Path, cli):
    (project / "noop.py").write_text("pass\n")
    result = cli("run", "noop.py", "--conf", "not-a-pair")
    assert result.exit_code == 1 and "expected key=value" in result.stderr
    result = cli("run", "noop.py", "--extra-py-files", "s3://nowhere/x.py")
    assert result.exit_code == 1 and "s3://nowhere/x.py not found" in result.stderr
