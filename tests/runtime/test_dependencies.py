"""Job dependencies: Glue's --additional-python-modules (pip, into a cached overlay), -r
requirements files, --extra-jars and --user-jars-first, applied with real pip and no network."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kit.errors import DependencyError
from kit.runtime import dependencies as deps

KIT = shutil.which("kit", path=os.path.dirname(sys.executable)) or "kit"


def make_wheel(folder: Path, name: str, version: str, files: dict[str, str],
               requires: tuple[str, ...] = ()) -> Path:
    """A minimal pure-Python wheel (PEP 427): ``files`` plus its dist-info, with a RECORD."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    contents = dict(files)
    contents[f"{dist}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)
    )
    contents[f"{dist}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: kit-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for path, text in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    contents[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
    return wheel


def make_jar(path: Path) -> Path:
    """A jar holding one resource, ``kit_jar_marker.txt`` (enough to see it on a classpath)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr("kit_jar_marker.txt", "from a user jar\n")
    return path


@dataclass
class Config:
    """The parts of a ProjectConfig that dependencies reads."""

    root: Path
    state_dir: Path
    job_settings: dict = field(default_factory=dict)


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    """A local index (--find-links folder): kitdeptest 1.0 and a tomlkit 99.0 that says so."""
    folder = tmp_path / "wheels"
    make_wheel(folder, "kitdeptest", "1.0", {"kitdeptest.py": "GREETING = 'hello from a wheel'\n"})
    make_wheel(folder, "tomlkit", "99.0", {"tomlkit/__init__.py": "__version__ = '99.0'\n"})
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "deps-cache"
    monkeypatch.setenv(deps.DIR_ENV, str(folder))
    monkeypatch.delenv(deps.OFFLINE_ENV, raising=False)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # never the network, whatever pip.conf says
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    return folder


def offline_option(wheels: Path) -> str:
    return f"--no-index --find-links {wheels}"


def kit_pip_list() -> str:
    return subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "freeze", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True,
    ).stdout


# --- the overlay, with real pip ---------------------------------------------------------------


def test_overlay_is_built_once_reused_offline_and_kit_is_untouched(tmp_path, wheels, cache):
    before = kit_pip_list()
    req = deps.Request(modules="kitdeptest==1.0,tomlkit==99.0",
                       installer_option=offline_option(wheels))
    overlay_plan = deps.plan(req, tmp_path)
    assert overlay_plan is not None and deps.cached(overlay_plan) is None
    lines: list[str] = []
    folder = deps.ensure(overlay_plan, progress=lines.append)
    assert folder == cache / overlay_plan.key
    assert any("kitdeptest" in line for line in lines)  # pip's own progress was shown
    assert sorted(deps.installed(folder)) == ["kitdeptest==1.0", "tomlkit==99.0"]
    site = deps.site_packages(folder)
    assert (site / "kitdeptest.py").is_file()
    assert (site / "tomlkit" / "__init__.py").read_text() == "__version__ = '99.0'\n"
    marker = folder / deps.MARKER
    stamp = marker.stat().st_mtime_ns

    again: list[str] = []
    assert deps.ensure(overlay_plan, progress=again.append, offline=True) == folder
    assert again == [] and marker.stat().st_mtime_ns == stamp  # no pip, nothing rewritten

    # kit's own environment: same packages, tomlkit still kit's, the wheel not importable here
    assert kit_pip_list() == before
    import tomlkit

    assert tomlkit.__version__ != "99.0"
    assert importlib.util.find_spec("kitdeptest") is None
    assert [entry.name for entry in cache.iterdir() if not entry.name.endswith(".lock")] == [
        overlay_plan.key
    ]


def test_key_follows_the_requirement_set_options_version_and_wheel_content(tmp_path, wheels):
    base = deps.plan(deps.Request(modules="kitdeptest==1.0"), tmp_path)
    assert base.key == deps.plan(deps.Request(modules=" kitdeptest==1.0 "), tmp_path).key
    other = [
        deps.plan(deps.Request(modules="kitdeptest==1.1"), tmp_path),
        deps.plan(deps.Request(modules="kitdeptest==1.0", installer_option="--upgrade"), tmp_path),
        deps.plan(deps.Request(modules="kitdeptest==1.0"), tmp_path, glue_version="5.1"),
    ]
    assert len({base.key, *(p.key for p in other)}) == 4
    url = deps.plan(deps.Request(modules="x @ https://example.invalid/x-1.0-py3-none-any.whl,"
                                         "https://example.invalid/y-1.0-py3-none-any.whl"), tmp_path)
    assert url.pip_args == ("x @ https://example.invalid/x-1.0-py3-none-any.whl",
                            "https://example.invalid/y-1.0-py3-none-any.whl")  # no file lookup
    wheel = wheels / "kitdeptest-1.0-py3-none-any.whl"
    first = deps.plan(deps.Request(modules=str(wheel)), tmp_path)
    make_wheel(wheels, "kitdeptest", "1.0", {"kitdeptest.py": "GREETING = 'changed'\n"})
    assert deps.plan(deps.Request(modules=str(wheel)), tmp_path).key != first.key


def test_overlay_resolves_against_the_glue_versions_runtime(tmp_path, wheels, cache):
    """A module needing Glue 5.1's Spark is satisfied by the 5.1 runtime: nothing to fetch;
    on 5.0 (pyspark 3.5.4) pip must find pyspark 3.5.6, which the offline index lacks."""
    from kit.runtime import runtimes

    if not runtimes.status_of("5.1").installed:
        pytest.skip("the Glue 5.1 runtime is not installed (kit runtime install 5.1)")
    make_wheel(wheels, "needsspark", "1.0", {"needsspark.py": ""}, requires=("pyspark==3.5.6",))
    req = deps.Request(modules="needsspark==1.0", installer_option=offline_option(wheels))
    folder = deps.ensure(deps.plan(req, tmp_path, "5.1"), "5.1", progress=lambda _line: None)
    assert deps.installed(folder) == ["needsspark==1.0"]
    with pytest.raises(DependencyError, match="pyspark==3.5.6"):
        deps.ensure(deps.plan(req, tmp_path, "5.0"), "5.0", progress=lambda _line: None)


def test_requirements_file_in_the_object_root_with_dash_r(tmp_path, wheels, cache):
    s3_root = tmp_path / "s3"
    requirements = s3_root / "artifacts" / "requirements.txt"
    requirements.parent.mkdir(parents=True)
    requirements.write_text(f"--find-links {wheels}\nkitdeptest==1.0\n")
    req = deps.Request(modules="s3://artifacts/requirements.txt", installer_option="-r")
    overlay_plan = deps.plan(req, tmp_path, s3_root=s3_root)
    assert overlay_plan.pip_args == ("-r", str(requirements))
    folder = deps.ensure(overlay_plan, progress=lambda _line: None)
    assert deps.installed(folder) == ["kitdeptest==1.0"]


def test_a_wheel_by_s3_path_and_a_zip_of_wheels(tmp_path, wheels, cache):
    s3_root = tmp_path / "s3"
    libs = s3_root / "artifacts" / "libs"
    libs.mkdir(parents=True)
    shutil.copy(wheels / "kitdeptest-1.0-py3-none-any.whl", libs)
    bundle = libs / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(wheels / "tomlkit-99.0-py3-none-any.whl", "wheels/tomlkit-99.0-py3-none-any.whl")
    req = deps.Request(
        modules="s3://artifacts/libs/kitdeptest-1.0-py3-none-any.whl,s3://artifacts/libs/bundle.zip"
    )
    folder = deps.ensure(deps.plan(req, tmp_path, s3_root=s3_root), progress=lambda _line: None)
    assert sorted(deps.installed(folder)) == ["kitdeptest==1.0", "tomlkit==99.0"]
    assert not (folder / "wheels").exists()  # the unpacked zip is not kept

    # AWS's recipe: wheels/ with the requirements.txt that chose them; only what it lists
    make_wheel(wheels, "kitdepdep", "2.0", {"kitdepdep.py": ""})
    make_wheel(wheels, "kitdeptop", "1.0", {"kitdeptop.py": ""}, requires=("kitdepdep==2.0",))
    recipe = libs / "mylibs-1.0.gluewheels.zip"
    with zipfile.ZipFile(recipe, "w") as archive:
        archive.writestr("wheels/requirements.txt", "kitdeptop\n")
        for name in ("kitdeptop-1.0", "kitdepdep-2.0", "kitdeptest-1.0"):
            archive.write(wheels / f"{name}-py3-none-any.whl", f"wheels/{name}-py3-none-any.whl")
    req = deps.Request(modules="s3://artifacts/libs/mylibs-1.0.gluewheels.zip",
                       installer_option="--no-index")
    folder = deps.ensure(deps.plan(req, tmp_path, s3_root=s3_root), progress=lambda _line: None)
    assert sorted(deps.installed(folder)) == ["kitdepdep==2.0", "kitdeptop==1.0"]


# --- bad input: one line, nothing half-written -------------------------------------------------


def test_pip_failure_is_one_line_with_pips_reason_and_leaves_no_overlay(tmp_path, wheels, cache):
    req = deps.Request(modules="kitdeptest==1.0,no-such-package-kit==1.0",
                       installer_option=offline_option(wheels))
    with pytest.raises(DependencyError) as failure:
        deps.ensure(deps.plan(req, tmp_path), progress=lambda _line: None)
    message = str(failure.value)
    assert "\n" not in message and "no-such-package-kit" in message
    assert "No matching distribution" in message
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_offline_with_nothing_cached_is_refused_without_pip(tmp_path, cache, monkeypatch):
    monkeypatch.setenv(deps.OFFLINE_ENV, "1")
    with pytest.raises(DependencyError, match=r"not cached \(kitdeptest==1.0\) and KIT_DEPS_OFFLINE forbids"):
        deps.ensure(deps.plan(deps.Request(modules="kitdeptest==1.0"), tmp_path))
    assert not cache.exists() or not any(cache.iterdir())


@pytest.mark.parametrize("req, message", [
    (deps.Request(modules="kitdeptest==="), "is not a pip requirement"),
    (deps.Request(modules="good,bad name"), "'bad name' is not a pip requirement"),
    (deps.Request(modules="s3://artifacts/missing.whl"), "s3://artifacts/missing.whl is not found"),
    (deps.Request(modules="a.txt,b.txt", installer_option="-r"), "takes one requirements file"),
    (deps.Request(modules="x", installer_option="--target /tmp/x"), "--target /tmp/x"[:8]),
    (deps.Request(modules="x", installer_option="--user"), "--user is not allowed"),
    (deps.Request(installer_option="--upgrade"), "without --additional-python-modules"),
    (deps.Request(modules="x", installer_option="'unclosed"), "--python-modules-installer-option"),
])
def test_bad_requests_are_one_line_errors(tmp_path, req, message):
    with pytest.raises(DependencyError) as failure:
        deps.plan(req, tmp_path, s3_root=tmp_path / "s3")
    assert message in str(failure.value) and "\n" not in str(failure.value)


# --- jars ---------------------------------------------------------------------------------------


def test_extra_jars_go_to_spark_jars_and_first_on_the_class_path_when_asked(tmp_path):
    s3_root = tmp_path / "s3"
    one = make_jar(s3_root / "artifacts" / "jars" / "one.jar")
    two = make_jar(tmp_path / "local" / "two.jar")
    req = deps.Request(extra_jars="s3://artifacts/jars/one.jar,local/two.jar")
    conf = deps.jar_conf(req, tmp_path, {"spark.jars": "/opt/given.jar"}, s3_root)
    assert conf == {"spark.jars": f"/opt/given.jar,{one},{two}"}
    first = deps.jar_conf(
        deps.Request(extra_jars="s3://artifacts/jars/one.jar", user_jars_first="true"),
        tmp_path, {}, s3_root,
    )
    assert first["spark.driver.extraClassPath"] == str(one)
    assert first["spark.executor.extraClassPath"] == str(one)
    assert first["spark.executor.userClassPathFirst"] == "true"
    with pytest.raises(DependencyError, match=r"--extra-jars: s3://artifacts/jars/no.jar is not found"):
        deps.jar_conf(deps.Request(extra_jars="s3://artifacts/jars/no.jar"), tmp_path, {}, s3_root)
    with pytest.raises(DependencyError, match="is a folder, not a file"):
        deps.jar_conf(deps.Request(extra_jars="s3://artifacts/jars"), tmp_path, {}, s3_root)
    with pytest.raises(DependencyError, match="use true or false"):
        deps.jar_conf(deps.Request(extra_jars="local/two.jar", user_jars_first="yes"), tmp_path)


# --- where the arguments come from --------------------------------------------------------------


def test_settings_give_defaults_and_argv_wins(tmp_path, wheels, cache):
    config = Config(tmp_path, tmp_path / ".kit", {"sales": {
        "arguments": {"--additional-python-modules": "kitdeptest==1.0", "other": "x",
                      "python-modules-installer-option": offline_option(wheels)},
        "environments": {"prod": {"arguments": {"extra-jars": "s3://a/b.jar"}}},
    }})
    assert deps.job_arguments(config, "sales") == {
        "additional-python-modules": "kitdeptest==1.0",
        "python-modules-installer-option": offline_option(wheels),
    }
    assert deps.job_arguments(config, "sales", "prod")["extra-jars"] == "s3://a/b.jar"
    settings = deps.job_arguments(config, "sales")
    req = deps.request(["--JOB_NAME", "sales", "--additional-python-modules=tomlkit==99.0"], settings)
    assert req.modules == "tomlkit==99.0" and req.installer_option == offline_option(wheels)

    applied = deps.apply(["--JOB_NAME", "sales"], config, "sales", progress=lambda _line: None)
    assert applied.overlay is not None and deps.installed(applied.overlay) == ["kitdeptest==1.0"]
    assert applied.python_path == [str(deps.site_packages(applied.overlay))]
    assert applied.spark_conf == {}
    assert deps.apply(["--JOB_NAME", "x"], config, None).python_path == []


# --- end to end: kit run -----------------------------------------------------------------------


@pytest.mark.slow
def test_kit_run_installs_modules_adds_jars_and_reuses_the_overlay(project, wheels, cache):
    """A real job run imports the wheel (driver and Python workers), sees the overriding
    tomlkit, has the jar in spark.jars; the next run reuses the overlay with no pip at all."""
    jar = make_jar(project / ".kit" / "s3" / "artifacts" / "jars" / "tiny.jar")
    script = project / "uses_deps.py"
    script.write_text(
        "import json\n"
        "import kitdeptest, tomlkit\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "def on_worker(_):\n"
        "    import kitdeptest\n"
        "    return kitdeptest.GREETING\n"
        "worker = spark.sparkContext.parallelize([1], 1).map(on_worker).collect()[0]\n"
        "print(json.dumps({'driver': kitdeptest.GREETING, 'worker': worker,\n"
        "                  'tomlkit': tomlkit.__version__,\n"
        "                  'jars': spark.sparkContext.getConf().get('spark.jars'),\n"
        "                  'resource': str(spark._jvm.org.apache.spark.util.Utils\n"
        "                      .getContextOrSparkClassLoader().getResource('kit_jar_marker.txt'))}))\n"
        "spark.stop()\n"
    )
    args = ["--JOB_NAME", "deps", "--additional-python-modules", "kitdeptest==1.0,tomlkit==99.0",
            "--python-modules-installer-option", offline_option(wheels),
            "--extra-jars", "s3://artifacts/jars/tiny.jar"]
    result = subprocess.run([KIT, "run", "uses_deps.py", *args], cwd=project,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["driver"] == seen["worker"] == "hello from a wheel"
    assert seen["tomlkit"] == "99.0"  # the job's modules override kit's packages, as on Glue
    assert jar.as_uri() in seen["jars"].split(",")
    assert seen["resource"].endswith("tiny.jar!/kit_jar_marker.txt")  # on Spark's class loader
    assert "installing the job's Python modules" in result.stderr

    (project / "plain.py").write_text("import kitdeptest\nprint(kitdeptest.GREETING)\n")
    env = {**os.environ, deps.OFFLINE_ENV: "1"}
    again = subprocess.run([KIT, "run", "plain.py", *args], cwd=project, env=env,
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == "hello from a wheel"
    assert "installing" not in again.stderr


def test_kit_run_bad_dependency_is_one_line_and_runs_nothing(project, cache):
    (project / "noop.py").write_text("open('ran', 'w').close()\n")
    for args, expected in [
        (["--additional-python-modules", "bad name"], "is not a pip requirement"),
        (["--extra-jars", "s3://artifacts/none.jar"], "s3://artifacts/none.jar is not found"),
    ]:
        result = subprocess.run([KIT, "run", "noop.py", *args], cwd=project,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("kit: error: ")
        assert expected in result.stderr
    assert not (project / "ran").exists()


# --- the pytest plugin and `kit deps` -----------------------------------------------------------


def deps_project(root: Path, wheels: Path) -> Path:
    """A kit project whose job ``sales`` asks for kitdeptest (offline, from ``wheels``)."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[tool.kit]\n\n[tool.kit.job.sales.arguments]\n"
        '"--additional-python-modules" = "kitdeptest==1.0"\n'
        f'"--python-modules-installer-option" = "{offline_option(wheels)}"\n'
    )
    return root


