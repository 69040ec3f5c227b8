"""kit's pytest plugin runs a test session on the Glue version asked for (real pytest, real Spark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = '''
import pytest


def test_spark_is_the_versions(spark_session, glue_version):
    import pyspark
    from awsglue.context import GlueContext

    expected = {"5.0": "3.5.4", "5.1": "3.5.6", "6.0": "4.1.1"}[glue_version]
    assert pyspark.__version__ == expected == spark_session.version
    frame = GlueContext(spark_session.sparkContext).create_dynamic_frame_from_rdd(
        spark_session.sparkContext.parallelize([{"a": 1}, {"a": 2}]), "t")
    assert frame.count() == 2
    print("SESSION", glue_version, spark_session.version)


@pytest.mark.glue_version("5.0")
def test_only_on_5_0():
    pass
'''


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:randomly", "-p", "no:cacheprovider",
         str(folder), *args],
        cwd=folder, capture_output=True, text=True, check=False,
    )


@pytest.mark.slow
def test_glue_version_option_and_marker(glue_runtimes, tmp_path: Path) -> None:
    (tmp_path / "test_job.py").write_text(TESTS, encoding="utf-8")
    on_6 = _pytest(tmp_path, "--glue-version", "6.0")
    assert on_6.returncode == 0, on_6.stdout[-3000:] + on_6.stderr[-2000:]
    assert "SESSION 6.0 4.1.1" in on_6.stdout and "1 passed, 1 skipped" in on_6.stdout


def test_unknown_glue_version_option_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    bad = _pytest(tmp_path, "--glue-version", "4.0")
    assert bad.returncode == 4  # pytest's usage error
    assert "unknown Glue version '4.0'" in bad.stderr and "Traceback" not in bad.stderr
