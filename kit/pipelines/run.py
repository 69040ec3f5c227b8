"""``kit run --pipeline NAME``: a pipeline's jobs run locally, in dependency order, as a workflow run.

Glue runs a workflow by starting its start jobs, then each job whose trigger's predicate holds
on the end states of the jobs it watches. Locally the jobs run one at a time in the pipeline's
topological order with kit's runtime (:mod:`kit.runtime.runner`, the same run as ``kit run
JOB``), and a job runs when its predicate holds on the jobs ended so far — so a ``FAILED`` edge
runs its job only when the upstream failed, and a job whose predicate cannot hold is skipped.

The workflow and its run live in kit's local AWS (the Glue API of moto): the workflow is created
(or updated) with the pipeline's run properties as ``DefaultRunProperties``, one run is started,
and every job gets ``--WORKFLOW_NAME`` and ``--WORKFLOW_RUN_ID`` as Glue passes them, so
``get_workflow_run_properties`` / ``put_workflow_run_properties`` inside a job reach that run and
a property one job puts is seen by the next.

Before the first job, the project's catalog declarations (``catalog/*.yml``, as ``kit catalog
load --env dev`` would) are created in the local AWS where missing, so ``from_catalog`` works in
a local AWS started just for the run; what is there already (loaded, sampled) is left alone.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kit.config import ProjectConfig
from kit.errors import PipelineError
from kit.pipelines.model import Pipeline, load_pipeline

if TYPE_CHECKING:
    from kit.catalog.declaration import Database

SUCCEEDED, FAILED, SKIPPED = "SUCCEEDED", "FAILED", "SKIPPED"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class JobOutcome:
    """One job of the run: SUCCEEDED or FAILED (with its exit status), or SKIPPED."""

    job: str
    state: str
    seconds: float = 0.0
    returncode: int | None = None
    output: str = ""  # the job's output when the run captured it


@dataclass(frozen=True)
class PipelineRun:
    """What a local pipeline run did, in run order (skipped jobs included)."""

    pipeline: str
    workflow_name: str
    run_id: str
    outcomes: tuple[JobOutcome, ...]
    properties: dict[str, str] = field(default_factory=dict)  # the run's properties at the end

    def state(self, job: str) -> str:
        return next(o.state for o in self.outcomes if o.job == job)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(o.job for o in self.outcomes if o.state == FAILED)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(o.job for o in self.outcomes if o.state == SKIPPED)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: what failed and what it skipped (used as the CLI's error)."""
        if self.ok:
            ran = len(self.outcomes) - len(self.skipped)
            return f"pipeline {self.pipeline}: {ran} job(s) succeeded (workflow run {self.run_id})"
        failed = ", ".join(
            f"{o.job} (exit {o.returncode})" for o in self.outcomes if o.state == FAILED
        )
        skipped = ", ".join(self.skipped) or "none"
        return f"pipeline {self.pipeline}: job {failed} failed; skipped: {skipped}"


# A job runner: (job, arguments Glue adds) -> (exit status, seconds, captured output)
JobRunner = Callable[[str, list[str]], tuple[int, float, str]]


