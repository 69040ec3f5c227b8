"""The example job and kit's own Glue scripts on Glue 5.0, 5.1 and 6.0 (real Spark each)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.runtime import compare, runner
from kit.runtime.environment import layer_env

pytestmark = pytest.mark.slow
SCRIPTS = Path(__file__).resolve().parent / "scripts"
VERSIONS = ("5.0", "5.1", "6.0")
SPARK = {"5.0": "3.5.4", "5.1": "3.5.6", "6.0": "4.1.1"}


def _spark_version_of(folder: Path) -> str:
    """The Spark version that wrote a Parquet output (from the files' own metadata)."""
    data = next(folder.rglob("*.parquet")).read_bytes()
    found = re.search(rb"org\.apache\.spark\.version.{1,4}?(\d+\.\d+\.\d+)", data, re.DOTALL)
    assert found, f"no Spark version in {folder}"
    return found.group(1).decode()


@pytest.mark.parametrize("version", VERSIONS)
def test_example_job_runs_on_each_version(version, glue_runtimes, project: Path) -> None:
    cfg = kit_config.load(project)
    out = project / "out" / version
    plan = runner.plan("orders_by_month", ["--output_path", str(out)], cfg)
    result = runner.run(plan, cfg, glue_version=version, capture=True)
    assert result.returncode == 0, result.output[-2000:]
    assert _spark_version_of(out) == SPARK[version]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("month="))


@pytest.fixture(scope="module")
def features_out(tmp_path_factory) -> Path:
    """Where each version's run of glue_features.py writes (shared, to compare with 5.0's)."""
    return tmp_path_factory.mktemp("features")


@pytest.mark.parametrize("version", VERSIONS)  # 5.0 first: the others are compared with it
def test_glue_features_script_on_each_version(
    version, glue_runtimes, project: Path, features_out: Path
) -> None:
    cfg = kit_config.load(project)
    out = features_out / version
    plan = runner.RunPlan(SCRIPTS / "glue_features.py",
                          ["--JOB_NAME", "features", "--output_path", str(out)])
    result = runner.run(plan, cfg, glue_version=version, capture=True)
    assert result.returncode == 0, result.output[-2000:]
    assert _spark_version_of(out) == SPARK[version]
    if version != "5.0":
        same = compare.read_and_compare("output_path", features_out / "5.0", out)
        report = compare.CompareReport("features", "5.0", version, [same])
        assert same.same and same.right_rows == 3, "\n".join(report.lines())


def _abbrev(version: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = layer_env(None, glue_version=version)
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "abbrev.py"), "--output", "s3://b/o/", *extra],
        env=env, capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_get_resolved_options_abbreviations_per_version(version, glue_runtimes) -> None:
    plain = _abbrev(version)
    if version == "6.0":
        assert plain.returncode != 0 and "output_path" in plain.stderr
        allowed = _abbrev(version, "--allow")
        assert allowed.returncode == 0 and "output_path=s3://b/o/" in allowed.stdout
    else:
        assert plain.returncode == 0 and "output_path=s3://b/o/" in plain.stdout
        refused = _abbrev(version, "--allow")  # allow_abbrev is new in 6.0
        assert refused.returncode != 0 and "allow_abbrev" in refused.stderr


def test_compare_cli_agrees_on_the_example(glue_runtimes, project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kit", "run", "orders_by_month", "--glue-version", "6.0",
         "--compare"], cwd=project, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "output_path: same" in proc.stdout
    assert "Glue 5.0 and Glue 6.0 agree on orders_by_month" in proc.stdout
    assert not (project / "build" / "output").exists()  # the project's own output is left alone


