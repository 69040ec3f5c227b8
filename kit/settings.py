"""The whole ``[tool.kit]`` schema in one place: layout, environments, job settings.

A newcomer adding a job setting touches the :class:`JobTable` model here and the template that
uses it. pydantic validates each table once, strictly (TOML already has types: ``workers = "2"``
is a mistake, not a number), and the first problem becomes one line naming the table, the key,
what is allowed and what was given. Only the cron dialect is checked by hand: no library speaks
AWS's.

Tables are validated when used: the layout keys on every command, an environment when a
command targets it, a job's table when that job is exported or deployed, so a bad setting of one
job never stops work on another. ``kit validate`` checks every table and every job x environment
combination (:func:`validate_all`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from kit.errors import ConfigError, SettingsError

if TYPE_CHECKING:
    from kit.config import ProjectConfig

# Spark worker types of Glue 5.0-6.0 (AWS Glue worker types page; the larger ones are not in every
# region): the stack's WorkerType AllowedValues
WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X")
BOOKMARKS = {
    "disable": "job-bookmark-disable",
    "enable": "job-bookmark-enable",
    "pause": "job-bookmark-pause",
}
GLUE_VERSION = "5.0"  # a job without a glue_version setting (projects made before the setting)
GLUE_VERSIONS = ("5.0", "5.1", "6.0")  # what the job stack's GlueVersion parameter allows
# Spark worker types per Glue version (AWS Glue "Defining job properties for Spark jobs" and
# "AWS Glue worker types"): the same G and R types on 5.0, 5.1 and 6.0. G.025X (streaming jobs
# only) and Standard (Glue 1.0 and earlier) are refused with their reason.
WORKER_TYPES_BY_VERSION: dict[str, tuple[str, ...]] = {
    "5.0": WORKER_TYPES,
    "5.1": WORKER_TYPES,
    "6.0": WORKER_TYPES,
}
_NOT_SPARK_WORKERS = {
    "G.025X": "G.025X is for streaming jobs",
    "Standard": "Standard is for Glue 1.0 and earlier",
}
DEFAULT_ENVIRONMENTS = ("dev", "test", "prod")
# Arguments kit (the shared template) sets itself; a job may not set them.
RESERVED_ARGS = {"JOB_NAME", "TempDir", "job-bookmark-option", "job-language"}
MAX_JOB_NAME = 255  # Glue's Name limit
MAX_NAME_PREFIX = 100  # JobNamePrefix's MaxLength in the job stack
MAX_STACK_NAME = 128  # CloudFormation
MAX_PARAMETER_BYTES = 4096  # CloudFormation's limit on one parameter value (one argument)
MIN_SCHEDULE_MINUTES = 5  # Glue: "the minimum precision for a schedule is 5 minutes"

_ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_JOB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")
_ARG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
_STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")

LAYOUT_KEYS = ("notebooks", "jobs", "build", "data", "state")



# --- the schema ---------------------------------------------------------------------------------

Folder = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Bucket = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
StackName = Annotated[str, StringConstraints(pattern=_STACK_NAME.pattern)]
ArgValue = Any  # str, or a number / boolean Glue receives as text; checked by _arguments


class _Table(BaseModel):
    """Strict: TOML values keep their types; unknown keys are refused (typos do not pass)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _arguments(value: dict[str, ArgValue]) -> dict[str, str]:
    """Glue argument names (``--`` optional), kit's own refused; values as Glue sees them."""
    out: dict[str, str] = {}
    for key, val in value.items():
        name = str(key).removeprefix("--")
        if not _ARG_NAME.match(name):
            raise ValueError(f"{key!r} is not a valid Glue argument name")
        if name in RESERVED_ARGS:
            raise ValueError(f"--{name} is set by kit; remove it")
        if not isinstance(val, str | int | float | bool):
            raise ValueError(f"{key} must be a string, got {val!r}")
        out[name] = str(val).lower() if isinstance(val, bool) else str(val)
    return out


