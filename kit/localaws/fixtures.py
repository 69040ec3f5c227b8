"""What a job needs in the local AWS, declared in ``local/aws.toml`` and loaded before a run.

Example (every table optional)::

    [[buckets]]
    name = "acme-data"
    upload = { "in/orders/" = "data/orders_by_month/" }   # prefix = project file or folder

    [ssm]
    "/orders/threshold" = "10"                               # String
    "/orders/regions" = { value = "eu,us", type = "StringList" }
    "/orders/api-key" = { type = "SecureString", secret = "ORDERS_API_KEY" }

    [secrets]
    "orders/db" = { secret = "ORDERS_DB" }

    [glue.databases.sales]
    description = "local copy"

    [[glue.tables]]
    database = "sales"
    name = "orders"
    location = "s3://acme-data/in/orders/"
    classification = "csv"
    columns = { order_id = "int", amount = "double" }

    [glue.connections.orders_db]
    type = "JDBC"
    properties = { JDBC_CONNECTION_URL = "jdbc:postgresql://db:5432/orders", SECRET_ID = "orders/db" }

    [glue]
    catalog = "dev"           # catalog/*.yml (kit catalog), {env} = dev, loaded into the local Glue

    [sns]
    topics = ["orders-done"]
    [sqs]
    queues = ["orders-done-watch"]
    subscriptions = [{ topic = "orders-done", queue = "orders-done-watch" }]

A ``secret = "NAME"`` value comes from the environment variable ``NAME``, else from the
git-ignored ``local/secrets.toml`` (``NAME = "value"``); never from ``aws.toml`` itself, and it
is never printed. Everything is validated before the run starts (one line per problem).

The project's local database (``kit db local``, :mod:`kit.localdb`) is referred to as
``${kit:db.KEY}``: ``url``, ``host``, ``port``, ``database``, ``user`` in connection properties,
and ``secret = "${kit:db.credentials}"`` (its ``{"username", "password"}`` JSON) or
``${kit:db.password}`` for a secret. While no local database runs, what refers to it is left
out of the local AWS (and reported), so jobs that do not use it still run.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import LocalFixtureError

FIXTURES = Path("local") / "aws.toml"
SECRETS = Path("local") / "secrets.toml"
_TOP = {"buckets", "ssm", "secrets", "glue", "sns", "sqs"}
_SSM_TYPES = {"String", "StringList", "SecureString"}


@dataclass
class Fixtures:
    """The validated content of ``local/aws.toml``, secret values resolved."""

    buckets: dict[str, dict[str, Path]] = field(default_factory=dict)  # name -> prefix -> path
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (type, value)
    secrets: dict[str, str] = field(default_factory=dict)
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: list[dict[str, Any]] = field(default_factory=list)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    subscriptions: list[tuple[str, str]] = field(default_factory=list)
    catalog_env: str | None = None  # [glue] catalog = ENV: catalog/*.yml into the local Glue
    catalog: list[Any] = field(default_factory=list)  # kit.catalog Database declarations
    waiting: list[str] = field(default_factory=list)  # left out: no local database runs

    @property
    def secret_values(self) -> list[str]:
        """Every secret value (to keep them out of output)."""
        found = list(self.secrets.values())
        found += [v for t, v in self.parameters.values() if t == "SecureString"]
        return [v for v in found if v]


def load(root: Path, environ: dict[str, str] | None = None) -> Fixtures:
    """Read and validate ``root/local/aws.toml`` (an empty :class:`Fixtures` when absent)."""
    path = root / FIXTURES
    if not path.is_file():
        return Fixtures()
    where = FIXTURES.as_posix()
    data = _read_toml(path, where)
    env = dict(os.environ if environ is None else environ)
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise LocalFixtureError(f"{where}: unknown table [{unknown[0]}]; known: {', '.join(sorted(_TOP))}")
    secrets_file = _secrets_file(root)
    fixtures = Fixtures()
    local_db: list[dict[str, str] | None] = []  # the running local database, looked up once

    def db_expand(owner: str, text: str, secret: bool = False) -> str | None:
        """``text`` with ``${kit:db.KEY}`` filled in; None while no local database runs."""
        from kit import localdb
        from kit.errors import LocalDbError

        if not localdb.references(text):
            return text
        if not local_db:
            found = localdb.find_for_project(root)
            local_db.append(found.values() if found else None)
        try:
            return localdb.expand(text, local_db[0] or {}, secret=secret) if local_db[0] else None
        except LocalDbError as exc:
            raise LocalFixtureError(f"{where}: {owner}: {exc}") from None

    def secret(owner: str, name: Any) -> str:
        if not isinstance(name, str) or not name:
            raise LocalFixtureError(f"{where}: {owner}: secret must name an environment variable")
        if "${" in name:
            value = db_expand(owner, name, secret=True)
            if value is None:
                raise _NoLocalDb
            return value
        if name in env:
            return env[name]
        if name in secrets_file:
            return str(secrets_file[name])
        raise LocalFixtureError(
            f"{where}: {owner}: no value for secret {name}; set the environment variable {name} "
            f"or add {name} = \"...\" to {SECRETS.as_posix()} (git-ignored)"
        )

    for i, bucket in enumerate(_list(data, "buckets", where)):
        name = bucket.get("name") if isinstance(bucket, dict) else None
        if not isinstance(name, str) or not name:
            raise LocalFixtureError(f"{where}: buckets[{i}] needs a name")
        if name in fixtures.buckets:
            raise LocalFixtureError(f"{where}: bucket {name} is declared twice")
        uploads = bucket.get("upload", {})
        if not isinstance(uploads, dict):
            raise LocalFixtureError(f"{where}: bucket {name}: upload must be a table prefix = path")
        resolved = {}
        for prefix, local in uploads.items():
            source = root / str(local)
            if not source.exists():
                raise LocalFixtureError(
                    f"{where}: bucket {name}: upload {prefix} = {local}: no such file or folder")
            resolved[str(prefix)] = source
        fixtures.buckets[name] = resolved

    for name, spec in _table(data, "ssm", where).items():
        if isinstance(spec, str):
            spec = {"value": spec}
        if not isinstance(spec, dict):
            raise LocalFixtureError(f"{where}: ssm {name}: give a string or a table")
        kind = spec.get("type", "String")
        if kind not in _SSM_TYPES:
            raise LocalFixtureError(f"{where}: ssm {name}: type {kind} is not one of "
                                    f"{', '.join(sorted(_SSM_TYPES))}")
        if kind == "SecureString":
            if "value" in spec:
                raise LocalFixtureError(f"{where}: ssm {name}: a SecureString takes secret = "
                                        "\"ENV_VAR\", never a value in the file")
            value = secret(f"ssm {name}", spec.get("secret"))
        else:
            plain = spec.get("value")
            if not isinstance(plain, str):
                raise LocalFixtureError(f"{where}: ssm {name}: value must be a string")
            value = plain
        fixtures.parameters[name] = (kind, value)

    for name, spec in _table(data, "secrets", where).items():
        if not isinstance(spec, dict) or "value" in spec:
            raise LocalFixtureError(f"{where}: secret {name}: give {{ secret = \"ENV_VAR\" }}; "
                                    "a value never goes in this file")
        try:
            fixtures.secrets[name] = secret(f"secret {name}", spec.get("secret"))
        except _NoLocalDb:
            fixtures.waiting.append(f"secret {name}")

    glue = _table(data, "glue", where)
    for name, spec in _table(glue, "databases", where).items():
        fixtures.databases[name] = spec if isinstance(spec, dict) else {}
    for i, table in enumerate(_list(glue, "tables", where)):
        if not isinstance(table, dict) or not all(
            isinstance(table.get(k), str) for k in ("database", "name", "location")
        ):
            raise LocalFixtureError(f"{where}: glue.tables[{i}] needs database, name and location")
        if table["database"] not in fixtures.databases:
            raise LocalFixtureError(
                f"{where}: glue table {table['database']}.{table['name']}: database "
                f"{table['database']} is not declared in [glue.databases]")
        fixtures.tables.append(table)
    for name, spec in _table(glue, "connections", where).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("properties", {}), dict):
            raise LocalFixtureError(f"{where}: glue connection {name}: properties must be a table")
        secret_id = spec.get("properties", {}).get("SECRET_ID")
        if secret_id and secret_id not in fixtures.secrets and (
                f"secret {secret_id}" not in fixtures.waiting):
            raise LocalFixtureError(f"{where}: glue connection {name}: SECRET_ID {secret_id} is "
                                    "not declared in [secrets]")
        properties = {k: db_expand(f"glue connection {name}: {k}", str(v))
                      for k, v in spec.get("properties", {}).items()}
        if None in properties.values() or f"secret {secret_id}" in fixtures.waiting:
            fixtures.waiting.append(f"connection {name}")
            continue
        fixtures.connections[name] = {**spec, "properties": properties}
    catalog_env = glue.get("catalog")
    if catalog_env is not None:
        if not isinstance(catalog_env, str) or not catalog_env:
            raise LocalFixtureError(f"{where}: [glue] catalog must name an environment, e.g. "
                                    "catalog = \"dev\"")
        from kit.catalog import declaration

        fixtures.catalog_env, fixtures.catalog = catalog_env, declaration.load_all(root)
    fixtures.topics = [str(t) for t in _table(data, "sns", where).get("topics", [])]
    sqs = _table(data, "sqs", where)
    fixtures.queues = [str(q) for q in sqs.get("queues", [])]
    for sub in sqs.get("subscriptions", []):
        topic, queue = (sub.get("topic"), sub.get("queue")) if isinstance(sub, dict) else (None, None)
        if topic not in fixtures.topics or queue not in fixtures.queues:
            raise LocalFixtureError(f"{where}: sqs subscription {sub}: topic and queue must be "
                                    "declared in [sns] topics and [sqs] queues")
        fixtures.subscriptions.append((topic, queue))
    return fixtures


def apply(fixtures: Fixtures, client: Any) -> list[str]:
    """Create everything in the local AWS through ``client(service)``; lines to report (no values)."""
    lines = []
    s3 = client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name, uploads in fixtures.buckets.items():
        if name not in existing:
            s3.create_bucket(Bucket=name)
        count = 0
        for prefix, source in uploads.items():
            files = [source] if source.is_file() else sorted(
                p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
            for path in files:
                rel = path.name if source.is_file() else path.relative_to(source).as_posix()
                key = prefix + rel if prefix.endswith("/") or not prefix else prefix
                s3.put_object(Bucket=name, Key=key, Body=path.read_bytes())
                count += 1
        lines.append(f"bucket {name}" + (f" ({count} object(s) uploaded)" if count else ""))
    ssm = client("ssm")
    for name, (kind, value) in fixtures.parameters.items():
        ssm.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)
    if fixtures.parameters:
        lines.append(f"{len(fixtures.parameters)} SSM parameter(s)")
    sm = client("secretsmanager")
    for name, value in fixtures.secrets.items():
        try:
            sm.create_secret(Name=name, SecretString=value)
        except sm.exceptions.ResourceExistsException:
            sm.put_secret_value(SecretId=name, SecretString=value)
    if fixtures.secrets:
        lines.append(f"{len(fixtures.secrets)} secret(s)")
    glue = client("glue")
    for name, spec in fixtures.databases.items():
        _ignore_exists(glue, glue.create_database, DatabaseInput={"Name": name, **{
            k[0].upper() + k[1:]: v for k, v in spec.items() if k in ("description",)}})
    for table in fixtures.tables:
        _ignore_exists(glue, glue.create_table, DatabaseName=table["database"],
                       TableInput=_table_input(table))
    for name, spec in fixtures.connections.items():
        connection = {
            "Name": name, "ConnectionType": spec.get("type", "JDBC"),
            "ConnectionProperties": {k: str(v) for k, v in spec.get("properties", {}).items()}}
        try:
            glue.create_connection(ConnectionInput=connection)
        except glue.exceptions.AlreadyExistsException:  # the local database may have moved
            _update_connection(glue, connection)
    if fixtures.databases or fixtures.connections:
        lines.append(f"Glue: {len(fixtures.databases)} database(s), {len(fixtures.tables)} "
                     f"table(s), {len(fixtures.connections)} connection(s)")
    if fixtures.catalog_env:
        from kit.catalog import live

        loaded = live.load(fixtures.catalog, fixtures.catalog_env, glue)
        lines.append(f"catalog/ ({fixtures.catalog_env}): "
                     f"{len(loaded.created) + len(loaded.updated)} database(s) and table(s)")
    if fixtures.waiting:
        lines.append(f"no local database runs (kit db local): left out {', '.join(fixtures.waiting)}")
    sns, sqs = client("sns"), client("sqs")
    topic_arns = {t: sns.create_topic(Name=t)["TopicArn"] for t in fixtures.topics}
    queue_urls = {q: sqs.create_queue(QueueName=q)["QueueUrl"] for q in fixtures.queues}
    for topic, queue in fixtures.subscriptions:
        arn = sqs.get_queue_attributes(QueueUrl=queue_urls[queue],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arns[topic], Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "false"})
    if fixtures.topics or fixtures.queues:
        lines.append(f"{len(fixtures.topics)} SNS topic(s), {len(fixtures.queues)} SQS queue(s)")
    return lines


def _update_connection(glue: Any, connection: dict[str, Any]) -> None:
    from botocore.exceptions import ClientError

    live = glue.get_connection(Name=connection["Name"], HidePassword=False)["Connection"]
    if live.get("ConnectionProperties") == connection["ConnectionProperties"]:
        return
    try:
        glue.update_connection(Name=connection["Name"], ConnectionInput=connection)
    except ClientError:
        raise LocalFixtureError(
            f"Glue connection {connection['Name']} in the local AWS has other properties and "
            "cannot be updated there (no UpdateConnection); restart the local AWS") from None


class _NoLocalDb(Exception):
    """A fixture refers to the local database and none runs."""


def _table_input(table: dict[str, Any]) -> dict[str, Any]:
    columns = [{"Name": k, "Type": str(v)} for k, v in table.get("columns", {}).items()]
    partitions = [{"Name": k, "Type": str(v)} for k, v in table.get("partitions", {}).items()]
    params = {"classification": table.get("classification", "parquet"),
              **{k: str(v) for k, v in table.get("parameters", {}).items()}}
    return {"Name": table["name"], "PartitionKeys": partitions, "Parameters": params,
            "StorageDescriptor": {"Columns": columns, "Location": table["location"]}}


def _ignore_exists(glue: Any, call: Any, **kwargs: Any) -> None:
    try:
        call(**kwargs)
    except glue.exceptions.AlreadyExistsException:
        pass


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LocalFixtureError(f"{where}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalFixtureError(f"{where}: cannot read it: {exc}") from exc


def _secrets_file(root: Path) -> dict[str, Any]:
    path = root / SECRETS
    if not path.is_file():
        return {}
    if _tracked_or_not_ignored(root, path):
        raise LocalFixtureError(
            f"{SECRETS.as_posix()} is not git-ignored; add it to .gitignore before putting "
            "secret values in it")
    return _read_toml(path, SECRETS.as_posix())


def _tracked_or_not_ignored(root: Path, path: Path) -> bool:
    """True when git would commit ``path`` (False outside a git repository)."""
    try:
        proc = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=root,
                              capture_output=True, check=False)
    except OSError:
        return False
    if proc.returncode == 128:  # not a git repository
        return False
    return proc.returncode != 0


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise LocalFixtureError(f"{where}: [{key}] must be a table")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise LocalFixtureError(f"{where}: {key} must be an array of tables ([[{key}]])")
    return value
