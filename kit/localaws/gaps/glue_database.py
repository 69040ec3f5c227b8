"""Gap: moto's CloudFormation creates no ``AWS::Glue::Database``; create it on moto's Glue.

The database is named by ``DatabaseInput.Name`` (``Ref`` returns it, as on AWS); a new name
replaces the database, the same name updates it in place (UpdateDatabase), keeping its tables.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from kit.localaws.gaps.catalog_resource import CatalogResource
from kit.localaws.gaps.named_resource import cfn_error


class GlueDatabase(CatalogResource, CloudFormationModel):
    resource_type = "AWS::Glue::Database"

    def __init__(self, name: str) -> None:
        self.name = name

    @staticmethod
    def _input(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
        database_input = dict(cloudformation_json["Properties"].get("DatabaseInput") or {})
        if not database_input.get("Name"):
            raise cfn_error("Property DatabaseInput.Name is required (Service: Glue)")
        return database_input

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        database_input = cls._input(cloudformation_json)
        backend = cls._backend(account_id, region_name)
        name = database_input["Name"]
        if name in backend.databases:
            raise cfn_error(f"Database {name} already exists (Service: Glue; AlreadyExistsException)")
        backend.create_database(name, database_input)
        return cls(name)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> Any:
        database_input = cls._input(cloudformation_json)
        name = database_input["Name"]
        if name != original_resource.name:
            created = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name)
            cls._backend(account_id, region_name).databases.pop(original_resource.name, None)
            return created
        cls._backend(account_id, region_name).update_database(name, database_input)
        return cls(name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Called by moto's stack delete/update with the resource it created (Refs resolved)."""
        self._backend(account_id, region_name).databases.pop(self.name, None)
