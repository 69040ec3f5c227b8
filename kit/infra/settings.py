"""Job and environment settings for deployment, validated with one-line errors.

Job settings live in ``[tool.kit.job.NAME]`` (with per-environment overrides in
``[tool.kit.job.NAME.environments.ENV]``); environments in ``[tool.kit.environments.ENV]``.
Everything is checked here, before any AWS call, against Glue's and CloudFormation's limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kit.config import ProjectConfig
from kit.errors import ConfigError

# Glue 5.0 Spark worker types (AWS Glue worker types page; the larger ones are not in every region)
WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X")
BOOKMARKS = {
    "disable": "job-bookmark-disable",
    "enable": "job-bookmark-enable",
    "pause": "job-bookmark-pause",
}
GLUE_VERSION = "5.0"  # a job without a glue_version setting (existing projects)
# Spark worker types per Glue version (AWS Glue "Defining job properties for Spark jobs")
WORKER_TYPES_BY_VERSION = {"5.0": WORKER_TYPES, "5.1": WORKER_TYPES, "6.0": WORKER_TYPES}
JOB_KEYS = {
    "glue_version", "schedule", "worker_type", "workers", "connections", "arguments", "bookmark",
    "timeout", "max_retries", "description", "environments",
}
ENV_KEYS = {
    "region", "profile", "endpoint_url", "name_prefix", "scripts_bucket", "temp_bucket",
    "bootstrap_stack", "arguments",
}
RESERVED_ARGS = {"JOB_NAME", "TempDir", "job-bookmark-option", "job-language"}
_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_ARG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
_STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
MAX_JOB_NAME = 255
MAX_NAME_PREFIX = 100  # JobNamePrefix's MaxLength in infra/etl-template.yml


class SettingsError(ConfigError):
    """A job or environment setting is invalid."""


@dataclass(frozen=True)
class Environment:
    """One deployment target (dev, test, prod, ...) as configured."""

    name: str
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    name_prefix: str = ""
    scripts_bucket: str | None = None
    temp_bucket: str | None = None
    bootstrap_stack: str = ""
    arguments: dict[str, str] = field(default_factory=dict)

    def as_target_settings(self) -> dict[str, Any]:
        return {"region": self.region, "profile": self.profile, "endpoint_url": self.endpoint_url}


@dataclass(frozen=True)
class JobDeployment:
    """Everything that decides one job's deployed shape in one environment."""

    job: str
    env: str
    job_name: str
    stack_name: str
    name_prefix: str = ""
    worker_type: str = "G.1X"
    workers: int = 2
    glue_version: str = GLUE_VERSION
    schedule: str = ""
    connections: tuple[str, ...] = ()
    bookmark: str = "disable"
    timeout: int = 60
    max_retries: int = 0
    description: str = ""
    arguments: dict[str, str] = field(default_factory=dict)

    @property
    def trigger_name(self) -> str:
        return f"{self.job_name}-schedule"


def environment(config: ProjectConfig, name: str) -> Environment:
    """The environment ``name``; dev/test/prod exist by default, others must be configured."""
    if not _ENV_NAME.match(name):
        raise SettingsError(
            f"environment name {name!r} is invalid; use lower-case letters, digits and '-' (max 20)"
        )
    table = config.environments.get(name)
    if table is None:
        if name not in {"dev", "test", "prod"}:
            known = ", ".join(sorted(config.environments)) or "none configured"
            raise SettingsError(
                f"unknown environment {name!r} (known: {known}); add [tool.kit.environments.{name}]"
            )
        table = {}
    where = f"[tool.kit.environments.{name}]"
    _unknown_keys(table, ENV_KEYS, where)
    for key in ("region", "profile", "endpoint_url", "name_prefix", "bootstrap_stack"):
        if key in table and not isinstance(table[key], str):
            raise SettingsError(f"{where} {key} must be a string, got {table[key]!r}")
    for key in ("scripts_bucket", "temp_bucket"):
        value = table.get(key)
        if value is not None and not (isinstance(value, str) and _BUCKET.match(value)):
            raise SettingsError(f"{where} {key} = {value!r} is not a valid S3 bucket name")
    prefix = table.get("name_prefix", f"{name}-")
    if len(prefix) > MAX_NAME_PREFIX:
        raise SettingsError(
            f"{where} name_prefix is {len(prefix)} characters; keep it to {MAX_NAME_PREFIX}"
        )
    bootstrap = table.get("bootstrap_stack") or f"kit-{name}-bootstrap"
    if not _STACK_NAME.match(bootstrap):
        raise SettingsError(f"{where} bootstrap_stack {bootstrap!r} is not a valid stack name")
    return Environment(
        name=name,
        region=table.get("region"),
        profile=table.get("profile"),
        endpoint_url=table.get("endpoint_url"),
        name_prefix=prefix,
        scripts_bucket=table.get("scripts_bucket"),
        temp_bucket=table.get("temp_bucket"),
        bootstrap_stack=bootstrap,
        arguments=_arguments(table.get("arguments", {}), f"{where} arguments"),
    )


