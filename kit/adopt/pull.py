"""``kit pull JOB --env E``: adopt a Glue job that is already deployed (console, CLI, Studio).

Reads the job (``get_job``) and its scheduled trigger, downloads the script from its
``ScriptLocation``, imports it as ``kit import`` does, and writes the job's settings into
``[tool.kit]`` (tomlkit: every other key and comment kept) so that ``kit diff JOB --env E`` finds
nothing to report right after. Everything is read and checked first; a job kit cannot express
is refused with one line and nothing is written.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from botocore.exceptions import ClientError
from tomlkit.exceptions import TOMLKitError

from kit import aws
from kit.adopt import importer, record
from kit.config import PYPROJECT, ProjectConfig
from kit.errors import KitError, PullRefused
from kit.fsutil import write_atomic
from kit.infra import package
from kit.infra.settings import (
    BOOKMARKS,
    RESERVED_ARGS,
    Environment,
    SettingsError,
    environment,
    job_deployment,
)
from kit.notebooks.template import kernelspec, validate_name
from kit.settings import GLUE_VERSIONS, WORKER_TYPES_BY_VERSION

_TEMP_DIR = re.compile(r"^s3://([^/]+)/glue-temp/([^/]+)/$")
_SECRET_NAME = re.compile(r"(?i)(password|passwd|pwd|secret|token|credential|access.?key)")
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")




@dataclass
class Pulled:
    job: str
    job_name: str
    script_location: str
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pull(
    config: ProjectConfig,
    job: str,
    env: Environment,
    target: aws.AwsTarget,
    *,
    force: bool = False,
) -> Pulled:
    """Adopt the deployed job ``env.name_prefix + job`` as the local job ``job``."""
    from kit.infra.bootstrap import NotBootstrapped, buckets
    from kit.infra.deploy import Prepared, default_arguments
    from kit.notebooks import export as exporter

    try:
        validate_name(job)
    except KitError as exc:
        raise PullRefused(str(exc)) from exc
    job_name = f"{env.name_prefix}{job}"
    if not force:
        _refuse_existing(config, job)

    live = _get_job(target, job_name, env)
    settings, arguments, notes = job_settings(live, job_name)
    settings["schedule"] = _schedule(target, job_name)
    if not settings["schedule"]:
        del settings["schedule"]
    location = live["Command"].get("ScriptLocation", "")
    script = _download(target, location, job_name)
    try:
        source = script.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PullRefused(f"{job_name}: its script {location} is not UTF-8 text") from exc

    # The environment's buckets: configured or bootstrapped; else taken from the job itself.
    env_table: dict[str, Any] = {}
    try:
        _, temp_bucket = buckets(env, target)
    except NotBootstrapped:
        temp = _TEMP_DIR.match(live.get("DefaultArguments", {}).get("--TempDir", ""))
        if not temp:
            raise PullRefused(
                f"{job_name}: --TempDir is not kit's s3://BUCKET/glue-temp/{job}/ and {env.name} is "
                f"not bootstrapped; run `kit bootstrap --env {env.name}` or set temp_bucket"
            ) from None
        temp_bucket = temp.group(1)
        env_table = {
            "scripts_bucket": env.scripts_bucket or package.split_s3_uri(location)[0],
            "temp_bucket": env.temp_bucket or temp_bucket,
        }

    # What `kit diff` will expect, computed from the settings about to be written.
    # The job declares its argument names (every environment deploys the same ones); the
    # environment it was pulled from gives their values.
    job_table = {**settings, "arguments": dict(arguments),
                 "environments": {env.name: {"arguments": arguments}}}
    planned = _with_settings(config, job, env.name, job_table, env_table)
    try:
        planned_env = environment(planned, env.name)
        deployment = job_deployment(planned, job, planned_env, {})
    except SettingsError as exc:
        raise PullRefused(f"{job_name}: kit cannot express its settings: {exc}") from exc
    expected = default_arguments(
        Prepared(job, deployment, b"", {}, planned_env.scripts_bucket or "", temp_bucket)
    )
    actual = live.get("DefaultArguments", {}) or {}
    differ = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
    if differ:
        name = differ[0]
        raise PullRefused(
            f"{job_name}: kit cannot express its DefaultArguments {name} "
            f"(deployed {actual.get(name)!r}, kit would set {expected.get(name)!r}); "
            "nothing was written"
        )

    nb, _ = importer.build_notebook(source, job, location)
    nb.metadata["kernelspec"] = kernelspec(settings["glue_version"])  # the job's version's kernel
    try:
        pyproject = _pyproject_text(config, job, env.name, job_table, env_table)
    except (ValueError, TOMLKitError) as exc:
        raise PullRefused(
            f"{PYPROJECT}: cannot write [tool.kit.job.{job}] into it ({exc}); nothing was written"
        ) from exc
    # Render the export from the notebook as it will be written, for the pull record.
    made = importer.write_notebook(nb, config, job, force=force)
    written = [made.notebook, made.module]
    export = exporter.render(job, config)
    local_script = export.files[exporter.script_path(config, job)]
    record_file = record.write_record(
        config, job, record.record_text(config, job, env.name, location, script, local_script)
    )
    write_atomic(config.root / PYPROJECT, pyproject)
    written += [config.root / PYPROJECT, record_file]
    # The build (script, stack, manifest) is what deploy and diff read: write it now.
    from kit.config import load

    built = exporter.export(job, load(config.root), force=True)
    written += built.written
    return Pulled(job, job_name, location, written, notes)


def job_settings(live: dict[str, Any], job_name: str) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """([tool.kit.job.NAME] settings, the job's own arguments, notes) from a ``get_job`` Job;
    raises ``PullRefused`` for what kit's template cannot deploy."""

    def refuse(why: str) -> PullRefused:
        return PullRefused(f"{job_name}: {why}, which kit cannot express; nothing was written")

    command = live.get("Command", {})
    if command.get("Name") != "glueetl":
        raise refuse(f"it is a {command.get('Name')!r} job (kit deploys Spark 'glueetl' jobs)")
    if str(command.get("PythonVersion", "3")) != "3":
        raise refuse(f"it runs Python {command.get('PythonVersion')}")
    version = live.get("GlueVersion") or "0.9"  # Glue's default when a job names none
    if version not in GLUE_VERSIONS:
        raise refuse(
            f"it runs Glue {version} (kit runs and deploys Glue {', '.join(GLUE_VERSIONS)}; "
            "upgrade the job to one of them first)"
        )
    worker = live.get("WorkerType")
    if worker not in WORKER_TYPES_BY_VERSION[version]:
        raise refuse(f"its worker type is {worker or 'MaxCapacity only'!r} on Glue {version}")
    for key, why in (
        ("NonOverridableArguments", "it has NonOverridableArguments"),
        ("SecurityConfiguration", "it has a security configuration"),
        ("NotificationProperty", "it has a notification delay"),
    ):
        if live.get(key):
            raise refuse(why)
    if live.get("ExecutionClass", "STANDARD") != "STANDARD":
        raise refuse(f"its execution class is {live['ExecutionClass']}")
    concurrent = live.get("ExecutionProperty", {}).get("MaxConcurrentRuns", 1)
    if concurrent != 1:
        raise refuse(f"it allows {concurrent} concurrent runs")
    settings: dict[str, Any] = {
        "glue_version": version,
        "worker_type": worker,
        "workers": int(live.get("NumberOfWorkers", 2)),
        "timeout": int(live.get("Timeout", 2880)),
    }
    if live.get("MaxRetries"):
        settings["max_retries"] = int(live["MaxRetries"])
    connections = live.get("Connections", {}).get("Connections", [])
    if connections:
        settings["connections"] = list(connections)
    if live.get("Description"):
        settings["description"] = live["Description"]
    defaults = live.get("DefaultArguments", {}) or {}
    option = defaults.get("--job-bookmark-option", BOOKMARKS["disable"])
    bookmark = {v: k for k, v in BOOKMARKS.items()}.get(option)
    if bookmark is None:
        raise refuse(f"--job-bookmark-option is {option!r}")
    settings["bookmark"] = bookmark
    from kit.infra.deploy import FIXED_ARGUMENTS

    arguments = {
        name.removeprefix("--"): value
        for name, value in sorted(defaults.items())
        if name.removeprefix("--") not in RESERVED_ARGS and FIXED_ARGUMENTS.get(name) != value
    }
    for name, value in arguments.items():
        if _SECRET_NAME.search(name) or _ACCESS_KEY_ID.search(value):
            raise PullRefused(
                f"{job_name}: DefaultArguments --{name} looks like a credential; kit never writes "
                "one into pyproject.toml (read it at run time from AWS Secrets Manager or a Glue "
                "connection); nothing was written"
            )
    notes = [f"{job_name} runs as {live.get('Role')}; kit deploys it with its own scoped role"]
    return settings, arguments, notes


def _refuse_existing(config: ProjectConfig, job: str) -> None:
    for path in (config.notebook_path(job), config.job_module_path(job)):
        if path.exists():
            raise PullRefused(
                f"{config.relative(path)} already exists; pass --force to replace job {job}"
            )
    if job in config.job_settings:
        raise PullRefused(f"[tool.kit.job.{job}] already exists; pass --force to replace it")


def _get_job(target: aws.AwsTarget, job_name: str, env: Environment) -> dict[str, Any]:
    try:
        return aws.client(target, "glue").get_job(JobName=job_name)["Job"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "EntityNotFoundException":
            raise PullRefused(
                f"no Glue job {job_name} in {env.name} ({target.region}); kit pull JOB looks "
                f"for the environment's name_prefix {env.name_prefix!r} + JOB"
            ) from exc
        raise PullRefused(f"cannot read Glue job {job_name} ({code})") from exc


def _schedule(target: aws.AwsTarget, job_name: str) -> str:
    """The cron schedule of the job's one scheduled trigger ("" when it has none)."""
    pages = aws.client(target, "glue").get_paginator("get_triggers")
    triggers = [t for page in pages.paginate(DependentJobName=job_name) for t in page["Triggers"]]
    schedules = []
    for trigger in triggers:
        if trigger.get("Type") != "SCHEDULED":
            raise PullRefused(
                f"{job_name}: its {trigger.get('Type')} trigger {trigger.get('Name')} is one kit "
                "cannot express (kit deploys one scheduled trigger); nothing was written"
            )
        schedules.append(trigger.get("Schedule", ""))
    if len(schedules) > 1:
        raise PullRefused(f"{job_name} has {len(schedules)} scheduled triggers; kit deploys one")
    return schedules[0] if schedules else ""


def _download(target: aws.AwsTarget, location: str, job_name: str) -> bytes:
    try:
        bucket, key = package.split_s3_uri(location)
    except (KitError, ValueError) as exc:
        raise PullRefused(f"{job_name}: ScriptLocation {location!r} is not an s3:// URI") from exc
    try:
        return aws.client(target, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise PullRefused(
            f"{job_name}: its script {location} cannot be read ({code}); nothing was written"
        ) from exc


def _with_settings(
    config: ProjectConfig, job: str, env: str, job_table: dict[str, Any], env_table: dict[str, Any]
) -> ProjectConfig:
    envs = {k: dict(v) for k, v in config.environments.items()}
    if env_table:
        envs[env] = {**envs.get(env, {}), **env_table}
    return dataclasses.replace(
        config, job_settings={**config.job_settings, job: job_table}, environments=envs
    )


def _pyproject_text(
    config: ProjectConfig, job: str, env: str, job_table: dict[str, Any], env_table: dict[str, Any]
) -> str:
    """pyproject.toml with [tool.kit.job.JOB] (replaced) and the environment's buckets (added)."""
    path = config.root / PYPROJECT
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    tool = _table(doc, "tool", super_table=True)
    kit = _table(tool, "kit")
    if env_table:
        envs = _table(kit, "environments", super_table=True)
        table = _table(envs, env)
        for key, value in env_table.items():
            table.setdefault(key, value)
    jobs = _table(kit, "job", super_table=True)
    table = tomlkit.table()
    table.comment(f"pulled by kit from {env}")
    for key, value in job_table.items():
        if key != "environments":
            table.add(key, value)
    arguments = tomlkit.inline_table()
    arguments.update(job_table["environments"][env]["arguments"])
    per_env = tomlkit.table()
    per_env.add("arguments", arguments)
    nested = tomlkit.table(is_super_table=True)
    nested.add(env, per_env)
    table.add("environments", nested)
    if job in jobs:
        del jobs[job]
    jobs.add(job, table)
    return tomlkit.dumps(doc)


def _table(parent: Any, key: str, *, super_table: bool = False) -> Any:
    if key not in parent:
        parent.add(key, tomlkit.table(is_super_table=super_table))
    return parent[key]
