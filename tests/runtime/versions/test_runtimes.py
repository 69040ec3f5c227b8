"""The runtimes registry and cache: versions, where runtimes live, one-line errors (no Spark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import RuntimeBuildError, UnknownGlueVersion
from kit.runtime import environment, runtimes


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIT_RUNTIMES_DIR", str(tmp_path / "runtimes"))
    return tmp_path / "runtimes"


def test_versions_follow_aws_release_notes() -> None:
    assert {v: (r.spark, r.python) for v, r in runtimes.RUNTIMES.items()} == {
        "5.0": ("3.5.4", "3.11"), "5.1": ("3.5.6", "3.11"), "6.0": ("4.1.1", "3.13"),
    }
    assert runtimes.spec(None).glue_version == "5.0"
    assert runtimes.spec("5.0").builtin and not runtimes.spec("6.0").builtin


@pytest.mark.parametrize("bad", ["4.0", "6", "latest", ""])
def test_unknown_version_is_one_line(bad: str) -> None:
    with pytest.raises(UnknownGlueVersion, match="kit runs 5.0, 5.1, 6.0") as err:
        runtimes.spec(bad)
    assert "\n" not in str(err.value)


def test_cache_dir_override_and_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_RUNTIMES_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert runtimes.runtime_dir("6.0") == tmp_path / "xdg" / "kit" / "runtimes" / "glue-6.0"
    monkeypatch.setenv("KIT_RUNTIMES_DIR", str(tmp_path / "mine"))
    assert runtimes.runtime_dir("5.1") == tmp_path / "mine" / "glue-5.1"


def test_missing_runtime_is_not_installed_and_env_says_how(cache: Path) -> None:
    assert [s.installed for s in runtimes.list_runtimes()] == [True, False, False]
    with pytest.raises(RuntimeBuildError, match="kit runtime install 6.0"):
        environment.layer_env(None, glue_version="6.0", base={})


def test_an_incomplete_build_is_not_a_runtime(cache: Path) -> None:
    (cache / "glue-5.1" / "site" / "pyspark").mkdir(parents=True)  # no runtime.json: interrupted
    assert not runtimes.status_of("5.1").installed


def test_layer_env_puts_the_runtime_first(cache: Path) -> None:
    site = cache / "glue-6.0" / "site"
    site.mkdir(parents=True)
    (cache / "glue-6.0" / runtimes.MARKER).write_text('{"spark": "4.1.1"}', encoding="utf-8")
    env = environment.layer_env(Path("/proj"), glue_version="6.0", base={"SPARK_HOME": "/x"})
    parts = env["PYTHONPATH"].split(":")
    assert parts[:2] == [str(site), str(environment.LAYER_DIR)]
    assert env["KIT_GLUE_VERSION"] == "6.0" and "SPARK_HOME" not in env
    default = environment.layer_env(Path("/proj"), base={})
    assert default["PYTHONPATH"].split(":")[0] == str(environment.LAYER_DIR)
    assert default["KIT_GLUE_VERSION"] == "5.0"


def test_offline_build_without_cache_fails_in_one_line_and_leaves_nothing(cache: Path) -> None:
    # --no-index with an empty find-links: pip cannot find pyspark, as on a machine offline
    lines: list[str] = []
    with pytest.raises(RuntimeBuildError) as err:
        runtimes.ensure("5.1", lines.append, offline=True)
    message = str(err.value)
    assert "cannot build the Glue 5.1 runtime (pyspark==3.5.6)" in message and "\n" not in message
    assert not (cache / "glue-5.1").exists()
    assert lines[0].startswith("building the Glue 5.1 runtime")


def test_removing_what_is_not_there(cache: Path) -> None:
    with pytest.raises(RuntimeBuildError, match="not installed"):
        runtimes.remove("6.0")
    with pytest.raises(RuntimeBuildError, match="kit's own environment"):
        runtimes.remove("5.0")


def test_python_note_once_for_6_0() -> None:
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    note = runtimes.python_note("6.0")
    assert (note is None) == (local == "3.13")
    if note:
        assert "Glue 6.0 runs Python 3.13" in note and local in note
    assert runtimes.python_note("5.0") is None or local != "3.11"


def test_job_glue_version_setting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kit.job.a]\nglue_version = "6.0"\n'
        '[tool.kit.job.b]\nglue_version = "5.1"\n[tool.kit.job.b.environments.prod]\n'
        'glue_version = "5.0"\n[tool.kit.job.c]\nglue_version = 6.0\n',
        encoding="utf-8",
    )
    cfg = kit_config.load(tmp_path)
    assert runtimes.job_glue_version(cfg, "a") == "6.0"
    assert runtimes.job_glue_version(cfg, "b") == "5.1"
    assert runtimes.job_glue_version(cfg, "b", "prod") == "5.0"
    assert runtimes.job_glue_version(cfg, "unset") == "5.0"
    with pytest.raises(UnknownGlueVersion, match="must be a string"):
        runtimes.job_glue_version(cfg, "c")


def _kit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kit", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_cli_bad_versions_are_one_line(project: Path, cache: Path) -> None:
    for args in (("runtime", "install", "4.0"), ("run", "orders_by_month", "--glue-version", "7"),
                 ("runtime", "remove", "6.0")):
        proc = _kit(*args, cwd=project)
        assert proc.returncode == 1, args
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("kit: error: "), proc.stderr
        assert "Traceback" not in proc.stderr


def test_cli_list(cache: Path, cli) -> None:
    result = cli("runtime", "list")
    assert result.exit_code == 0
    assert f"runtimes cache: {cache}" in result.output
    assert "Glue 6.0  Spark 4.1.1  Python 3.13" in result.output
    assert "not installed (built on first use)" in result.output


def test_kit_new_pins_aws_default_version(project: Path, cli) -> None:
    result = cli("new", "daily_totals")
    assert result.exit_code == 0, result.output
    assert 'glue_version = "5.1"' in result.output
    cfg = kit_config.load(project)
    assert runtimes.job_glue_version(cfg, "daily_totals") == "5.1"
    assert runtimes.job_glue_version(cfg, "orders_by_month") == "5.0"  # existing job unchanged
    # its notebook and job module name the 5.1 kernel: JupyterLab starts the job's version
    import jupytext

    for path in (project / "notebooks" / "daily_totals.ipynb", project / "jobs" / "daily_totals.py"):
        spec = jupytext.read(path).metadata["kernelspec"]
        assert (spec["name"], spec["display_name"]) == ("glue-local-5.1", "Glue 5.1 (local)")
    before = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert runtimes.write_new_job_version(cfg, "orders_by_month") is None  # has settings already
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == before