def run_pipeline(
    config: ProjectConfig,
    name: str,
    *,
    master: str = "local[*]",
    capture: bool = False,
    echo: Callable[[str], None] = _stderr,
) -> PipelineRun:
    """Run the pipeline ``name`` locally (see the module docstring); never raises on a job's
    failure: the result says which job failed and which were skipped."""
    from kit.catalog import declaration
    from kit.localaws.jobrun import job_aws, local_clients
    from kit.runtime import preflight, runner, runtimes

    pipeline = load_pipeline(config, name)  # every declaration error, before anything is written
    folder = declaration.catalog_dir(config.root)
    declared = [*folder.glob("*.yml"), *folder.glob("*.yaml")] if folder.is_dir() else []
    catalog = declaration.load_all(config.root) if declared else []  # bad ones: one line, now
    for job in pipeline.jobs:  # export (if stale) and check every job before the first starts
        plan = runner.plan(job, _glue_args(pipeline.name, "check"), config)
        preflight.check_plan(plan.script, plan.argv, plan.job, config, master)
    versions = {
        job: runtimes.spec(runtimes.job_glue_version(config, job)).glue_version
        for job in pipeline.jobs
    }
    for version in dict.fromkeys(versions.values()):
        runtimes.ensure(version, echo)

    with job_aws(config, aws="local", echo=echo) as env:
        if "AWS_ENDPOINT_URL" not in env:
            raise PipelineError(
                "kit run --pipeline needs kit's local AWS (the workflow run lives there); "
                "install kit's localaws extra"
            )
        glue = local_clients(env)("glue")
        for line in load_missing_catalog(catalog, glue):
            echo(f"kit: local AWS: {line}")
        run_id = start_workflow_run(glue, pipeline)
        echo(f"pipeline {name}: workflow run {run_id} in kit's local AWS")

        def run_job(job: str, extra: list[str]) -> tuple[int, float, str]:
            plan = runner.plan(job, extra, config)
            result = runner.run(plan, config, master=master, glue_version=versions[job],
                                capture=capture)
            return result.returncode, result.seconds, result.output

        with _environ(AWS_ENDPOINT_URL=env["AWS_ENDPOINT_URL"]):  # each job reuses this AWS
            outcomes = run_jobs(pipeline, pipeline.name, run_id, run_job, echo)
        properties = glue.get_workflow_run_properties(Name=pipeline.name, RunId=run_id)
    return PipelineRun(
        pipeline=name,
        workflow_name=pipeline.name,
        run_id=run_id,
        outcomes=outcomes,
        properties=dict(properties.get("RunProperties", {})),
    )


def load_missing_catalog(databases: list[Database], glue: Any, env: str = "dev") -> list[str]:
    """Create the declared databases and tables the local catalog lacks; what they were."""
    import dataclasses

    from kit.catalog import live

    missing = []
    for db in databases:
        known = {t["Name"] for t in live.get_tables(glue, db.name)} \
            if live.get_database(glue, db.name) else None
        tables = tuple(t for t in db.tables if known is None or t.name not in known)
        if known is None or tables:
            missing.append(dataclasses.replace(db, tables=tables))
    result = live.load(missing, env, glue)
    made = [name for name in result.created if "." in name]
    return [f"created catalog table(s) {', '.join(made)} ({env} declarations)"] if made else []


def start_workflow_run(glue: Any, pipeline: Pipeline) -> str:
    """Create (or update) the pipeline's workflow in the local Glue API and start one run."""
    from botocore.exceptions import ClientError

    settings: dict[str, Any] = {"DefaultRunProperties": pipeline.run_properties}
    if pipeline.description:
        settings["Description"] = pipeline.description
    try:
        glue.get_workflow(Name=pipeline.name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise PipelineError(f"the local Glue API refused the workflow: {exc}") from None
        glue.create_workflow(Name=pipeline.name, **settings)
    else:
        glue.update_workflow(Name=pipeline.name, **settings)
    return str(glue.start_workflow_run(Name=pipeline.name)["RunId"])


def run_jobs(
    pipeline: Pipeline,
    workflow_name: str,
    run_id: str,
    run_job: JobRunner,
    echo: Callable[[str], None] = _stderr,
) -> tuple[JobOutcome, ...]:
    """Each job in order when its predicate holds (start jobs always), the others skipped."""
    ended: dict[str, str] = {}
    outcomes: list[JobOutcome] = []
    glue_args = _glue_args(workflow_name, run_id)
    for job in pipeline.jobs:
        if pipeline.upstream(job) and not pipeline.satisfied(job, ended):
            waits = ", ".join(f"{e.upstream} {e.state}" for e in pipeline.upstream(job))
            echo(f"  skip  {job} (its trigger waits for {waits})")
            outcomes.append(JobOutcome(job, SKIPPED))
            continue
        echo(f"  start {job}")
        code, seconds, output = run_job(job, list(glue_args))
        state = SUCCEEDED if code == 0 else FAILED
        ended[job] = state
        echo(f"  {'done ' if code == 0 else 'FAIL '} {job} {state} in {seconds:.1f}s"
             + ("" if code == 0 else f" (exit {code})"))
        outcomes.append(JobOutcome(job, state, seconds, code, output))
    return tuple(outcomes)


def _glue_args(workflow_name: str, run_id: str) -> list[str]:
    """The arguments Glue adds to a job run that a workflow started."""
    return ["--WORKFLOW_NAME", workflow_name, "--WORKFLOW_RUN_ID", run_id]


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set variables of this process for the block (the runner reads its environment)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