class LayoutTable(_Table):
    """``[tool.kit]`` itself: where things live; the nested tables are validated when used."""

    notebooks: Folder = "notebooks"
    jobs: Folder = "jobs"
    build: Folder = "build"
    data: Folder = "data"
    state: Folder = ".kit"
    tags: list[Folder] = Field(default_factory=list)  # tags allowed besides job/dev
    environments: dict[str, dict[str, Any]] = Field(default_factory=dict)
    job: dict[str, dict[str, Any]] = Field(default_factory=dict)
    pipeline: dict[str, dict[str, Any]] = Field(default_factory=dict)  # kit.pipelines.model


class EnvironmentTable(_Table):
    """``[tool.kit.environments.ENV]``: one deployment target."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    name_prefix: Annotated[str, StringConstraints(max_length=MAX_NAME_PREFIX)] | None = None
    scripts_bucket: Bucket | None = None
    temp_bucket: Bucket | None = None
    bootstrap_stack: StackName | None = None
    arguments: dict[str, ArgValue] = Field(default_factory=dict)

    @field_validator("arguments")
    @classmethod
    def _args(cls, value: dict[str, ArgValue]) -> dict[str, str]:
        return _arguments(value)


class JobOverride(_Table):
    """Job settings; every key optional so a per-environment table overrides only what it names."""

    glue_version: str | None = None
    schedule: str | None = None
    worker_type: str | None = None
    workers: int | None = None
    connections: list[Annotated[str, StringConstraints(min_length=1, pattern=r"^[^,]+$")]] | None = None
    arguments: dict[str, ArgValue] | None = None
    bookmark: str | None = None
    timeout: int | None = None  # minutes
    max_retries: int | None = None
    description: Annotated[str, StringConstraints(max_length=2048)] | None = None

    @field_validator("glue_version")
    @classmethod
    def _glue_version(cls, value: str | None) -> str | None:
        if value is not None and value not in GLUE_VERSIONS:
            raise ValueError(f"{value!r} is not a Glue version kit knows; use {', '.join(GLUE_VERSIONS)}")
        return value

    @field_validator("bookmark")
    @classmethod
    def _bookmark(cls, value: str | None) -> str | None:
        if value is not None and value not in BOOKMARKS:
            raise ValueError(f"{value!r} is invalid; use enable, disable or pause")
        return value

    @field_validator("workers", "timeout", "max_retries", mode="before")
    @classmethod
    def _whole_number(cls, value: Any, info: Any) -> Any:
        low, high = _RANGES[info.field_name]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            raise ValueError(f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    @field_validator("connections", mode="before")
    @classmethod
    def _one_connection(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        try:
            return validate_cron(value, "") if value else value
        except SettingsError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("arguments")
    @classmethod
    def _args(cls, value: dict[str, ArgValue] | None) -> dict[str, str] | None:
        return None if value is None else _arguments(value)


class JobTable(JobOverride):
    """``[tool.kit.job.NAME]`` with its ``[tool.kit.job.NAME.environments.ENV]`` overrides."""

    environments: dict[str, JobOverride] = Field(default_factory=dict)


_RANGES = {"workers": (2, 299), "timeout": (1, 10080), "max_retries": (0, 10)}
JOB_DEFAULTS: dict[str, Any] = {
    "glue_version": GLUE_VERSION,
    "schedule": "",
    "worker_type": "G.1X",
    "workers": 2,
    "connections": [],
    "arguments": {},
    "bookmark": "disable",
    "timeout": 60,
    "max_retries": 0,
    "description": None,  # "kit job NAME (ENV)"
}


# --- validation with one-line errors ------------------------------------------------------------


def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc, where, model)) from None


def _one_line(exc: ValidationError, where: str, model: type[BaseModel]) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        allowed = sorted(JobOverride.model_fields if len(first["loc"]) > 1 else model.model_fields)
        what = f"unknown key {loc!r}; allowed: {', '.join(allowed)}"
    else:
        msg = str(first["msg"]).removeprefix("Value error, ")
        given = repr(first.get("input"))
        given = given if len(given) <= 60 else given[:57] + "..."
        if first["type"] != "value_error":
            msg = f"{msg}, got {given}"
        what = f"{loc} {msg}" if msg.startswith(("must ", "'")) else f"{loc}: {msg}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where} {what}{more}".replace("  ", " ")


def parse_layout(table: Any) -> LayoutTable:
    """Validate the top-level ``[tool.kit]`` table (the nested tables only for their shape)."""
    if not isinstance(table, dict):
        raise ConfigError("[tool.kit] in pyproject.toml must be a table")
    return _validate(LayoutTable, table, "[tool.kit]")


def job_table(config: ProjectConfig, job: str) -> JobTable:
    """The validated ``[tool.kit.job.JOB]`` (empty when the job has none)."""
    table = _validate(JobTable, config.job_settings.get(job, {}), f"[tool.kit.job.{job}]")
    check_worker_types(table, f"[tool.kit.job.{job}]")
    return table


def check_worker_type(worker_type: str, glue_version: str, where: str) -> None:
    """One line when ``worker_type`` cannot run a Spark job on ``glue_version``."""
    allowed = WORKER_TYPES_BY_VERSION.get(glue_version, WORKER_TYPES)
    if worker_type in allowed:
        return
    why = _NOT_SPARK_WORKERS.get(worker_type)
    raise SettingsError(
        f"{where} worker_type {worker_type!r} is not a Glue {glue_version} worker type"
        f"{f' ({why})' if why else ''}; use one of {', '.join(allowed)}"
    )


def check_worker_types(table: JobTable, where: str) -> None:
    """The worker type of the job and of each environment, on that environment's Glue version
    (an environment may change either one, so each combination is checked)."""
    base = job_settings(table)
    check_worker_type(base["worker_type"], base["glue_version"], where)
    for env_name in sorted(table.environments):
        merged = job_settings(table, env_name)
        check_worker_type(
            merged["worker_type"], merged["glue_version"], f"{where[:-1]}.environments.{env_name}]"
        )


def check_job_name(job: str) -> str:
    """The one job-name rule for deployable jobs (Glue's and CloudFormation's limits)."""
    if not _JOB_NAME.match(job):
        raise SettingsError(
            f"job name {job!r} is invalid: start with a letter, then letters, digits, '_' or '-' "
            "(at most 100 characters, so the Glue job and its stack names fit)"
        )
    return job


# --- resolution ---------------------------------------------------------------------------------


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
    glue_version: str = GLUE_VERSION
    worker_type: str = "G.1X"
    workers: int = 2
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


def environment_names(config: ProjectConfig) -> list[str]:
    """dev, test, prod and every configured environment, sorted."""
    return sorted(set(DEFAULT_ENVIRONMENTS) | set(config.environments))


def environment(config: ProjectConfig, name: str) -> Environment:
    """The environment ``name``; dev/test/prod exist by default, others must be configured."""
    if not _ENV_NAME.match(name):
        raise SettingsError(
            f"environment name {name!r} is invalid; use lower-case letters, digits and '-' (max 20)"
        )
    raw = config.environments.get(name)
    if raw is None and name not in DEFAULT_ENVIRONMENTS:
        known = ", ".join(sorted(config.environments)) or "none configured"
        raise SettingsError(
            f"unknown environment {name!r} (known: {known}); add [tool.kit.environments.{name}]"
        )
    table: EnvironmentTable = _validate(
        EnvironmentTable, raw or {}, f"[tool.kit.environments.{name}]"
    )
    bootstrap = table.bootstrap_stack or f"kit-{name}-bootstrap"
    if not _STACK_NAME.match(bootstrap):
        raise SettingsError(
            f"[tool.kit.environments.{name}] the default bootstrap stack name {bootstrap!r} is "
            "invalid; set bootstrap_stack"
        )
    return Environment(
        name=name,
        region=table.region,
        profile=table.profile,
        endpoint_url=table.endpoint_url,
        name_prefix=f"{name}-" if table.name_prefix is None else table.name_prefix,
        scripts_bucket=table.scripts_bucket,
        temp_bucket=table.temp_bucket,
        bootstrap_stack=bootstrap,
        arguments=dict(table.arguments),
    )


def job_settings(table: JobTable, env: str | None = None) -> dict[str, Any]:
    """The job's settings with defaults filled in, and ``env``'s overrides applied when given.

    ``arguments`` holds the job's own extra arguments (the base table's, then the override's).
    """
    base = table.model_dump(exclude={"environments"}, exclude_none=True)
    out = {**JOB_DEFAULTS, **base}
    if env is not None and env in table.environments:
        override = table.environments[env].model_dump(exclude_none=True)
        args = {**out["arguments"], **override.pop("arguments", {})}
        out.update(override, arguments=args)
    return out


def job_deployment(
    config: ProjectConfig,
    job: str,
    env: Environment,
    declared: dict[str, str],
    table: JobTable | None = None,
) -> JobDeployment:
    """Merge job settings, environment arguments and per-environment overrides; validate.

    ``table`` is the job's settings as a build recorded them (``kit deploy`` uses the build's);
    by default the project's current ``[tool.kit.job.JOB]``.
    """
    check_job_name(job)
    table = table if table is not None else job_table(config, job)
    where = f"[tool.kit.job.{job}]"
    settings = job_settings(table, env.name)
    check_worker_type(settings["worker_type"], settings["glue_version"], where)
    job_name = f"{env.name_prefix}{job}"
    if not 1 <= len(job_name) <= MAX_JOB_NAME - len("-schedule"):
        raise SettingsError(f"job name {job_name!r} is too long for Glue; shorten the job or prefix")
    stack_name = re.sub(r"[^A-Za-z0-9-]", "-", f"kit-{env.name}-{job}")
    if not _STACK_NAME.match(stack_name):
        raise SettingsError(
            f"stack name {stack_name!r} exceeds CloudFormation's {MAX_STACK_NAME} characters"
        )
    return JobDeployment(
        job=job,
        env=env.name,
        job_name=job_name,
        stack_name=stack_name,
        name_prefix=env.name_prefix,
        glue_version=settings["glue_version"],
        worker_type=settings["worker_type"],
        workers=settings["workers"],
        schedule=settings["schedule"],
        connections=tuple(settings["connections"]),
        bookmark=settings["bookmark"],
        timeout=settings["timeout"],
        max_retries=settings["max_retries"],
        description=settings["description"] or f"kit job {job} ({env.name})",
        arguments=resolve_arguments(job, env, declared, table, where),
    )


def argument_names(job: str, table: JobTable, declared: dict[str, str]) -> list[str]:
    """Every argument the job's stack declares: JOB_ARGS and the job's own ``arguments``.

    The set is the same in every environment (the stack is); a per-environment table may only
    give other values, checked here.
    """
    names = set(declared) | set(table.arguments or {})
    for env_name, override in sorted(table.environments.items()):
        extra = sorted(set(override.arguments or {}) - names)
        if extra:
            raise SettingsError(
                f"[tool.kit.job.{job}.environments.{env_name}] arguments: "
                f"{extra[0]!r} is neither in JOB_ARGS nor in the job's arguments; declare it "
                "there (every environment deploys the same argument names)"
            )
    return sorted(names)


def resolve_arguments(
    job: str, env: Environment, declared: dict[str, str], table: JobTable, where: str
) -> dict[str, str]:
    """Declared defaults, then job arguments, then the environment's, then per-env overrides."""
    job_args = dict(table.arguments or {})
    override = table.environments.get(env.name)
    over = dict((override.arguments if override else None) or {})
    env_args = {k: v for k, v in env.arguments.items() if k in declared or k in job_args}
    merged = {**declared, **job_args, **env_args, **over}
    values = {k: v.replace("{job}", job).replace("{env}", env.name) for k, v in merged.items()}
    chosen = {**job_args, **env_args, **over}
    for name, value in values.items():
        if name not in chosen and "/" in value and "://" not in value:
            raise SettingsError(
                f"job {job} argument {name} has only the local default {value!r} in {env.name}; "
                f"set it in [tool.kit.environments.{env.name}.arguments] (e.g. an s3:// path)"
            )
        size = len(value.encode("utf-8"))
        if size > MAX_PARAMETER_BYTES:
            raise SettingsError(
                f"job {job} argument {name} takes {size} bytes in {env.name}; a CloudFormation "
                f"parameter holds {MAX_PARAMETER_BYTES}: shorten it"
            )
    return dict(sorted(values.items()))


