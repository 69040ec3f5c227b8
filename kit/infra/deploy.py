"""``kit deploy``: upload a fresh build and deploy one job's stack into one environment.

Deploy reads the build (``build/JOB/``), never the notebook: a build that no longer matches its
notebook or settings is refused (``--export`` exports first), so what ships is what CI checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kit import aws
from kit import build as builds
from kit.config import ProjectConfig
from kit.errors import OutdatedTemplate
from kit.infra import bootstrap, cfn, package
from kit.infra.stack import SHARED, etl_template_path, nested_template_problems
from kit.jobstack import FIXED_ARGUMENTS
from kit.settings import (
    BOOKMARKS,
    Environment,
    JobDeployment,
    job_deployment,
)


@dataclass
class Prepared:
    """A job ready to deploy: the exported files, its settings and the target buckets."""

    job: str
    deployment: JobDeployment
    script: bytes
    stack_template: dict[str, Any]
    scripts_bucket: str
    temp_bucket: str

    @property
    def script_key(self) -> str:
        return package.content_key(self.script, f"kit/scripts/{self.job}", ".py")

    @property
    def script_uri(self) -> str:
        return f"s3://{self.scripts_bucket}/{self.script_key}"

    @property
    def temp_dir(self) -> str:
        return f"s3://{self.temp_bucket}/glue-temp/{self.job}/"


@dataclass
class DeployReport:
    job: str
    job_name: str
    stack_name: str
    script_uri: str
    changed: bool
    outputs: dict[str, str] = field(default_factory=dict)


def check_build(
    config: ProjectConfig, job: str, env: Environment, *, export_flag: bool = True
) -> tuple[builds.Build, JobDeployment, dict[str, Any]]:
    """Everything deploy can check locally: a fresh build, settings in ``env``, the shared
    template. No AWS call, no write."""
    build = builds.load(config, job)
    build.ensure_fresh(config, export_flag=export_flag)
    deployment = job_deployment(config, job, env, build.arguments, build.table)
    template = build.stack_template()
    etl = etl_template_path(config)
    problems = nested_template_problems(template, etl)
    if problems:
        raise OutdatedTemplate(
            f"{config.relative(etl)} {problems[0]} (build/{job}/stack.yml nests it); update it "
            "from kit's copy in kit/infra/templates/etl-template.yml, or delete it to use kit's"
        )
    return build, deployment, template


def prepare(
    config: ProjectConfig, job: str, env: Environment, target: aws.AwsTarget
) -> Prepared:
    """Check the build and settings, then resolve the buckets (AWS reads only, no writes)."""
    build, deployment, template = check_build(config, job, env)
    scripts, temp = bootstrap.buckets(env, target)
    return Prepared(
        job=job,
        deployment=deployment,
        script=build.script(),
        stack_template=template,
        scripts_bucket=scripts,
        temp_bucket=temp,
    )


def default_arguments(prepared: Prepared) -> dict[str, str]:
    """The DefaultArguments the deployed job should have (what ``kit diff`` compares)."""
    dep = prepared.deployment
    args = {
        "--TempDir": prepared.temp_dir,
        "--job-bookmark-option": BOOKMARKS[dep.bookmark],
        **FIXED_ARGUMENTS,
    }
    args.update({f"--{k}": v for k, v in dep.arguments.items()})
    return args


def stack_parameters(prepared: Prepared, target: aws.AwsTarget) -> dict[str, str]:
    """Per-environment parameter values for the job's stack (one per argument)."""
    dep = prepared.deployment
    data = {prepared.temp_bucket}
    for value in dep.arguments.values():
        if value.startswith(("s3://", "s3a://")):
            data.add(package.split_s3_uri(value)[0])
    partition = _partition(target.region)
    bucket_arns = [f"arn:{partition}:s3:::{b}" for b in sorted(data)]
    arg_params = prepared.stack_template.get("Metadata", {}).get("kit", {}).get("arguments", {})
    return {
        "Environment": dep.env,
        "JobNamePrefix": dep.name_prefix,
        "JobName": dep.job,
        "Description": dep.description,
        "ScriptLocation": prepared.script_uri,
        "ScriptsBucket": prepared.scripts_bucket,
        "TempDir": prepared.temp_dir,
        "DataBucketArns": ",".join(bucket_arns),
        "DataObjectArns": ",".join(f"{a}/*" for a in bucket_arns),
        "GlueVersion": dep.glue_version,
        "WorkerType": dep.worker_type,
        "NumberOfWorkers": str(dep.workers),
        "Timeout": str(dep.timeout),
        "MaxRetries": str(dep.max_retries),
        "Schedule": dep.schedule,
        "Connections": ",".join(dep.connections),
        "BookmarkOption": BOOKMARKS[dep.bookmark],
        **{param: dep.arguments.get(name, "") for name, param in arg_params.items()},
    }


def preflight(target: aws.AwsTarget) -> None:
    """Fail on missing credentials or an unreachable endpoint before anything is written."""
    aws.client(target, "sts").get_caller_identity()


def deploy(
    config: ProjectConfig,
    job: str,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> DeployReport:
    """Deploy ``job``'s build into ``env``; a deploy with nothing changed is a no-op."""
    prepared = prepare(config, job, env, target)
    etl = etl_template_path(config)
    s3 = aws.client(target, "s3")
    package.upload(s3, prepared.scripts_bucket, prepared.script_key, prepared.script)
    nested = etl.read_bytes()
    nested_key = package.content_key(nested, "kit/templates", ".template")
    package.upload(s3, prepared.scripts_bucket, nested_key, nested)
    template = prepared.stack_template
    template["Resources"][SHARED]["Properties"]["TemplateURL"] = package.template_url(
        target, prepared.scripts_bucket, nested_key
    )
    result = cfn.deploy_stack(
        aws.client(target, "cloudformation"),
        stack_name=prepared.deployment.stack_name,
        template_body=json.dumps(template, indent=1, sort_keys=True),
        parameters=stack_parameters(prepared, target),
        tags={"kit:job": prepared.job, "kit:environment": env.name},
        on_event=on_event,
    )
    return DeployReport(
        job=prepared.job,
        job_name=prepared.deployment.job_name,
        stack_name=result.stack_name,
        script_uri=prepared.script_uri,
        changed=result.changed,
        outputs=result.outputs,
    )


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
