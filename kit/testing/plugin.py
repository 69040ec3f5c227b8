"""kit's pytest plugin (entry point ``pytest11``): one shared local SparkSession per test session.

Importing it changes nothing: the local ``awsglue`` layer goes on ``sys.path`` in
``pytest_configure`` (before test modules are collected, so they can ``from awsglue ...``),
unless the ini option ``kit_glue_layer = false`` says otherwise, and never in front of a real
``awsglue`` (on a Glue image the library stays in charge).

``--glue-version V`` (or the ini option ``kit_glue_version``) runs the session on Glue V's Spark:
its cached runtime (built on first use) goes first on ``sys.path`` before PySpark is imported.
Tests marked ``@pytest.mark.glue_version("6.0", ...)`` run only on those versions.

The Python modules the project's jobs ask for (``--additional-python-modules`` in
``[tool.kit.job.JOB] arguments``) are installed once into their cached overlays and put on
``sys.path`` before kit's own packages, so a job module importing one imports in tests
(ini option ``kit_job_dependencies = false`` turns this off).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from kit.runtime.spark import DRIVER_JAVA_OPTIONS

# Small, fast settings for unit tests: two cores, one shuffle partition, no UI.
TEST_CONF = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": DRIVER_JAVA_OPTIONS,
    "spark.sql.warehouse.dir": "",
}
LAYER_INI = "kit_glue_layer"
VERSION_INI = "kit_glue_version"
DEPS_INI = "kit_job_dependencies"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        LAYER_INI, type="bool", default=True,
        help="put kit's local awsglue layer on sys.path for the test session (default: true)",
    )
    parser.addini(VERSION_INI, default="", help="Glue version of the test session (default 5.0)")
    parser.addini(
        DEPS_INI, type="bool", default=True,
        help="put the Python modules of the project's jobs (--additional-python-modules) on "
        "sys.path (default: true)",
    )
    parser.addoption(
        "--glue-version", dest="kit_glue_version", default=None,
        help="run the session's Spark as this Glue version (5.0, 5.1, 6.0)",
    )


def session_glue_version(config: pytest.Config) -> str:
    """The Glue version this test session runs as."""
    from kit.runtime.runtimes import spec

    chosen = config.getoption("kit_glue_version", None) or config.getini(VERSION_INI) or None
    return spec(chosen).glue_version


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "glue_version(*versions): run the test only on these Glue versions"
    )
    _use_runtime(config)
    if config.getini(LAYER_INI):
        from kit.runtime.environment import add_layer_to_sys_path

        add_layer_to_sys_path()
    if config.getini(DEPS_INI):
        _use_job_dependencies(config)


def _use_job_dependencies(config: pytest.Config) -> None:
    """Each job's module overlay on ``sys.path`` (and on the Spark workers' ``PYTHONPATH``)."""
    from kit import config as kit_config
    from kit.errors import KitError
    from kit.runtime import dependencies

    try:
        project = kit_config.load()
    except KitError:
        return  # not in a kit project: nothing to install
    try:
        paths = dependencies.project_paths(project, session_glue_version(config))
    except KitError as exc:
        raise pytest.UsageError(str(exc)) from exc
    dependencies.add_to_sys_path(paths)


def _use_runtime(config: pytest.Config) -> None:
    import sys

    from kit.errors import KitError
    from kit.runtime import runtimes

    try:
        version = session_glue_version(config)
        status = runtimes.ensure(version, lambda line: print(line, file=sys.stderr))
    except KitError as exc:
        raise pytest.UsageError(str(exc)) from exc
    os.environ["KIT_GLUE_VERSION"] = version
    if status.path is None:
        return
    site = str(status.path / "site")
    loaded = sys.modules.get("pyspark")
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(site):
        raise pytest.UsageError(
            f"pyspark {loaded.__version__} was imported before kit could switch to Glue "
            f"{version}; run pytest with -p kit.testing.plugin first or without the import"
        )
    sys.path.insert(0, site)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (site, os.environ.get("PYTHONPATH")) if p
    )  # Spark's Python workers import the same pyspark
    os.environ.pop("SPARK_HOME", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    version = session_glue_version(config)
    for item in items:
        marker = item.get_closest_marker("glue_version")
        if marker is not None and version not in marker.args:
            item.add_marker(pytest.mark.skip(
                reason=f"for Glue {', '.join(marker.args)}; this session is Glue {version}"
            ))


@pytest.fixture(scope="session")
def glue_version(pytestconfig: pytest.Config) -> str:
    """The Glue version of this test session ("5.0" unless --glue-version says otherwise)."""
    return session_glue_version(pytestconfig)


def _build_session(tmp_dir: str):
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master("local[2]").appName("kit-tests")
    for key, value in TEST_CONF.items():
        builder = builder.config(key, value or os.path.join(tmp_dir, "warehouse"))
    return builder.getOrCreate()


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory):
    """A local SparkSession shared by the whole test session."""
    session = _build_session(str(tmp_path_factory.mktemp("spark")))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_context(spark_session):
    """The shared session's SparkContext."""
    return spark_session.sparkContext


@pytest.fixture(scope="session")
def glue_context(spark_session: Any) -> Any:
    """A GlueContext over the session-wide SparkSession (kit's layer, or a real awsglue)."""
    from kit.runtime.environment import add_layer_to_sys_path

    add_layer_to_sys_path()
    from awsglue.context import GlueContext

    return GlueContext(spark_session.sparkContext)