def validate_all(
    config: ProjectConfig, jobs: list[str], declared: dict[str, dict[str, str]]
) -> list[str]:
    """Every problem in the settings: each table, and each job in each environment.

    ``jobs`` are the project's jobs; a ``[tool.kit.job.X]`` table for any other name is refused.
    ``declared`` gives each job's JOB_ARGS (from its build), to resolve its arguments.
    """
    findings: list[str] = []
    for name in sorted(set(config.job_settings) - set(jobs)):
        findings.append(
            f"[tool.kit.job.{name}]: no job {name!r} in this project "
            f"(jobs: {', '.join(jobs) or 'none'}); rename or remove the table"
        )
    envs: list[Environment] = []
    for env_name in environment_names(config):
        try:
            envs.append(environment(config, env_name))
        except SettingsError as exc:
            findings.append(str(exc))
    for job in jobs:
        try:
            check_job_name(job)
            table = job_table(config, job)
            argument_names(job, table, declared.get(job, {}))
        except SettingsError as exc:
            findings.append(str(exc))
            continue
        for env_name in sorted(table.environments):
            if env_name not in {e.name for e in envs} and env_name not in config.environments:
                findings.append(
                    f"[tool.kit.job.{job}.environments.{env_name}]: no environment "
                    f"{env_name!r}; add [tool.kit.environments.{env_name}] or remove the table"
                )
        for env in envs:
            try:
                job_deployment(config, job, env, declared.get(job, {}), table)
            except SettingsError as exc:
                findings.append(f"{job} in {env.name}: {exc}")
    return findings


