"""``kit bootstrap``: one stack per environment with the buckets deployments need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kit import aws
from kit.config import ProjectConfig
from kit.errors import NotBootstrapped
from kit.fsutil import write_atomic
from kit.infra import cfn
from kit.infra.stack import BOOTSTRAP_TEMPLATE, ETL_TEMPLATE, PACKAGED_TEMPLATES
from kit.settings import Environment


@dataclass
class BootstrapResult:
    stack: cfn.StackResult
    written: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.stack.changed

    @property
    def outputs(self) -> dict[str, str]:
        return self.stack.outputs


def bootstrap(
    config: ProjectConfig,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> BootstrapResult:
    """Deploy (or update) the environment's bootstrap stack, then copy kit's templates into
    infra/ when missing: credentials and the endpoint are checked before anything is written,
    and a failed deploy leaves the project as it was."""
    client = aws.client(target, "cloudformation")
    aws.client(target, "sts").get_caller_identity()  # no credentials or endpoint: stop here
    body = (PACKAGED_TEMPLATES / BOOTSTRAP_TEMPLATE).read_text(encoding="utf-8")
    stack = cfn.deploy_stack(
        client,
        stack_name=env.bootstrap_stack,
        template_body=body,
        parameters={
            "Environment": env.name,
            "ScriptsBucketName": env.scripts_bucket or "",
            "TempBucketName": env.temp_bucket or "",
        },
        tags={"kit:environment": env.name},
        on_event=on_event,
    )
    return BootstrapResult(stack, install_templates(config))


def install_templates(config: ProjectConfig) -> list[str]:
    """Copy kit's shared templates to the project's infra/ when missing (never overwrites)."""
    written = []
    for name in (ETL_TEMPLATE, BOOTSTRAP_TEMPLATE):
        path = config.root / "infra" / name
        if not path.exists():
            write_atomic(path, (PACKAGED_TEMPLATES / name).read_text(encoding="utf-8"))
            written.append(config.relative(path))
    return written


def buckets(env: Environment, target: aws.AwsTarget) -> tuple[str, str]:
    """(scripts bucket, temp bucket): configured names, else the bootstrap stack's outputs."""
    if env.scripts_bucket and env.temp_bucket:
        return env.scripts_bucket, env.temp_bucket
    client = aws.client(target, "cloudformation")
    status = cfn.stack_status(client, env.bootstrap_stack)
    if status not in cfn.OK_STATES and status != "UPDATE_ROLLBACK_COMPLETE":
        raise NotBootstrapped(
            f"environment {env.name} is not bootstrapped (stack {env.bootstrap_stack}: "
            f"{status or 'missing'}); run `kit bootstrap --env {env.name}`"
        )
    outputs = cfn.stack_outputs(client, env.bootstrap_stack)
    missing = [k for k in ("ScriptsBucket", "TempBucket") if not outputs.get(k)]
    if missing:
        raise NotBootstrapped(
            f"stack {env.bootstrap_stack} has no {missing[0]} output; "
            f"run `kit bootstrap --env {env.name}` again"
        )
    return env.scripts_bucket or outputs["ScriptsBucket"], env.temp_bucket or outputs["TempBucket"]
