"""kit's pytest plugin (entry point ``pytest11``): one shared local SparkSession per test session."""

from __future__ import annotations

import os

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


# The glue_context fixture and the local awsglue layer on sys.path (tests import awsglue freely).
from kit.testing.glue import glue_context  # noqa: E402, F401