def test_pytest_plugin_puts_the_jobs_modules_on_sys_path(tmp_path, wheels, cache):
    project = deps_project(tmp_path / "proj", wheels)
    (project / "test_job.py").write_text(
        "import sys\n\n"
        "def test_imports_the_dependency():\n"
        "    import kitdeptest, tomlkit\n"
        "    assert kitdeptest.GREETING == 'hello from a wheel'\n"
        "    where = [p for p in sys.path if 'deps-cache' in p]\n"
        "    assert len(where) == 1\n"
        "    assert sys.path.index(where[0]) < sys.path.index(tomlkit.__file__.rsplit('/tomlkit/', 1)[0])\n"
    )
    env = {**os.environ, "KIT_PROJECT": str(project)}
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
           "test_job.py"]
    result = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (project / "pytest.ini").write_text("[pytest]\nkit_job_dependencies = false\n")
    result = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "No module named 'kitdeptest'" in result.stdout


def test_kit_deps_install_list_clear(tmp_path, wheels, cache, cli, monkeypatch):
    project = deps_project(tmp_path / "proj", wheels)
    monkeypatch.chdir(project)
    monkeypatch.delenv("KIT_PROJECT", raising=False)
    result = cli("deps", "install", "sales")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("sales: kitdeptest==1.0 (")
    listed = cli("deps", "list")
    key = listed.stdout.split()[0]
    assert (cache / key).is_dir() and "kitdeptest==1.0" in listed.stdout
    assert cli("deps", "install", "sales").stderr == ""  # cached: no pip, no progress
    nothing = cli("deps", "install", "other")
    assert nothing.exit_code == 1 and "other asks for no Python modules" in nothing.stderr
    missing = cli("deps", "clear", "0123456789abcdef")
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1
    assert cli("deps", "clear", key).stdout.startswith("removed 1 overlay(s)")
    assert not (cache / key).exists()
    assert "no overlay cached" in cli("deps", "list").stdout


def test_local_kernel_start_puts_the_jobs_modules_on_its_path(
    tmp_path, wheels, cache, monkeypatch, capsys
):
    from kit.runtime import kernel

    project = deps_project(tmp_path / "proj", wheels)
    monkeypatch.setattr(sys, "path", sys.path[:])
    monkeypatch.setenv("PYTHONPATH", "")
    kernel._add_job_modules(project)
    where = [p for p in sys.path if p.startswith(str(cache))]
    assert len(where) == 1 and (Path(where[0]) / "kitdeptest.py").is_file()
    assert os.environ["PYTHONPATH"] == where[0]  # Spark's Python workers see it too

    (project / "pyproject.toml").write_text(
        "[tool.kit]\n\n[tool.kit.job.sales.arguments]\n"
        '"--additional-python-modules" = "bad name"\n'
    )
    monkeypatch.setattr(sys, "path", sys.path[:])
    capsys.readouterr()
    kernel._add_job_modules(project)  # a bad setting is reported, the kernel still starts
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'bad name' is not a pip requirement" in err
