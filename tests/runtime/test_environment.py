"""kit.runtime.environment: one way to make "a Python with the Glue layer", and argv helpers."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kit.errors import RunError
from kit.runtime import environment
from kit.runtime.environment import LAYER_DIR, arg_value, has_flag, layer_env, with_job_name


def test_layer_env_orders_the_path_with_os_pathsep(tmp_path: Path):
    base = {"PYTHONPATH": os.pathsep.join(["/inherited/a", "/inherited/b"]), "HOME": "/home/x"}
    env = layer_env(tmp_path, "local[1]", {"spark.x": "1"}, base=base, extra_paths=["/extra"])
    assert env["PYTHONPATH"].split(os.pathsep) == [
        str(LAYER_DIR), "/extra", str(tmp_path), "/inherited/a", "/inherited/b"
    ]
    assert env["KIT_PROJECT"] == str(tmp_path)
    assert env["HOME"] == "/home/x"
    submit = shlex.split(env["PYSPARK_SUBMIT_ARGS"])
    assert submit[:2] == ["--master", "local[1]"]
    assert "spark.x=1" in submit
    assert env["SPARK_LOCAL_IP"] == "127.0.0.1"


def test_layer_env_keeps_an_explicit_project_and_has_no_duplicates(tmp_path: Path):
    base = {"KIT_PROJECT": "/elsewhere", "PYTHONPATH": str(LAYER_DIR)}
    env = layer_env(tmp_path, base=base)
    assert env["KIT_PROJECT"] == "/elsewhere"
    assert env["PYTHONPATH"].split(os.pathsep) == [str(LAYER_DIR), str(tmp_path)]


def test_an_empty_base_gives_only_kits_keys():
    env = layer_env(None, base={})
    assert set(env) == {
        "PYTHONPATH", "SPARK_LOCAL_IP", "PYSPARK_PYTHON", "PYSPARK_SUBMIT_ARGS", "KIT_GLUE_VERSION"
    }
    assert env["PYTHONPATH"] == str(LAYER_DIR)


def test_glue_version_is_the_runtime_seam():
    assert environment.layer_dir("5.0") == LAYER_DIR
    assert environment.layer_dir(None) == LAYER_DIR
    with pytest.raises(RunError, match="unknown Glue version '4.0'; kit runs 5.0, 5.1, 6.0"):
        layer_env(None, glue_version="4.0")


def test_a_child_python_imports_the_layer_and_finds_the_project(tmp_path: Path):
    (tmp_path / "helpers.py").write_text("VALUE = 42\n")
    env = layer_env(tmp_path, base={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    code = "import awsglue, helpers; print(awsglue.__file__); print(helpers.VALUE)"
    out = subprocess.run(environment.python_argv("-c", [code]), env=env, cwd="/",
                         capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [str(LAYER_DIR / "awsglue" / "__init__.py"), "42"]


def test_the_layer_is_installed_with_kit():
    assert environment.layer_available()
    assert (LAYER_DIR / "awsglue" / "context.py").is_file()


def test_argv_helpers_read_argv_as_glue_does():
    argv = ["--min_age", "21", "--output_path=s3://b/out", "--JOB_NAMES", "x"]
    assert arg_value(argv, "min_age", "18") == "21"
    assert arg_value(argv, "output_path", "out") == "s3://b/out"
    assert arg_value(argv, "missing", "dflt") == "dflt"
    assert not has_flag(argv, "JOB_NAME")  # --JOB_NAMES is another argument
    assert with_job_name(argv, "demo") == ["--JOB_NAME", "demo", *argv]
    assert with_job_name(["--JOB_NAME=x"], "demo") == ["--JOB_NAME=x"]
    assert environment.python_argv(Path("s.py"), ["--a", "1"]) == [sys.executable, "s.py", "--a", "1"]
