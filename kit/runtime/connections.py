"""JDBC connections as Glue resolves them: options, Glue catalog connections, Secrets Manager.

A Glue script names its database either directly (``url``/``user``/``password`` in
``connection_options``) or through a Glue *connection* (``useConnectionProperties`` +
``connectionName``, ``from_jdbc_conf``'s ``catalog_connection``, ``extract_jdbc_conf``), whose
``JDBC_CONNECTION_URL`` and ``USERNAME``/``PASSWORD`` (or ``SECRET_ID``, a Secrets Manager secret
holding ``username``/``password``) come from the Glue API, through boto3 resolved from the job's
environment like the job's own clients (during ``kit run``: kit's local AWS).

Drivers are Debian's (``/usr/share/java``); a Redshift target is reached locally as PostgreSQL,
which speaks the same protocol (``jdbc:redshift://`` becomes ``jdbc:postgresql://``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import GlueConnectionError

JAVA_SHARE = Path("/usr/share/java")


@dataclass(frozen=True)
class Driver:
    """A JDBC driver: its class, the jar names that carry it, the Debian package shipping them."""

    vendor: str
    class_name: str
    jars: tuple[str, ...]
    package: str | None = None

    def missing_message(self, connection_type: str) -> str:
        if self.package:
            return (
                f"connection_type {connection_type!r} needs the {self.vendor} JDBC driver, not found "
                f"in {jar_dir()}; install it with `sudo apt-get install -y {self.package}`"
            )
        return (
            f"connection_type {connection_type!r} needs the {self.vendor} JDBC driver "
            f"({self.class_name}), which kit does not ship; put its jar in {jar_dir()} or pass "
            "customJdbcDriverS3Path and customJdbcDriverClassName in connection_options"
        )


POSTGRESQL = Driver("PostgreSQL", "org.postgresql.Driver", ("postgresql.jar",),
                    "libpostgresql-jdbc-java")
MARIADB = Driver("MariaDB/MySQL", "org.mariadb.jdbc.Driver", ("mariadb-java-client.jar",),
                 "libmariadb-java")
SQLSERVER = Driver("Microsoft SQL Server", "com.microsoft.sqlserver.jdbc.SQLServerDriver",
                   ("mssql-jdbc.jar",))
ORACLE = Driver("Oracle", "oracle.jdbc.OracleDriver", ("ojdbc11.jar", "ojdbc8.jar"))

DRIVERS: dict[str, Driver] = {
    "postgresql": POSTGRESQL,
    "redshift": POSTGRESQL,  # locally a Redshift target is a PostgreSQL database
    "mysql": MARIADB,
    "sqlserver": SQLSERVER,
    "oracle": ORACLE,
}
JDBC_TYPES = frozenset(DRIVERS)
_URL_VENDORS = {"postgresql": "postgresql", "redshift": "redshift", "mysql": "mysql",
                "mariadb": "mysql", "sqlserver": "sqlserver", "oracle": "oracle"}


def jar_dir() -> Path:
    """Where driver jars are looked for: ``$KIT_JDBC_JAR_DIR`` or Debian's /usr/share/java."""
    return Path(os.environ.get("KIT_JDBC_JAR_DIR") or JAVA_SHARE)


def driver_jar(driver: Driver) -> Path | None:
    """The jar that carries ``driver``, if installed."""
    for name in driver.jars:
        path = jar_dir() / name
        if path.is_file():
            return path.resolve()
    return None


def jdbc_jars() -> list[str]:
    """Every installed driver jar (for ``spark.jars`` when a session starts)."""
    seen = {str(j) for d in set(DRIVERS.values()) if (j := driver_jar(d)) is not None}
    return sorted(seen)


@dataclass
class JdbcTarget:
    """Where to connect: the URL the local driver takes, credentials, the table."""

    connection_type: str
    url: str
    driver: Driver
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    dbtable: str | None = None
    custom_jar: str | None = None

    def properties(self) -> dict[str, str]:
        """Spark JDBC options (credentials included; never log them)."""
        props = {"url": self.url, "driver": self.driver.class_name}
        if self.user is not None:
            props["user"] = self.user
        if self.password is not None:
            props["password"] = self.password
        return props


def vendor_of(url: str) -> str | None:
    """``postgresql``, ``redshift``, ``mysql``, ``sqlserver`` or ``oracle`` from a JDBC URL."""
    found = re.match(r"^jdbc:([a-z0-9]+):", url.strip(), re.IGNORECASE)
    return _URL_VENDORS.get(found.group(1).lower()) if found else None


def local_url(url: str) -> str:
    """The URL a local driver takes: Redshift's is PostgreSQL's (same wire protocol)."""
    return re.sub(r"^jdbc:redshift:", "jdbc:postgresql:", url.strip(), flags=re.IGNORECASE)


def with_database(url: str, database: str) -> str:
    """``url`` pointing at ``database`` (Glue's ``database`` option for from_jdbc_conf)."""
    head, sep, query = url.partition("?")
    found = re.match(r"^(jdbc:[a-z0-9]+://[^/]+)(/[^;]*)?(.*)$", head, re.IGNORECASE)
    if not found:
        return url
    return f"{found.group(1)}/{database}{found.group(3)}{sep}{query}"


def _opt(options: dict[str, Any], name: str) -> Any:
    lowered = {str(k).lower(): v for k, v in options.items()}
    return lowered.get(name.lower())


def _client(service: str) -> Any:
    """A client resolved as the job's own ``boto3.client(service)`` is: from the job's
    environment (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``, credentials, region), so
    a ``SECRET_ID`` resolves through the same (local) AWS as the job's other calls."""
    import boto3

    session = boto3.session.Session()
    return session.client(service, region_name=session.region_name or "us-east-1")


