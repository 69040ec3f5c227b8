"""The shape the Data Catalog's CloudFormation models share (``AWS::Glue::Database``/``Table``).

Unlike :class:`~kit.localaws.gaps.named_resource.NamedResource` these resources are named inside
their input (``DatabaseInput.Name``, ``TableInput.Name``), not by a ``Name`` property, so
CloudFormation generates no name for them. A mixin for the same reason as NamedResource: moto
registers only the direct subclasses of ``CloudFormationModel``.
"""

from __future__ import annotations

from typing import ClassVar

from kit.localaws.gaps.named_resource import NamedResource


class CatalogResource:
    """Physical id = the catalog name; no attributes for ``Fn::GetAtt``; moto's Glue backend."""

    resource_type: ClassVar[str]
    name: str

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.resource_type

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    _backend = staticmethod(NamedResource.backend)
