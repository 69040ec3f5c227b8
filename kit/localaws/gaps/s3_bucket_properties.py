"""Gap: moto's ``AWS::S3::Bucket`` applies only encryption and tags from a template.

Versioning, public-access blocks and ownership controls are applied as S3 would (kit's
bootstrap stack makes a versioned, private scripts bucket).
"""

from __future__ import annotations

from typing import Any

from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition


def install() -> None:
    original = FakeBucket.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
               region_name: str, **kwargs: Any) -> Any:
        bucket = original(cls, resource_name, cloudformation_json, account_id, region_name,
                          **kwargs)
        props = cloudformation_json.get("Properties", {})
        backend = s3_backends[account_id][get_partition(region_name)]
        if versioning := props.get("VersioningConfiguration"):
            backend.put_bucket_versioning(resource_name, versioning["Status"])
        if block := props.get("PublicAccessBlockConfiguration"):
            backend.put_public_access_block(resource_name, block)
        if ownership := props.get("OwnershipControls"):
            backend.put_bucket_ownership_controls(
                resource_name, ownership["Rules"][0]["ObjectOwnership"]
            )
        return bucket

    FakeBucket.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
