"""The live Data Catalog through boto3: load declarations into it and read it back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from kit.catalog.declaration import Database
from kit.catalog.inputs import database_input, table_input
from kit.errors import CatalogError


def glue(endpoint_url: str | None = None, env: str | None = None, service: str = "glue") -> Any:
    """A client for the environment's AWS target (its region/profile/endpoint_url settings);
    ``endpoint_url`` wins, then ``AWS_ENDPOINT_URL_GLUE`` / ``AWS_ENDPOINT_URL``."""
    from kit import aws

    settings: dict[str, Any] = {}
    if env:
        try:
            from kit import config as kit_config

            settings = dict((kit_config.load().environments or {}).get(env) or {})
        except Exception:  # noqa: BLE001 - no project settings: AWS_* variables decide
            settings = {}
    if service == "glue":
        endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_GLUE")
    target = aws.resolve_target(
        {k: settings.get(k) for k in ("region", "profile", "endpoint_url")},
        endpoint_url=endpoint_url,
    )
    return aws.client(target, service)


@dataclass
class LoadResult:
    created: list[str]
    updated: list[str]


def load(databases: list[Database], env: str, client: Any) -> LoadResult:
    """Create or update every declared database and table (partitions are left alone)."""
    created: list[str] = []
    updated: list[str] = []
    with _errors("load the catalog"):
        for db in databases:
            dbi = database_input(db, env)
            if _exists(lambda n=db.name: client.get_database(Name=n)):
                client.update_database(Name=db.name, DatabaseInput=dbi)
                updated.append(db.name)
            else:
                client.create_database(DatabaseInput=dbi)
                created.append(db.name)
            for table in db.tables:
                ti = table_input(table, env)
                full = f"{db.name}.{table.name}"
                if _exists(lambda t=table.name, d=db.name: client.get_table(DatabaseName=d, Name=t)):
                    client.update_table(DatabaseName=db.name, TableInput=ti)
                    updated.append(full)
                else:
                    client.create_table(DatabaseName=db.name, TableInput=ti)
                    created.append(full)
    return LoadResult(created, updated)


def get_database(client: Any, name: str) -> dict[str, Any] | None:
    with _errors(f"read database {name}"):
        try:
            return client.get_database(Name=name)["Database"]
        except client.exceptions.EntityNotFoundException:
            return None


def get_tables(client: Any, database: str) -> Iterator[dict[str, Any]]:
    with _errors(f"list the tables of {database}"):
        for page in client.get_paginator("get_tables").paginate(DatabaseName=database):
            yield from page.get("TableList", [])


def _exists(call) -> bool:
    from botocore.exceptions import ClientError

    try:
        call()
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "EntityNotFoundException":
            return False
        raise


class _errors:
    """Turn botocore failures into one-line :class:`CatalogError`."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, etype, exc, tb) -> Literal[False]:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            raise CatalogError(
                f"cannot {self.what}: {err.get('Code', '?')}: {err.get('Message', exc)}"
            ) from exc
        if isinstance(exc, BotoCoreError):
            raise CatalogError(
                f"cannot {self.what}: {exc}; set AWS credentials/region or --endpoint-url"
            ) from exc
        return False
