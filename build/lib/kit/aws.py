"""boto3 sessions and clients for one target: a profile, a region and an optional endpoint.

Every AWS call kit makes goes through here, so ``--endpoint-url``, ``--profile``, ``--region``
and ``AWS_ENDPOINT_URL`` mean the same thing for every command (and a local AWS such as moto
works exactly like a real account).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@dataclass(frozen=True)
class AwsTarget:
    """Where AWS calls go: region, optional named profile, optional endpoint URL."""

    region: str = DEFAULT_REGION
    profile: str | None = None
    endpoint_url: str | None = None

    @property
    def is_local(self) -> bool:
        """True for an endpoint on this machine (moto, LocalStack): jobs then run locally."""
        return bool(self.endpoint_url) and urlparse(self.endpoint_url).hostname in _LOCAL_HOSTS


def resolve_target(
    env: dict[str, Any] | None = None,
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
) -> AwsTarget:
    """Command-line values win over the environment's settings, then AWS_* variables, then the
    profile's own ``region`` (as the AWS CLI and boto3 do), then us-east-1."""
    env = env or {}
    endpoint = endpoint_url or env.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL")
    prof = profile or env.get("profile") or None
    reg = (
        region
        or env.get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or _profile_region(prof)
        or DEFAULT_REGION
    )
    return AwsTarget(region=reg, profile=prof, endpoint_url=endpoint or None)


def _profile_region(profile: str | None) -> str | None:
    """The ``region`` of the named (or AWS_PROFILE / default) profile in the AWS config files.

    Without it a deploy with ``--profile`` would go to us-east-1 instead of the profile's region.
    A missing profile is left for the first AWS call to report.
    """
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    try:
        return botocore.session.Session(profile=profile).get_config_variable("region") or None
    except ProfileNotFound:
        return None


@functools.lru_cache(maxsize=16)
def session(target: AwsTarget) -> boto3.Session:
    """A boto3 session for ``target``; a local endpoint gets dummy keys when none are configured."""
    sess = boto3.Session(profile_name=target.profile, region_name=target.region)
    if target.is_local and sess.get_credentials() is None:
        sess = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=target.region,
        )
    return sess


@functools.lru_cache(maxsize=64)
def client(target: AwsTarget, service: str, sess: boto3.Session | None = None) -> Any:
    """A client for ``service`` at ``target`` (standard retries; path-style S3 on custom endpoints).

    Cached per target and service: creating clients dominates a no-op deploy of many jobs.
    """
    options: dict[str, Any] = {"retries": {"max_attempts": 5, "mode": "standard"}}
    if target.endpoint_url and service == "s3":
        options["s3"] = {"addressing_style": "path"}
    return (sess or session(target)).client(
        service, endpoint_url=target.endpoint_url, config=Config(**options)
    )
