"""Gap: moto replaces a nested stack on update; CloudFormation updates it in place.

Replacing it would delete the job before the new one exists, and a failing update would lose
it; here the nested stack is updated in place and restored as it was when the update fails
(CloudFormation's rollback).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation.models import Stack, cloudformation_backends
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from kit.localaws.gaps.stack_parameters import as_parameter


class NestedStack(CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFormation::Stack"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> Any:
        return Stack.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
        account_id: str, region_name: str,
    ) -> Any:
        props = cloudformation_json["Properties"]
        template = get_stack_from_s3_url(
            props["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
        )
        params = {k: as_parameter(v) for k, v in props.get("Parameters", {}).items()}
        saved = _snapshot(original_resource), _snapshot(original_resource.resource_map)
        try:
            original_resource.update(template, parameters=params)
        except Exception:
            for obj, state in zip((original_resource, original_resource.resource_map), saved,
                                  strict=True):
                obj.__dict__.clear()
                obj.__dict__.update(state)
            raise
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str,
    ) -> None:
        cloudformation_backends[account_id][region_name].delete_stack(resource_name)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {k: copy.copy(v) if isinstance(v, dict | list) else v for k, v in obj.__dict__.items()}
