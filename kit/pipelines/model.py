"""A pipeline: jobs chained by end states, declared once in ``[tool.kit.pipeline.NAME]``.

One declaration feeds the local run (:mod:`kit.pipelines.run`), the workflow stack and the
graph, so they cannot disagree. It mirrors a Glue workflow: a start trigger (on demand or on a
schedule) starts the jobs that have no upstream; every other job has one conditional trigger
whose ``Predicate`` lists one ``Condition`` per upstream edge (``JobName``, ``State``,
``LogicalOperator = EQUALS``) joined by ``Logical`` AND or ANY.

Glue triggers listen for four job states (the Glue API's ``Condition``: "the only job states
that a trigger can listen for are SUCCEEDED, STOPPED, FAILED, and TIMEOUT"). ``ANY`` (any end
state) has no Glue spelling: it becomes one condition per end state joined by ANY, which is only
faithful where the whole predicate may be ANY — a job with one upstream, or ``logical = "ANY"``.

Everything is checked here, before anything is written: an unknown pipeline or job, a cycle
(named: ``a -> b -> a``), an unknown state, an ANY that cannot be expressed, a bad schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kit.errors import PipelineError, SettingsError
from kit.settings import environment, validate_cron

if TYPE_CHECKING:
    from kit.config import ProjectConfig

# Job states a Glue trigger condition can listen for (Glue API, Condition.State).
END_STATES = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT")
ANY_STATE = "ANY"  # any end state: one condition per END_STATES, Logical ANY
STATES = (*END_STATES, ANY_STATE)
LOGICALS = ("AND", "ANY")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")  # like a job name (Glue and stack limits)
MAX_DESCRIPTION = 2048

Text = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PipelineOverride(_Table):
    """What an environment may change: when it starts, its defaults, its description."""

    schedule: str | None = None
    run_properties: dict[Text, str] | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None


class PipelineJob(_Table):
    """``jobs.NAME = { after = [...] | { up = "STATE" }, logical = "AND" | "ANY" }``."""

    after: list[str] | dict[str, str] = Field(default_factory=list)
    logical: Literal["AND", "ANY"] | None = None


class PipelineTable(PipelineOverride):
    """``[tool.kit.pipeline.NAME]`` with its ``.jobs`` and ``.environments.ENV`` tables."""

    jobs: dict[str, PipelineJob] = Field(default_factory=dict)
    environments: dict[str, PipelineOverride] = Field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    """``downstream`` runs when ``upstream`` ends in ``state`` (an END_STATES value or ANY)."""

    upstream: str
    downstream: str
    state: str


@dataclass(frozen=True)
class Pipeline:
    """A validated pipeline in one environment (or the base declaration when env is None)."""

    name: str
    jobs: tuple[str, ...]  # topological order, ties by declaration order
    edges: tuple[Edge, ...]  # by downstream job (in ``jobs`` order), then declaration order
    logical: dict[str, str]  # downstream job -> AND | ANY (as declared; default AND)
    schedule: str = ""  # cron(...) or "" (started on demand)
    description: str = ""
    run_properties: dict[str, str] = field(default_factory=dict)

    def upstream(self, job: str) -> tuple[Edge, ...]:
        """The edges into ``job`` (empty for a start job)."""
        return tuple(edge for edge in self.edges if edge.downstream == job)

    def downstream(self, job: str) -> tuple[Edge, ...]:
        """The edges out of ``job``."""
        return tuple(edge for edge in self.edges if edge.upstream == job)

    def start_jobs(self) -> tuple[str, ...]:
        """The jobs the start trigger starts: those without upstream, in ``jobs`` order."""
        return tuple(job for job in self.jobs if not self.upstream(job))

    @property
    def start_trigger_type(self) -> str:
        """Glue's trigger Type for the start trigger: SCHEDULED or ON_DEMAND."""
        return "SCHEDULED" if self.schedule else "ON_DEMAND"

    def conditions(self, job: str) -> tuple[tuple[str, str], ...]:
        """``job``'s trigger conditions as Glue spells them: (JobName, State), ANY expanded."""
        out: list[tuple[str, str]] = []
        for edge in self.upstream(job):
            states = END_STATES if edge.state == ANY_STATE else (edge.state,)
            out.extend((edge.upstream, state) for state in states)
        return tuple(out)

    def predicate_logical(self, job: str) -> str:
        """``job``'s Predicate.Logical in Glue: ANY when declared, or when ANY was expanded."""
        if self.logical.get(job) == "ANY" or any(e.state == ANY_STATE for e in self.upstream(job)):
            return "ANY"
        return "AND"

    def satisfied(self, job: str, ended: dict[str, str]) -> bool:
        """Whether ``job``'s trigger fires given the jobs ``ended`` so far (job -> end state)."""
        hits = [
            edge.upstream in ended and edge.state in (ANY_STATE, ended[edge.upstream])
            for edge in self.upstream(job)
        ]
        return any(hits) if self.predicate_logical(job) == "ANY" else bool(hits) and all(hits)


