"""``kit bootstrap``: one stack per environment with the buckets deployments need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kit import aws
from kit.config import ProjectConfig
from kit.errors import NotBootstrapped
from kit.fsutil import write_atomic
from kit.infra import cfn
from kit.infra.settings import Environment
from kit.infra.stack import BOOTSTRAP_TEMPLATE, ETL_TEMPLATE, PACKAGED_TEMPLATES


def bootstrap(
    config: ProjectConfig,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> cfn.StackResult:
    """Deploy (or update) the environment's bootstrap stack; copy kit's templates into infra/."""
    install_templates(config)
    body = (PACKAGED_TEMPLATES / BOOTSTRAP_TEMPLATE).read_text(encoding="utf-8")
    client = aws.client(target, "cloudformation")
    return cfn.deploy_stack(
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
