"""Upload build artefacts to S3 under content-addressed keys, as ``aws cloudformation package`` does.

A key derived from the content means an unchanged script or template keeps its key (so a
redeploy changes nothing) and a changed one gets a new key (so the stack sees the change and the
previous object stays for rollback).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from kit.aws import AwsTarget
from kit.errors import KitError, UploadFailed


def content_key(data: bytes, prefix: str, suffix: str) -> str:
    """``prefix/<md5 of data><suffix>`` (md5 as ``aws cloudformation package`` uses)."""
    return f"{prefix.strip('/')}/{hashlib.md5(data).hexdigest()}{suffix}"  # noqa: S324


def upload(s3: Any, bucket: str, key: str, data: bytes) -> bool:
    """Put ``data`` at ``s3://bucket/key`` unless it is already there; True when uploaded."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in ("404", "NoSuchKey", "NotFound"):
            raise UploadFailed(f"cannot read s3://{bucket}/{key}: {code}; check access") from exc
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    except ClientError as exc:
        msg = exc.response.get("Error", {}).get("Message", str(exc))
        raise UploadFailed(f"cannot upload s3://{bucket}/{key}: {msg}") from exc
    return True


def template_url(target: AwsTarget, bucket: str, key: str) -> str:
    """An HTTPS URL CloudFormation can read a nested template from.

    A local endpoint gets the path-style URL on ``localhost`` (moto only reads that form); real
    AWS gets the virtual-hosted URL of the bucket in its region.
    """
    if target.endpoint_url:
        parsed = urlparse(target.endpoint_url)
        host = "localhost" if parsed.hostname in ("127.0.0.1", "0.0.0.0", "::1") else parsed.hostname
        port = f":{parsed.port}" if parsed.port else ""
        return f"{parsed.scheme}://{host}{port}/{bucket}/{key}"
    if target.region == "us-east-1":
        return f"https://{bucket}.s3.amazonaws.com/{key}"
    return f"https://{bucket}.s3.{target.region}.amazonaws.com/{key}"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of ``s3://bucket/key``."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a") or not parsed.netloc:
        raise KitError(f"{uri!r} is not an s3:// URI")
    return parsed.netloc, parsed.path.lstrip("/")
