"""`kit run --master spark://...` on a real Spark standalone cluster (master + one worker).

The master and the worker are started from the pyspark installation on 127.0.0.1, as background
JVMs, and stopped at the end. Scripts go through the ``kit`` CLI in a child process; each proves
that its tasks ran in an executor the worker launched (their working folder is in the worker's
work dir) and writes output that the test checks against values computed in plain Python.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyspark
import pytest

pytestmark = pytest.mark.slow

SPARK_HOME = Path(pyspark.__file__).resolve().parent
SPARK_CLASS = SPARK_HOME / "bin" / "spark-class"
START_TIMEOUT = 90.0


@dataclass
class Cluster:
    url: str
    work_dir: Path


def _wait_for(log: Path, pattern: str, proc: subprocess.Popen) -> re.Match[str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = re.search(pattern, text)
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"{log.name} exited with {proc.returncode}:\n{text[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"no {pattern!r} in {log} after {START_TIMEOUT}s:\n{text[-3000:]}")


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(SPARK_CLASS), *args], stdout=out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the worker's shutdown hook stops its executors
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed; Spark needs Java 17")
    base = tmp_path_factory.mktemp("cluster")
    work_dir = base / "work"
    work_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK", "PYTHONPATH"))}
    env.update(SPARK_HOME=str(SPARK_HOME), SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1")
    master = _start(
        ["org.apache.spark.deploy.master.Master",
         "--host", "127.0.0.1", "--port", "0", "--webui-port", "0"],
        base / "master.log", env,
    )
    worker = None
    try:
        url = _wait_for(base / "master.log", r"Starting Spark master at (spark://127\.0\.0\.1:\d+)",
                        master).group(1)
        worker = _start(
            ["org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--port", "0",
             "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir", str(work_dir)],
            base / "worker.log", env,
        )
        _wait_for(base / "worker.log", r"Successfully registered with master", worker)
        yield Cluster(url, work_dir)
    finally:
        if worker is not None:
            _stop(worker)
        _stop(master)


@pytest.fixture
def cluster_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    return root


def kit_run(project: Path, master: str, script: Path, *args: str,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KIT_PROJECT", "PYSPARK_SUBMIT_ARGS")}
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "kit", "run", "--master", master, str(script), *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=240, check=False,
    )


def _executor_dirs(stdout: str) -> list[str]:
    line = next(x for x in stdout.splitlines() if x.startswith("EXECUTOR_CWDS "))
    return json.loads(line.split(" ", 1)[1])


PLAIN_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from pyspark.sql import SparkSession

    out = sys.argv[sys.argv.index("--output_path") + 1]
    spark = SparkSession.builder.appName("kit-cluster-plain").getOrCreate()
    sc = spark.sparkContext
    cwds = sc.parallelize(range(4), 2).map(lambda _: os.getcwd()).distinct().collect()
    print("EXECUTOR_CWDS " + json.dumps(sorted(cwds)))
    print("MASTER " + sc.master)
    squares = sc.parallelize(range(1, 101), 4).map(lambda n: (n % 3, n * n))
    spark.createDataFrame(squares.reduceByKey(lambda a, b: a + b), ["k", "total"]) \\
        .write.mode("overwrite").json(out)
    """
)


def _read_json_lines(folder: Path) -> list[dict]:
    rows = []
    for part in sorted(folder.glob("part-*")):
        rows += [json.loads(line) for line in part.read_text().splitlines() if line.strip()]
    return rows


def test_kit_run_uses_the_standalone_cluster(cluster: Cluster, cluster_project: Path) -> None:
    script = cluster_project / "plain_job.py"
    script.write_text(PLAIN_SCRIPT, encoding="utf-8")
    out = cluster_project / "out"

    proc = kit_run(cluster_project, cluster.url, script, "--output_path", str(out))

    assert proc.returncode == 0, proc.stderr[-4000:]
    assert f"MASTER {cluster.url}" in proc.stdout
    cwds = _executor_dirs(proc.stdout)
    assert cwds and all(Path(c).is_relative_to(cluster.work_dir) for c in cwds), cwds
    expected = {k: sum(n * n for n in range(1, 101) if n % 3 == k) for k in range(3)}
    assert {r["k"]: r["total"] for r in _read_json_lines(out)} == expected


