"""Gap: moto's CloudFormation creates no ``AWS::Glue::Table``; create it on moto's Glue.

The table is ``DatabaseName`` + ``TableInput.Name`` (``Ref`` returns the table's name, as on
AWS); the same name updates it in place (UpdateTable: a new table version), a new name or
database replaces it.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from kit.localaws.gaps.catalog_resource import CatalogResource
from kit.localaws.gaps.named_resource import cfn_error


class GlueTable(CatalogResource, CloudFormationModel):
    resource_type = "AWS::Glue::Table"

    def __init__(self, database: str, name: str) -> None:
        self.database = database
        self.name = name

    @staticmethod
    def _identity(cloudformation_json: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        props = cloudformation_json["Properties"]
        table_input = dict(props.get("TableInput") or {})
        database = props.get("DatabaseName")
        if not database or not table_input.get("Name"):
            raise cfn_error("Properties DatabaseName and TableInput.Name are required (Service: Glue)")
        return str(database), str(table_input["Name"]), table_input

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        database, name, table_input = cls._identity(cloudformation_json)
        backend = cls._backend(account_id, region_name)
        if database not in backend.databases:
            raise cfn_error(f"Database {database} not found (Service: Glue; EntityNotFoundException)")
        if name in backend.databases[database].tables:
            raise cfn_error(f"Table {name} already exists (Service: Glue; AlreadyExistsException)")
        backend.create_table(database, name, table_input)
        return cls(database, name)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> Any:
        database, name, table_input = cls._identity(cloudformation_json)
        if (database, name) != (original_resource.database, original_resource.name):
            created = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name)
            cls._drop(account_id, region_name, original_resource.database, original_resource.name)
            return created
        cls._backend(account_id, region_name).update_table(database, name, table_input)
        return cls(database, name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Called by moto's stack delete/update with the resource it created (Refs resolved)."""
        self._drop(account_id, region_name, self.database, self.name)

    @classmethod
    def _drop(cls, account_id: str, region_name: str, database: str, name: str) -> None:
        found = cls._backend(account_id, region_name).databases.get(database)
        if found is not None:
            found.tables.pop(name, None)