def job_deployment(
    config: ProjectConfig, job: str, env: Environment, declared: dict[str, str]
) -> JobDeployment:
    """Merge job settings, environment arguments and per-environment overrides; validate."""
    where = f"[tool.kit.job.{job}]"
    base = dict(config.job_settings.get(job, {}))
    _unknown_keys(base, JOB_KEYS, where)
    overrides_all = base.pop("environments", {}) or {}
    if not isinstance(overrides_all, dict):
        raise SettingsError(f"{where} environments must hold one table per environment")
    override = overrides_all.get(env.name, {}) or {}
    _unknown_keys(override, JOB_KEYS - {"environments"}, f"{where[:-1]}.environments.{env.name}]")
    merged = {**base, **{k: v for k, v in override.items() if k != "arguments"}}

    job_name = f"{env.name_prefix}{job}"
    if not 1 <= len(job_name) <= MAX_JOB_NAME - len("-schedule"):
        raise SettingsError(f"job name {job_name!r} is too long for Glue; shorten the job or prefix")
    stack_name = re.sub(r"[^A-Za-z0-9-]", "-", f"kit-{env.name}-{job}")
    if not _STACK_NAME.match(stack_name):
        raise SettingsError(f"stack name {stack_name!r} exceeds CloudFormation's 128 characters")

    glue_version = merged.get("glue_version", GLUE_VERSION)
    if glue_version not in WORKER_TYPES_BY_VERSION:
        raise SettingsError(
            f"{where} glue_version {glue_version!r} is not one kit deploys; "
            f"use one of {', '.join(WORKER_TYPES_BY_VERSION)} (as a string, e.g. \"5.1\")"
        )
    worker_types = WORKER_TYPES_BY_VERSION[glue_version]
    worker_type = merged.get("worker_type", "G.1X")
    if worker_type not in worker_types:
        raise SettingsError(
            f"{where} worker_type {worker_type!r} is not a Glue {glue_version} worker type; "
            f"use one of {', '.join(worker_types)}"
        )
    workers = _int(merged, "workers", 2, 2, 299, where)
    timeout = _int(merged, "timeout", 60, 1, 10080, where)
    retries = _int(merged, "max_retries", 0, 0, 10, where)
    bookmark = merged.get("bookmark", "disable")
    if bookmark not in BOOKMARKS:
        raise SettingsError(f"{where} bookmark {bookmark!r} is invalid; use enable, disable or pause")
    connections = merged.get("connections", [])
    if isinstance(connections, str):
        connections = [connections]
    if not (isinstance(connections, list) and all(isinstance(c, str) and c for c in connections)):
        raise SettingsError(f"{where} connections must be a list of Glue connection names")
    if any("," in c for c in connections):
        raise SettingsError(f"{where} connection names cannot contain ','")
    schedule = merged.get("schedule", "") or ""
    if not isinstance(schedule, str):
        raise SettingsError(f"{where} schedule must be a string like \"cron(0 6 * * ? *)\"")
    schedule = validate_cron(schedule, where) if schedule else ""
    description = merged.get("description", f"kit job {job} ({env.name})")
    if not isinstance(description, str) or len(description) > 2048:
        raise SettingsError(f"{where} description must be a string of at most 2048 characters")

    arguments = _resolve_arguments(job, env, declared, base, override, where)
    return JobDeployment(
        job=job,
        env=env.name,
        job_name=job_name,
        stack_name=stack_name,
        name_prefix=env.name_prefix,
        worker_type=worker_type,
        workers=workers,
        glue_version=glue_version,
        schedule=schedule,
        connections=tuple(connections),
        bookmark=bookmark,
        timeout=timeout,
        max_retries=retries,
        description=description,
        arguments=arguments,
    )


def _resolve_arguments(
    job: str,
    env: Environment,
    declared: dict[str, str],
    base: dict[str, Any],
    override: dict[str, Any],
    where: str,
) -> dict[str, str]:
    """Declared defaults, then job arguments, then the environment's, then per-env overrides."""
    job_args = _arguments(base.get("arguments", {}), f"{where} arguments")
    env_args = {k: v for k, v in env.arguments.items() if k in declared or k in job_args}
    over = _arguments(override.get("arguments", {}), f"{where} environments.{env.name}.arguments")
    merged = {**declared, **job_args, **env_args, **over}
    values = {k: v.replace("{job}", job).replace("{env}", env.name) for k, v in merged.items()}
    for name, value in values.items():
        chosen = {**job_args, **env_args, **over}
        if name not in chosen and "/" in value and "://" not in value:
            raise SettingsError(
                f"job {job} argument {name} has only the local default {value!r} in {env.name}; "
                f"set it in [tool.kit.environments.{env.name}.arguments] (e.g. an s3:// path)"
            )
    return dict(sorted(values.items()))