def glue_connection(name: str, catalog_id: str | None = None) -> dict[str, str]:
    """The ``ConnectionProperties`` of Glue connection ``name`` (``GetConnection``)."""
    from botocore.exceptions import BotoCoreError, ClientError

    kwargs: dict[str, Any] = {"Name": name, "HidePassword": False}
    if catalog_id:
        kwargs["CatalogId"] = catalog_id
    try:
        found = _client("glue").get_connection(**kwargs)["Connection"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "") or str(exc)
        raise GlueConnectionError(
            f"Glue connection {name!r}: {code}; create it (CreateConnection) or check the name "
            "(and AWS_ENDPOINT_URL for a local catalog)"
        ) from None
    except BotoCoreError as exc:
        raise GlueConnectionError(
            f"cannot reach the Glue API for connection {name!r}: {exc}; set AWS credentials/region "
            "or AWS_ENDPOINT_URL"
        ) from None
    return dict(found.get("ConnectionProperties") or {})


def secret_credentials(secret_id: str) -> tuple[str | None, str | None]:
    """``username``/``password`` of a Secrets Manager secret (the JSON Glue connections use)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = _client("secretsmanager").get_secret_value(SecretId=secret_id)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "") or str(exc)
        raise GlueConnectionError(f"secret {secret_id!r}: {code}; check SECRET_ID") from None
    except BotoCoreError as exc:
        raise GlueConnectionError(
            f"cannot reach Secrets Manager for secret {secret_id!r}: {exc}"
        ) from None
    try:
        data = json.loads(value.get("SecretString") or "")
    except ValueError:
        raise GlueConnectionError(
            f"secret {secret_id!r} is not JSON; store {{\"username\": ..., \"password\": ...}}"
        ) from None
    if not isinstance(data, dict):
        raise GlueConnectionError(f"secret {secret_id!r} must be a JSON object")
    return data.get("username"), data.get("password")


def resolve(
    connection_type: str | None,
    options: dict[str, Any],
    connection_name: str | None = None,
    catalog_id: str | None = None,
) -> JdbcTarget:
    """The JDBC target ``connection_options`` describe, as Glue reads them.

    ``connection_name`` (``from_jdbc_conf``) or ``useConnectionProperties`` + ``connectionName``
    take URL and credentials from the Glue connection; options given explicitly win.
    """
    use_props = str(_opt(options, "useConnectionProperties") or "").lower() == "true"
    name = connection_name or (_opt(options, "connectionName") if use_props else None)
    if use_props and not name:
        raise GlueConnectionError(
            "useConnectionProperties is true but connection_options has no connectionName"
        )
    props = glue_connection(name, catalog_id) if name else {}
    url = _opt(options, "url") or props.get("JDBC_CONNECTION_URL")
    if not url:
        where = f"Glue connection {name!r} has no JDBC_CONNECTION_URL" if name else (
            "connection_options has no 'url'")
        raise GlueConnectionError(f"{where}; give a jdbc:... URL (or use a Glue connection)")
    vendor = vendor_of(url)
    kind = (connection_type or "").lower()
    if kind not in JDBC_TYPES:
        kind = vendor or kind
    if kind not in JDBC_TYPES:
        raise GlueConnectionError(
            f"cannot tell the database of JDBC URL {url!r}; use jdbc:postgresql, jdbc:redshift, "
            "jdbc:mysql, jdbc:sqlserver or jdbc:oracle"
        )
    database = _opt(options, "database")
    if database:
        url = with_database(url, str(database))
    user = _opt(options, "user") or _opt(options, "username") or props.get("USERNAME")
    password = _opt(options, "password") or props.get("PASSWORD")
    secret = _opt(options, "secretId") or props.get("SECRET_ID")
    if secret and (user is None or password is None):
        secret_user, secret_password = secret_credentials(str(secret))
        user = user or secret_user
        password = password if password is not None else secret_password
    driver = DRIVERS[kind]
    custom_class = _opt(options, "customJdbcDriverClassName") or props.get("JDBC_DRIVER_CLASS_NAME")
    custom_jar = _opt(options, "customJdbcDriverS3Path") or props.get("JDBC_DRIVER_JAR_URI")
    if custom_class:
        driver = Driver(driver.vendor, str(custom_class), driver.jars, driver.package)
    return JdbcTarget(
        connection_type=kind,
        url=local_url(url),
        driver=driver,
        user=user,
        password=password,
        dbtable=_opt(options, "dbtable"),
        custom_jar=str(custom_jar) if custom_jar else None,
    )


def jdbc_conf(connection_name: str, catalog_id: str | None = None) -> dict[str, str]:
    """Glue's ``extract_jdbc_conf``: ``url`` (without the database), ``fullUrl``, ``user``,
    ``password``, ``vendor``."""
    target = resolve(None, {"useConnectionProperties": "true", "connectionName": connection_name},
                     catalog_id=catalog_id)
    props = glue_connection(connection_name, catalog_id)
    full = props.get("JDBC_CONNECTION_URL", target.url)
    found = re.match(r"^(jdbc:[a-z0-9]+://[^/;?]+)", full, re.IGNORECASE)
    return {
        "url": found.group(1) if found else full,
        "fullUrl": full,
        "user": target.user or "",
        "password": target.password or "",
        "vendor": vendor_of(full) or target.connection_type,
    }


def statements(sql: str | None) -> list[str]:
    """``preactions``/``postactions``: semicolon-separated SQL, empty statements dropped."""
    if not sql:
        return []
    return [s.strip() for s in str(sql).split(";") if s.strip()]
