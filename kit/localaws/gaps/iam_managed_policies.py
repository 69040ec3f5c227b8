"""Gap: moto's ``AWS::IAM::Role`` ignores ``ManagedPolicyArns``; attach them as IAM would.

Together with ``MOTO_IAM_LOAD_MANAGED_POLICIES`` (set by the server) the job role really has
``AWSGlueServiceRole`` attached, as in an account.
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import Role, iam_backends
from moto.utilities.utils import get_partition


def install() -> None:
    original = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
               region_name: str, **kwargs: Any) -> Any:
        role = original(cls, resource_name, cloudformation_json, account_id, region_name,
                        **kwargs)
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []):
            backend.attach_role_policy(arn, role.name)
        return role

    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
