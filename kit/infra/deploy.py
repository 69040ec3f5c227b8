"""``kit deploy``: export if stale, upload, and deploy one job's stack into one environment."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from kit import aws
from kit.config import ProjectConfig
from kit.errors import KitError, StaleExport
from kit.infra import bootstrap, cfn, package
from kit.infra.settings import (
    BOOKMARKS,
    Environment,
    JobDeployment,
    SettingsError,
    job_deployment,
)
from kit.infra.stack import etl_template_path, missing_nested_parameters

# DefaultArguments the shared template always sets (infra/etl-template.yml), besides the job's.
# No --enable-continuous-cloudwatch-log: that is Glue 4.0 and earlier; Glue 5.0 jobs always log
# in real time.
MAX_PARAMETER_BYTES = 4096  # CloudFormation's limit on one parameter value (ExtraArguments)
FIXED_ARGUMENTS = {
    "--job-language": "python",
    "--enable-metrics": "true",
}


class OutdatedTemplate(KitError):
    """The project's infra/etl-template.yml lacks parameters the job stacks pass."""


@dataclass
class Prepared:
    """A job ready to deploy: the exported files, its settings and the target buckets."""

    job: str
    deployment: JobDeployment
    script: bytes
    stack_template: dict[str, Any]
    scripts_bucket: str
    temp_bucket: str
    exported: bool = False

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
    exported: bool
    outputs: dict[str, str] = field(default_factory=dict)


def prepare(
    config: ProjectConfig, job: str, env: Environment, target: aws.AwsTarget
) -> Prepared:
    """Export when stale, resolve settings and buckets; no AWS writes yet."""
    from kit.notebooks import export as exporter
    from kit.notebooks.jobargs import declared_job_args
    from kit.notebooks.reader import read_notebook

    exported = False
    try:
        result = exporter.check(job, config)
    except StaleExport:
        result = exporter.export(job, config)
        exported = True
    declared = declared_job_args(read_notebook(result.source))
    deployment = job_deployment(config, result.job, env, declared)
    scripts, temp = bootstrap.buckets(env, target)
    stack_file = config.job_build_dir(result.job) / exporter.STACK_FILE
    return Prepared(
        job=result.job,
        deployment=deployment,
        script=exporter.script_path(config, result.job).read_bytes(),
        stack_template=yaml.safe_load(stack_file.read_text(encoding="utf-8")),
        scripts_bucket=scripts,
        temp_bucket=temp,
        exported=exported,
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
    """Per-environment parameter values for the job's stack."""
    dep = prepared.deployment
    data = {prepared.temp_bucket}
    for value in dep.arguments.values():
        if value.startswith(("s3://", "s3a://")):
            data.add(package.split_s3_uri(value)[0])
    partition = _partition(target.region)
    bucket_arns = [f"arn:{partition}:s3:::{b}" for b in sorted(data)]
    extra = "".join(
        f", {json.dumps('--' + k)}: {json.dumps(v)}" for k, v in sorted(dep.arguments.items())
    )
    if len(extra.encode("utf-8")) > MAX_PARAMETER_BYTES:
        raise SettingsError(
            f"job {dep.job}'s arguments take {len(extra.encode('utf-8'))} bytes in {dep.env}; "
            f"a CloudFormation parameter holds {MAX_PARAMETER_BYTES}: shorten or drop some"
        )
    return {
        "Environment": dep.env,
        "JobNamePrefix": dep.name_prefix,
        "JobName": dep.job,
        "ScriptLocation": prepared.script_uri,
        "ScriptsBucket": prepared.scripts_bucket,
        "TempDir": prepared.temp_dir,
        "DataBucketArns": ",".join(bucket_arns),
        "DataObjectArns": ",".join(f"{a}/*" for a in bucket_arns),
        "ExtraArguments": extra,
        "GlueVersion": dep.glue_version,
        "WorkerType": dep.worker_type,
        "NumberOfWorkers": str(dep.workers),
        "Timeout": str(dep.timeout),
        "MaxRetries": str(dep.max_retries),
        "Schedule": dep.schedule,
        "Connections": ",".join(dep.connections),
        "BookmarkOption": BOOKMARKS[dep.bookmark],
    }


def deploy(
    config: ProjectConfig,
    job: str,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> DeployReport:
    """Deploy ``job`` into ``env``; a deploy with nothing changed is a no-op."""
    prepared = prepare(config, job, env, target)
    etl = etl_template_path(config)
    missing = missing_nested_parameters(prepared.stack_template, etl)
    if missing:
        raise OutdatedTemplate(
            f"{config.relative(etl)} has no parameter {', '.join(missing)} that "
            f"build/{prepared.job}/stack.yml passes; add it (see kit's copy in "
            "kit/infra/templates/etl-template.yml) or delete the file to use kit's"
        )
    s3 = aws.client(target, "s3")
    package.upload(s3, prepared.scripts_bucket, prepared.script_key, prepared.script)
    nested = etl.read_bytes()
    nested_key = package.content_key(nested, "kit/templates", ".template")
    package.upload(s3, prepared.scripts_bucket, nested_key, nested)
    template = prepared.stack_template
    template["Resources"]["Job"]["Properties"]["TemplateURL"] = package.template_url(
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
        exported=prepared.exported,
        outputs=result.outputs,
    )


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
