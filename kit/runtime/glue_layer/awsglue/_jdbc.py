"""JDBC sources and sinks (postgresql, mysql, redshift, ...) on Spark's own JDBC data source.

The driver jar is loaded into the running session when first needed (``ADD JAR``: the driver's
class loader and the executors), so any session works: ``kit run``, the kernel, pytest's.
"""

from __future__ import annotations

import threading
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from kit.errors import GlueConnectionError
from kit.runtime import connections, s3local
from kit.runtime.connections import JdbcTarget

_LOADED: set[str] = set()
_LOCK = threading.Lock()
_REGISTRY = "org.apache.spark.sql.execution.datasources.jdbc.DriverRegistry"


def ensure_driver(spark: SparkSession, target: JdbcTarget) -> None:
    """Make ``target``'s driver class loadable in this session, or one line naming the fix."""
    with _LOCK:
        name = target.driver.class_name
        if name in _LOADED:
            return
        jar = None
        if target.custom_jar:
            jar = s3local.to_local(target.custom_jar)
        elif not _loadable(spark, name):
            found = connections.driver_jar(target.driver)
            if found is None:
                raise GlueConnectionError(target.driver.missing_message(target.connection_type))
            jar = str(found)
        if jar is not None:
            spark.sql(f"ADD JAR '{jar}'")
        try:
            registry: Any = spark.sparkContext._jvm  # py4j view: attributes are JVM packages
            for part in _REGISTRY.split("."):
                registry = getattr(registry, part)
            _use_session_loader(spark)
            registry.register(name)
        except Exception as exc:  # noqa: BLE001 - py4j wraps the JVM's ClassNotFoundException
            raise GlueConnectionError(
                f"JDBC driver class {name} cannot be loaded ({java_message(exc)}); "
                + target.driver.missing_message(target.connection_type).split("; ", 1)[-1]
            ) from None
        _LOADED.add(name)


def _loadable(spark: SparkSession, class_name: str) -> bool:
    jvm: Any = spark.sparkContext._jvm  # py4j view: attributes are JVM packages
    try:
        _use_session_loader(spark)
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
        jvm.java.lang.Class.forName(class_name, False, loader)
        return True
    except Exception:  # noqa: BLE001 - ClassNotFoundException through py4j
        return False


def _use_session_loader(spark: SparkSession) -> None:
    """This (py4j) thread resolves classes through the session's jar class loader (ADD JAR's)."""
    jvm: Any = spark.sparkContext._jvm  # py4j view: attributes are JVM packages
    loader = spark._jsparkSession.sharedState().jarClassLoader()
    jvm.java.lang.Thread.currentThread().setContextClassLoader(loader)


def read(spark: SparkSession, target: JdbcTarget, options: dict[str, Any]) -> DataFrame:
    """The table ``dbtable`` (or the result of ``query``) as a DataFrame."""
    ensure_driver(spark, target)
    reader = spark.read.format("jdbc").options(**target.properties())
    query = _opt(options, "query") or _opt(options, "sampleQuery")
    if query:
        reader = reader.option("query", str(query))
    elif target.dbtable:
        reader = reader.option("dbtable", target.dbtable)
    else:
        raise GlueConnectionError(f"{target.connection_type} source: connection_options needs 'dbtable'")
    fetch = _opt(options, "fetchsize")
    if fetch:
        reader = reader.option("fetchsize", str(fetch))
    return reader.load()


def write(df: DataFrame, target: JdbcTarget, options: dict[str, Any]) -> None:
    """Append ``df`` to ``dbtable`` (created when missing), between ``preactions`` and
    ``postactions`` (Redshift's options; run as plain SQL on the local database)."""
    if not target.dbtable:
        raise GlueConnectionError(f"{target.connection_type} sink: connection_options needs 'dbtable'")
    spark = df.sparkSession
    ensure_driver(spark, target)
    if target.connection_type == "redshift":
        execute(spark, target, connections.statements(_opt(options, "preactions")))
    writer = df.write.format("jdbc").mode("append").options(**target.properties())
    writer = writer.option("dbtable", target.dbtable)
    batch = _opt(options, "batchsize")
    if batch:
        writer = writer.option("batchsize", str(batch))
    writer.save()
    if target.connection_type == "redshift":
        execute(spark, target, connections.statements(_opt(options, "postactions")))


def execute(spark: SparkSession, target: JdbcTarget, sql: list[str]) -> None:
    """Run SQL statements in one transaction through the JDBC driver (on the driver's JVM)."""
    if not sql:
        return
    ensure_driver(spark, target)
    jvm: Any = spark.sparkContext._jvm  # py4j view: attributes are JVM packages
    props = jvm.java.util.Properties()
    for key in ("user", "password"):
        value = getattr(target, key)
        if value is not None:
            props.setProperty(key, value)
    _use_session_loader(spark)
    conn = jvm.java.sql.DriverManager.getConnection(target.url, props)
    try:
        conn.setAutoCommit(False)
        statement = conn.createStatement()
        for text in sql:
            statement.execute(text)
        conn.commit()
    except Exception as exc:
        conn.rollback()
        raise GlueConnectionError(
            f"{target.connection_type} SQL failed: {java_message(exc)}"
        ) from None
    finally:
        conn.close()


def java_message(exc: BaseException) -> str:
    """The JVM exception's own message (py4j's first line only names the call)."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            return str(java.getMessage()).strip().splitlines()[0]
        except Exception:  # noqa: BLE001 - the gateway may be gone
            pass
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _opt(options: dict[str, Any], name: str) -> Any:
    lowered = {str(k).lower(): v for k, v in (options or {}).items()}
    return lowered.get(name.lower())