# --- cron ---------------------------------------------------------------------------------------

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
# name, low, high, names, extra single-token forms
_FIELDS: tuple[tuple[str, int, int, list[str], tuple[str, ...]], ...] = (
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
    lead = f"{where} schedule " if where else ""
    if len(parts) != 6:
        raise SettingsError(f"{lead}{expression!r} needs 6 cron fields; {hint}")
    for value, (name, low, high, names, extra) in zip(parts, _FIELDS, strict=True):
        if not _cron_field_ok(value, low, high, names, extra, name):
            raise SettingsError(f"{lead}{expression!r}: bad {name} field {value!r}; {hint}")
    dom, dow = parts[2], parts[4]
    if (dom == "?") == (dow == "?"):
        raise SettingsError(
            f"{lead}{expression!r}: exactly one of day-of-month and day-of-week "
            f"must be '?'; {hint}"
        )
    if _shortest_gap(parts[0], parts[1]) < MIN_SCHEDULE_MINUTES:
        raise SettingsError(
            f"{lead}{expression!r} runs more often than every "
            f"{MIN_SCHEDULE_MINUTES} minutes, which Glue does not support; {hint}"
        )
    return f"cron({' '.join(parts)})"


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


def _cron_field_ok(
    value: str, low: int, high: int, names: list[str], extra: tuple[str, ...], name: str
) -> bool:
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