def pipelines_table(config: ProjectConfig) -> dict[str, Any]:
    """The raw ``[tool.kit.pipeline]`` table (every pipeline, unvalidated)."""
    table = config.raw.get("pipeline", {})
    return table if isinstance(table, dict) else {}


def pipeline_names(config: ProjectConfig) -> list[str]:
    """The project's declared pipelines, sorted."""
    return sorted(pipelines_table(config))


def load_pipeline(config: ProjectConfig, name: str, env: str | None = None) -> Pipeline:
    """The pipeline ``name``, validated, with ``env``'s overrides applied when given."""
    where = f"[tool.kit.pipeline.{name}]"
    declared = pipelines_table(config)
    if name not in declared:
        known = ", ".join(sorted(declared)) or "none declared"
        raise PipelineError(f"unknown pipeline {name!r} (known: {known}); add {where} to pyproject.toml")
    if not _NAME.match(name):
        raise PipelineError(
            f"{where}: pipeline name {name!r} is invalid: start with a letter, then letters, "
            "digits, '_' or '-' (at most 100 characters)"
        )
    table = _parse(declared[name], where)
    for env_name in table.environments:
        _check_environment(config, env_name, f"{where[:-1]}.environments.{env_name}]")
    if env is not None:
        _check_environment(config, env, where)
    jobs, edges, logical = _graph(config, table, where)
    settings = table.model_dump(exclude={"jobs", "environments"}, exclude_none=True)
    if env is not None and env in table.environments:
        settings.update(table.environments[env].model_dump(exclude_none=True))
    schedule = settings.get("schedule") or ""
    if schedule:
        try:
            schedule = validate_cron(schedule, where)
        except SettingsError as exc:
            raise PipelineError(str(exc)) from None
    return Pipeline(
        name=name,
        jobs=jobs,
        edges=edges,
        logical=logical,
        schedule=schedule,
        description=settings.get("description") or "",
        run_properties=dict(settings.get("run_properties") or {}),
    )


def _parse(raw: Any, where: str) -> PipelineTable:
    if not isinstance(raw, dict):
        raise PipelineError(f"{where} must be a table")
    try:
        return PipelineTable.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(_one_line(exc, where)) from None


def _one_line(exc: ValidationError, where: str) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(part) for part in first["loc"] if not str(part).startswith(("list[", "dict[")))
    if first["type"] == "extra_forbidden":
        parent = first["loc"][:-1]
        if parent and parent[0] == "jobs":
            allowed = sorted(PipelineJob.model_fields)
        elif parent and parent[0] == "environments":
            allowed = sorted(PipelineOverride.model_fields)
        else:
            allowed = sorted(PipelineTable.model_fields)
        what = f"unknown key {loc!r}; allowed: {', '.join(allowed)}"
    else:
        given = repr(first.get("input"))
        given = given if len(given) <= 60 else given[:57] + "..."
        what = f"{loc}: {str(first['msg']).removeprefix('Value error, ')}, got {given}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where} {what}{more}"


