"""The shape every Glue resource model shares: a CloudFormation resource known by its ``Name``.

moto registers CloudFormation models as the *direct* subclasses of ``CloudFormationModel``, so
this is a mixin: a model is ``class X(NamedResource, CloudFormationModel)`` and supplies only
``resource_type``, ``put`` and ``remove``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class NamedResource:
    """Create, update (in place or renamed) and delete through two backend operations."""

    resource_type: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.resource_type

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def put(cls, backend: Any, name: str, props: dict[str, Any], replace: bool) -> None:
        """Create ``name`` (``replace``: it exists and is replaced by these properties)."""
        raise NotImplementedError

    @classmethod
    def remove(cls, backend: Any, name: str) -> None:
        raise NotImplementedError

    @staticmethod
    def backend(account_id: str, region_name: str) -> Any:
        from moto.glue.models import glue_backends

        return glue_backends[account_id][region_name]

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        cls.put(cls.backend(account_id, region_name), resource_name,
                cloudformation_json["Properties"], replace=False)
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> Any:
        backend = cls.backend(account_id, region_name)
        props = cloudformation_json["Properties"]
        if new_resource_name != original_resource.name:
            cls.put(backend, new_resource_name, props, replace=False)
            cls.remove(backend, original_resource.name)
        else:
            cls.put(backend, new_resource_name, props, replace=True)
        return cls(new_resource_name)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str,
    ) -> None:
        cls.remove(cls.backend(account_id, region_name), resource_name)


def cfn_error(message: str) -> Exception:
    """A CloudFormation validation error (the stack fails with ``message`` as its reason)."""
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(message=message)


def as_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def as_bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
