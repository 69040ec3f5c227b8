"""``kit deploy --pipeline NAME``: the pipeline build as stack ``kit-ENV--pipeline-NAME``.

The pipeline's jobs deploy first as ``kit deploy JOB`` does (:mod:`kit.infra.deploy`), then the
workflow stack, which names them by their deployed names. Everything is checked before the first
AWS call: the pipeline build is fresh, and so is every job's build; no pipeline job keeps a
schedule of its own in the environment (it would also run outside the workflow).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kit import aws
from kit.config import ProjectConfig
from kit.errors import PipelineError, SettingsError
from kit.infra import cfn
from kit.infra.deploy import check_build
from kit.pipelines.build import FOLDER, PipelineBuild
from kit.pipelines.model import Pipeline
from kit.settings import Environment

MAX_GLUE_NAME = 255


@dataclass
class PipelineReport:
    pipeline: str
    workflow: str
    stack_name: str
    changed: bool
    outputs: dict[str, str] = field(default_factory=dict)


def stack_name(env: Environment, pipeline: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", f"kit-{env.name}--pipeline-{pipeline}")


def exported_pipelines(config: ProjectConfig) -> list[str]:
    folder = config.build_dir / FOLDER
    return sorted(p.name for p in folder.iterdir() if (p / "pipeline.json").is_file()) \
        if folder.is_dir() else []


def check_job_schedule(config: ProjectConfig, job: str, schedule: str, env: Environment) -> None:
    """Refuse a schedule for a job an exported pipeline runs (one line, before any AWS call)."""
    if not schedule:
        return
    for name in exported_pipelines(config):
        if job in PipelineBuild.load(config, name).jobs:
            raise PipelineError(
                f"[tool.kit.job.{job}] schedule in {env.name}: {job} runs in pipeline {name}, "
                f"whose start trigger starts it; remove the job's schedule (set "
                f"[tool.kit.pipeline.{name}] schedule instead)"
            )


def check(
    config: ProjectConfig, name: str, env: Environment, *, export_flag: bool = True
) -> tuple[PipelineBuild, Pipeline]:
    """Everything deploy can check locally for the pipeline and its jobs; no AWS call."""
    build = PipelineBuild.load(config, name)
    build.ensure_fresh(config, export_flag=export_flag)
    pipeline = build.pipeline(env.name)
    for job in pipeline.jobs:
        _, deployment, _ = check_build(config, job, env, export_flag=export_flag)
        check_job_schedule(config, job, deployment.schedule, env)
    workflow = f"{env.name_prefix}{name}"
    if len(f"{workflow}-{max(pipeline.jobs, key=len)}") > MAX_GLUE_NAME:
        raise SettingsError(f"workflow {workflow!r} and its trigger names exceed Glue's "
                            f"{MAX_GLUE_NAME} characters; shorten the pipeline or name_prefix")
    return build, pipeline


def deploy(
    config: ProjectConfig,
    name: str,
    env: Environment,
    target: aws.AwsTarget,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> PipelineReport:
    """Deploy the pipeline's workflow stack (its jobs must be deployed: see the CLI)."""
    build, pipeline = check(config, name, env)
    stack = stack_name(env, name)
    result = cfn.deploy_stack(
        aws.client(target, "cloudformation"),
        stack_name=stack,
        template_body=json.dumps(build.stack_template(), indent=1, sort_keys=True),
        parameters={
            "Environment": env.name,
            "NamePrefix": env.name_prefix,
            "Schedule": pipeline.schedule,
            "Description": pipeline.description or f"kit pipeline {name}",
        },
        tags={"kit:pipeline": name, "kit:environment": env.name},
        on_event=on_event,
    )
    return PipelineReport(name, f"{env.name_prefix}{name}", stack, result.changed, result.outputs)


def expected_triggers(pipeline: Pipeline, prefix: str) -> dict[str, dict[str, Any]]:
    """Trigger name -> what Glue should report for it (Type, Schedule, Predicate, Actions)."""
    from kit.pipelines.stack import logical_id, trigger_names

    names = trigger_names(pipeline)
    start: dict[str, Any] = {
        "Type": "SCHEDULED" if pipeline.schedule else "ON_DEMAND",
        "Actions": [f"{prefix}{job}" for job in pipeline.start_jobs()],
    }
    if pipeline.schedule:
        start["Schedule"] = pipeline.schedule
    out = {f"{prefix}{names['Start']}": start}
    for job in pipeline.jobs:
        if pipeline.upstream(job):
            out[f"{prefix}{names[logical_id('Run', job)]}"] = {
                "Type": "CONDITIONAL",
                "Predicate": [pipeline.predicate_logical(job), sorted(
                    f"{prefix}{up} {state}" for up, state in pipeline.conditions(job))],
                "Actions": [f"{prefix}{job}"],
            }
    return out


def _live_trigger(trigger: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Type": trigger.get("Type"),
        "Actions": [a.get("JobName") for a in trigger.get("Actions", [])],
    }
    if trigger.get("Schedule"):
        out["Schedule"] = trigger["Schedule"]
    predicate = trigger.get("Predicate")
    if predicate:
        out["Predicate"] = [predicate.get("Logical", "AND"), sorted(
            f"{c.get('JobName')} {c.get('State')}" for c in predicate.get("Conditions", []))]
    return out


def diff(config: ProjectConfig, name: str, env: Environment, target: aws.AwsTarget) -> list[str]:
    """One line per difference between the deployed workflow and the pipeline's build."""
    from botocore.exceptions import ClientError

    from kit.errors import NotDeployed

    build = PipelineBuild.load(config, name)
    pipeline = build.pipeline(env.name)
    workflow = f"{env.name_prefix}{name}"
    glue = aws.client(target, "glue")
    try:
        live = glue.get_workflow(Name=workflow, IncludeGraph=True)["Workflow"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "EntityNotFoundException":
            raise NotDeployed(f"workflow {workflow} is not deployed in {env.name}; run kit deploy "
                              f"--pipeline {name} --env {env.name}") from None
        raise
    out = []
    if (live.get("DefaultRunProperties") or {}) != pipeline.run_properties:
        out.append(f"run properties: {pipeline.run_properties} (build) != "
                   f"{live.get('DefaultRunProperties') or {}} (deployed)")
    triggers = {n["Name"]: _live_trigger(n["TriggerDetails"]["Trigger"])
                for n in live.get("Graph", {}).get("Nodes", []) if n.get("Type") == "TRIGGER"}
    want = expected_triggers(pipeline, env.name_prefix)
    for trigger in sorted(set(want) | set(triggers)):
        if trigger not in triggers:
            out.append(f"trigger {trigger}: in the build, not deployed")
        elif trigger not in want:
            out.append(f"trigger {trigger}: deployed, not in the build")
        else:
            for key in sorted(set(want[trigger]) | set(triggers[trigger])):
                if want[trigger].get(key) != triggers[trigger].get(key):
                    out.append(f"trigger {trigger}: {key} {want[trigger].get(key)} (build) != "
                               f"{triggers[trigger].get(key)} (deployed)")
    return out