def _check_environment(config: ProjectConfig, env: str, where: str) -> None:
    try:
        environment(config, env)
    except SettingsError as exc:
        raise PipelineError(f"{where}: {exc}") from None


def _graph(
    config: ProjectConfig, table: PipelineTable, where: str
) -> tuple[tuple[str, ...], tuple[Edge, ...], dict[str, str]]:
    """Jobs in topological order, the edges and each downstream job's logical; checked."""
    declared = list(table.jobs)
    if not declared:
        raise PipelineError(f"{where} has no jobs; add [{where[1:-1]}.jobs] with at least one job")
    project_jobs = set(config.job_names())
    for job in declared:
        if job not in project_jobs:
            raise PipelineError(
                f"{where} jobs: {job!r} is not a job of this project "
                f"(jobs: {', '.join(sorted(project_jobs)) or 'none'}); make it with `kit new {job}`"
            )
    edges: list[Edge] = []
    logical: dict[str, str] = {}
    for job, spec in table.jobs.items():
        here = f"{where} jobs.{job}"
        after = spec.after if isinstance(spec.after, dict) else dict.fromkeys(spec.after, "SUCCEEDED")
        if isinstance(spec.after, list) and len(after) != len(spec.after):
            raise PipelineError(f"{here}: after names a job twice; name each upstream job once")
        for upstream, state in after.items():
            if upstream not in table.jobs:
                raise PipelineError(
                    f"{here}: upstream {upstream!r} is not a job of this pipeline "
                    f"(its jobs: {', '.join(declared)}); add it to the jobs table"
                )
            if state not in STATES:
                raise PipelineError(
                    f"{here}: unknown state {state!r} for upstream {upstream!r}; use one of "
                    f"{', '.join(STATES)} (Glue triggers listen for {', '.join(END_STATES)}; "
                    "ANY = any of them)"
                )
            edges.append(Edge(upstream=upstream, downstream=job, state=state))
        if spec.logical is not None and not after:
            raise PipelineError(f"{here}: logical applies to upstream jobs, and {job} has none")
        if after:
            logical[job] = spec.logical or "AND"
            if logical[job] == "AND" and len(after) > 1:
                any_up = [up for up, state in after.items() if state == ANY_STATE]
                if any_up:
                    raise PipelineError(
                        f"{here}: {any_up[0]} = \"ANY\" with logical = \"AND\" and "
                        f"{len(after)} upstream jobs cannot be a Glue trigger (ANY is one "
                        "condition per end state joined by ANY); set logical = \"ANY\" or name "
                        "one state"
                    )
    order = _topological(declared, edges)
    if len(order) < len(declared):
        cycle = _cycle([job for job in declared if job not in order], edges)
        raise PipelineError(f"{where}: the jobs form a cycle: {' -> '.join(cycle)}; remove an edge")
    position = {job: index for index, job in enumerate(order)}
    edges.sort(key=lambda edge: position[edge.downstream])  # stable: declaration order kept
    return tuple(order), tuple(edges), logical


def _topological(declared: list[str], edges: list[Edge]) -> list[str]:
    """Kahn's order; among ready jobs the first declared goes first. Jobs in a cycle are left out."""
    waiting = {job: {e.upstream for e in edges if e.downstream == job} for job in declared}
    order: list[str] = []
    while True:
        ready = [job for job in declared if job not in order and not waiting[job] - set(order)]
        if not ready:
            return order
        order.append(ready[0])


def _cycle(remaining: list[str], edges: list[Edge]) -> list[str]:
    """One cycle among ``remaining`` jobs, closed: ``[a, b, a]``."""
    ups = {job: [e.upstream for e in edges if e.downstream == job and e.upstream in remaining]
           for job in remaining}
    path = [remaining[0]]
    while True:  # every remaining job has an upstream among the remaining: walk back to a repeat
        nxt = ups[path[-1]][0]
        if nxt in path:
            loop = path[path.index(nxt):] + [nxt]
            return list(reversed(loop))
        path.append(nxt)