def test_script_failure_passes_through(cluster: Cluster, cluster_project: Path) -> None:
    script = cluster_project / "failing_job.py"
    script.write_text(
        "import sys\nfrom pyspark.sql import SparkSession\n"
        "SparkSession.builder.getOrCreate().range(3).count()\n"
        "raise SystemExit(7)\n",
        encoding="utf-8",
    )
    proc = kit_run(cluster_project, cluster.url, script)
    assert proc.returncode == 7


GLUE_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.transforms import Filter, SelectFields
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path"])
    sc = SparkContext.getOrCreate()
    glue_context = GlueContext(sc)
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    cwds = sc.parallelize(range(2), 2).map(lambda _: os.getcwd()).distinct().collect()
    print("EXECUTOR_CWDS " + json.dumps(sorted(cwds)))
    orders = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [args["input_path"]]},
        format="json",
    )
    big = Filter.apply(frame=orders, f=lambda row: row["amount"] >= 50)
    slim = SelectFields.apply(frame=big, paths=["id", "customer"])
    glue_context.write_dynamic_frame.from_options(
        frame=slim,
        connection_type="s3",
        connection_options={"path": args["output_path"]},
        format="json",
    )
    job.commit()
    """
)


def test_glue_script_runs_on_the_cluster(cluster: Cluster, cluster_project: Path) -> None:
    orders = [
        {"id": i, "customer": f"c{i % 4}", "amount": (i * 37) % 100} for i in range(1, 41)
    ]
    data = cluster_project / "data" / "orders"
    data.mkdir(parents=True)
    (data / "orders.json").write_text("\n".join(json.dumps(o) for o in orders) + "\n")
    script = cluster_project / "glue_job.py"
    script.write_text(GLUE_SCRIPT, encoding="utf-8")
    out = cluster_project / "out"

    proc = kit_run(
        cluster_project, cluster.url, script,
        "--JOB_NAME", "cluster_demo", "--input_path", str(data), "--output_path", str(out),
    )

    assert proc.returncode == 0, proc.stderr[-4000:]
    cwds = _executor_dirs(proc.stdout)
    assert cwds and all(Path(c).is_relative_to(cluster.work_dir) for c in cwds), cwds
    expected = sorted(
        ({"id": o["id"], "customer": o["customer"]} for o in orders if o["amount"] >= 50),
        key=lambda r: r["id"],
    )
    assert sorted(_read_json_lines(out), key=lambda r: r["id"]) == expected


S3_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from awsglue.context import GlueContext
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from pyspark.sql import functions as F

    args = getResolvedOptions(sys.argv, ["JOB_NAME"])
    glue_context = GlueContext(SparkContext.getOrCreate())
    events = glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://cl-raw/events/"]},
        format="json",
    ).toDF().withColumn("source", F.input_file_name())
    events.groupBy("source").agg(F.sum("n").alias("total")).coalesce(1) \\
        .write.mode("overwrite").json("s3://cl-curated/totals/")
    """
)


def test_s3_paths_reach_the_executors(cluster: Cluster, cluster_project: Path) -> None:
    root = cluster_project / "objects"
    raw = root / "cl-raw" / "events"
    raw.mkdir(parents=True)
    files = {"a.json": [1, 2, 3], "b.json": [10]}
    for name, values in files.items():
        (raw / name).write_text("\n".join(json.dumps({"n": v}) for v in values) + "\n")
    script = cluster_project / "s3_job.py"
    script.write_text(S3_SCRIPT, encoding="utf-8")

    proc = kit_run(cluster_project, cluster.url, script, "--JOB_NAME", "s3_demo",
                   extra_env={"KIT_S3_ROOT": str(root)})

    assert proc.returncode == 0, proc.stderr[-4000:]
    got = _read_json_lines(root / "cl-curated" / "totals")
    assert sorted((r["source"], r["total"]) for r in got) == sorted(
        (f"s3://cl-raw/events/{name}", sum(values)) for name, values in files.items()
    )