def _arguments(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsError(f"{where} must be a table of name = \"value\"")
    out: dict[str, str] = {}
    for key, val in value.items():
        name = str(key).removeprefix("--")
        if not _ARG_NAME.match(name):
            raise SettingsError(f"{where}: {key!r} is not a valid Glue argument name")
        if name in RESERVED_ARGS:
            raise SettingsError(f"{where}: --{name} is set by kit; remove it")
        if not isinstance(val, str | int | float | bool):
            raise SettingsError(f"{where}: {key} must be a string, got {val!r}")
        out[name] = str(val).lower() if isinstance(val, bool) else str(val)
    return out


def _int(table: dict[str, Any], key: str, default: int, low: int, high: int, where: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{where} {key} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SettingsError(
            f"unknown key(s) in {where}: {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


# --- cron ------------------------------------------------------------------------------------

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
_FIELDS = (  # name, low, high, names, extra single-token forms
    ("minutes", 0, 59, [], ()),
    ("hours", 0, 23, [], ()),
    ("day-of-month", 1, 31, [], ("?", "L", "LW")),
    ("month", 1, 12, _MONTHS, ()),
    ("day-of-week", 1, 7, _DAYS, ("?", "L")),
    ("year", 1970, 2199, [], ()),
)


def validate_cron(expression: str, where: str = "schedule") -> str:
    """Return ``cron(...)`` for a Glue/EventBridge cron expression, or raise one line saying why."""
    text = expression.strip()
    inner = text[5:-1].strip() if text.startswith("cron(") and text.endswith(")") else text
    parts = inner.split()
    hint = 'e.g. "cron(0 6 * * ? *)" (minutes hours day-of-month month day-of-week year)'
    if len(parts) != 6:
        raise SettingsError(f"{where} schedule {expression!r} needs 6 cron fields; {hint}")
    for value, (name, low, high, names, extra) in zip(parts, _FIELDS, strict=True):
        if not _cron_field_ok(value, low, high, names, extra, name):
            raise SettingsError(f"{where} schedule {expression!r}: bad {name} field {value!r}; {hint}")
    dom, dow = parts[2], parts[4]
    if (dom == "?") == (dow == "?"):
        raise SettingsError(
            f"{where} schedule {expression!r}: exactly one of day-of-month and day-of-week "
            f"must be '?'; {hint}"
        )
    if _shortest_gap(parts[0], parts[1]) < MIN_SCHEDULE_MINUTES:
        raise SettingsError(
            f"{where} schedule {expression!r} runs more often than every "
            f"{MIN_SCHEDULE_MINUTES} minutes, which Glue does not support; {hint}"
        )
    return f"cron({' '.join(parts)})"


MIN_SCHEDULE_MINUTES = 5  # Glue: "the minimum precision for a schedule is 5 minutes"


def _shortest_gap(minutes: str, hours: str) -> int:
    """The shortest time in minutes between two runs the minutes/hours fields allow."""
    mins, hrs = sorted(_expand(minutes, 0, 59)), _expand(hours, 0, 23)
    gaps = [b - a for a, b in zip(mins, mins[1:], strict=False)]
    if any((h + 1) % 24 in hrs for h in hrs):  # consecutive hours: the last run, then the first
        gaps.append(60 - mins[-1] + mins[0])
    return min(gaps, default=60)


def _expand(value: str, low: int, high: int) -> set[int]:
    """The numbers a validated numeric cron field (``*``, ``a``, ``a-b``, ``x/n``, lists) covers."""
    out: set[int] = set()
    for token in value.split(","):
        base, _, step = token.partition("/")
        start, _, end = base.partition("-")
        first = low if base == "*" else int(start)
        last = high if base == "*" or (step and not end) else int(end or start)
        out.update(range(first, last + 1, int(step or 1)))
    return out


def _cron_field_ok(value: str, low: int, high: int, names: list[str], extra: tuple, name: str) -> bool:
    if value in extra:
        return True

    def number(token: str) -> int | None:
        upper = token.upper()
        if upper in names:
            return names.index(upper) + 1
        if token.isdigit():
            number_ = int(token)
            return number_ if low <= number_ <= high else None
        return None

    for token in value.split(","):
        if name == "day-of-month" and re.fullmatch(r"\d{1,2}W", token):
            token = token[:-1]
        if name == "day-of-week" and re.fullmatch(r"[1-7]L", token):  # no '#' in Glue's table
            continue
        base, _, step = token.partition("/")
        if step and not (step.isdigit() and 1 <= int(step) <= high):
            return False
        if base == "*":
            continue
        start, dash, end = base.partition("-")
        if number(start) is None or (dash and number(end) is None):
            return False
    return True
