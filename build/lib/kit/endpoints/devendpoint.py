"""Resolve a Glue dev endpoint (``get_dev_endpoint``): is it READY, and where to SSH to."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from kit.aws import AwsTarget, client
from kit.endpoints.errors import EndpointError


@dataclass(frozen=True)
class DevEndpoint:
    name: str
    status: str
    address: str
    glue_version: str | None = None


def resolve(name: str, target: AwsTarget) -> DevEndpoint:
    """The READY dev endpoint ``name`` and its SSH address (public, else private for a VPC)."""
    try:
        info = client(target, "glue").get_dev_endpoint(EndpointName=name)["DevEndpoint"]
    except NoCredentialsError as exc:
        raise EndpointError(
            "no AWS credentials found; run `aws configure` or pass --profile"
        ) from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "EntityNotFoundException":
            raise EndpointError(
                f"dev endpoint {name!r} not found in {target.region}; "
                "list them with `aws glue get-dev-endpoints` or pass --region"
            ) from exc
        raise EndpointError(
            f"cannot read dev endpoint {name!r}: {error.get('Code')}: {error.get('Message')}"
        ) from exc
    except BotoCoreError as exc:
        raise EndpointError(f"cannot reach AWS Glue in {target.region}: {exc}") from exc
    status = info.get("Status", "UNKNOWN")
    if status != "READY":
        raise EndpointError(
            f"dev endpoint {name!r} is {status}, not READY; wait until it is READY and retry"
        )
    address = info.get("PublicAddress") or info.get("PrivateAddress")
    if not address:
        raise EndpointError(
            f"dev endpoint {name!r} has no public or private address; "
            "attach a public IP or connect from inside its VPC"
        )
    return DevEndpoint(name, status, address, info.get("GlueVersion"))