def test_kernelspec_per_version_runs_that_spark(
    glue_runtimes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_client.manager import start_new_kernel

    from kit.runtime import kernel as glue_kernel

    prefix = tmp_path / "prefix"
    made = glue_kernel.install(prefix=prefix, glue_version="6.0")
    spec = json.loads((made.path / "kernel.json").read_text())
    assert made.name == "glue-local-6.0" and spec["display_name"] == "Glue 6.0 (local)"
    outputs: list[dict] = []
    # set for this test only: the session's own JUPYTER_PATH (nbval's kernel) must survive it
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    km, kc = start_new_kernel(kernel_name="glue-local-6.0")
    try:
        reply = kc.execute_interactive(
            "import pyspark, awsglue.context; print(pyspark.__version__)", timeout=120,
            output_hook=outputs.append,
        )
        later: list[dict] = []
        again = kc.execute_interactive("print(sorted(k for k in dir() if 'kit' in k))",
                                       timeout=60, output_hook=later.append)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok" and again["content"]["status"] == "ok"

    def stream(messages: list[dict], name: str) -> str:
        return "".join(m["content"].get("text", "") for m in messages
                       if m["msg_type"] == "stream" and m["content"]["name"] == name)

    assert "4.1.1" in stream(outputs, "stdout")
    # Glue 6.0's Python differs from the local one: said once, in the first cell's output
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"note: Glue 6.0 runs Python 3.13; this local run uses Python {local}" in stream(
        outputs, "stderr")
    assert "note:" not in stream(later, "stderr")
    assert stream(later, "stdout").strip() == "[]"  # the hook left no name in the namespace



@pytest.fixture(scope="module")
def casts_out(tmp_path_factory) -> Path:
    """Where each version's run of glue_casts.py writes (shared, to compare with 5.0's)."""
    return tmp_path_factory.mktemp("casts")


@pytest.mark.parametrize("version", VERSIONS)  # 5.0 first: the others are compared with it
def test_dynamicframe_casts_give_null_on_each_version(
    version, glue_runtimes, project: Path, casts_out: Path
) -> None:
    """ApplyMapping, resolveChoice cast:/project: and unbox over malformed values: null on
    every version (Spark 4's ANSI mode must not fail them), while the job's own spark.sql keeps
    Spark's default (ANSI from Spark 4: a malformed CAST raises there on 6.0 only)."""
    import pyarrow.parquet as pq

    cfg = kit_config.load(project)
    out = casts_out / version
    plan = runner.RunPlan(SCRIPTS / "glue_casts.py",
                          ["--JOB_NAME", "casts", "--output_path", str(out)])
    result = runner.run(plan, cfg, glue_version=version, capture=True)
    assert result.returncode == 0, result.output[-3000:]
    assert _spark_version_of(out) == SPARK[version]
    rows = {r["id"]: r for r in pq.read_table(out).to_pylist()}
    assert rows[1]["amount"] == 10.5 and rows[1]["qty"] == 3 and str(rows[1]["day"]) == "2024-02-29"
    assert rows[1]["score"] == 7.0 and rows[1]["money"]["qty"] == 3
    assert rows[1]["pair_csv"] == {"a": "1", "b": 2}
    for bad in (2, 3):  # "x", "abc", 2024-02-30, "yesterday", "n/a", 99999999999 (int overflow)
        assert rows[bad]["amount"] is None and rows[bad]["qty"] is None and rows[bad]["day"] is None
        assert rows[bad]["money"]["amount"] is None
    assert rows[2]["score"] is None and rows[3]["score"] == 8.5
    assert rows[3]["money"]["qty"] == 99999999999  # fits a long
    assert rows[2]["pair_csv"] == {"a": "3", "b": None}
    assert all(r["pair_int"] is None for r in rows.values())  # "1,2" is a string member
    if version == "6.0":
        assert "spark.sql malformed cast: raised" in result.output
    else:
        assert "spark.sql malformed cast: None" in result.output
    if version != "5.0":
        same = compare.read_and_compare("output_path", casts_out / "5.0", out)
        report = compare.CompareReport("casts", "5.0", version, [same])
        assert same.same and same.right_rows == 3, "\n".join(report.lines())
