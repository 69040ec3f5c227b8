"""kit's pytest plugin (entry point ``pytest11``): one shared local SparkSession per test session.

Importing it changes nothing: the local ``awsglue`` layer goes on ``sys.path`` in
``pytest_configure`` (before test modules are collected, so they can ``from awsglue ...``),
unless the ini option ``kit_glue_layer = false`` says otherwise, and never in front of a real
``awsglue`` (on a Glue image the library stays in charge).
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        LAYER_INI, type="bool", default=True,
        help="put kit's local awsglue layer on sys.path for the test session (default: true)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getini(LAYER_INI):
        from kit.runtime.environment import add_layer_to_sys_path

        add_layer_to_sys_path()


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
