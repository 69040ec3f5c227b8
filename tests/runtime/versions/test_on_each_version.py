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
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    text = "".join(m["content"].get("text", "") for m in outputs)
    assert "4.1.1" in text

