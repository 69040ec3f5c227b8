"""``kit itest``: the deployed job against sample data, end to end.

Four steps: upload the sample input (each job argument whose local default is a file or folder
of the project, e.g. ``data/JOB/input.csv``) to the deployed job's location for it; start a job run; wait for it (progress, timeout, the run's error
message); then run the job's integration checks, ``tests/integration/test_JOB.py``, on the
output downloaded from S3. Checks find that output with :func:`itest_output`.

Against a local endpoint no Glue exists to execute the run, so kit runs the exported script
itself through its local runner. With kit's local AWS (``kit aws local``, or the one ``kit run``
keeps for the project) there is one store: the script runs with its deployed ``s3://``
arguments against that endpoint, Spark's ``s3://`` paths are that server's object root, and the
checks read the output folder in place; nothing is copied. Another local endpoint (a plain
moto, LocalStack) keeps S3 elsewhere: the data is mirrored from and back to S3 around the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from kit import aws
from kit import build as builds
from kit.config import ProjectConfig
from kit.errors import ItestFailed, KitError
from kit.infra import package
from kit.settings import Environment, job_deployment

DONE_OK = {"SUCCEEDED"}
DONE_BAD = {"FAILED", "ERROR", "TIMEOUT", "STOPPED", "EXPIRED"}
OUTPUT_ENV = "KIT_ITEST_OUTPUT_"


@dataclass
class ItestResult:
    job: str
    job_name: str
    run_id: str
    state: str
    outputs: dict[str, Path]


def itest_output(argument: str = "output_path") -> Path:
    """In an integration check: the local copy of the job's output for ``argument``."""
    value = os.environ.get(OUTPUT_ENV + argument.upper())
    if not value:
        raise KitError(f"no {OUTPUT_ENV}{argument.upper()}; run the checks with `kit itest JOB`")
    return Path(value)


def checks_path(config: ProjectConfig, job: str) -> Path:
    """Where a job's integration checks live (the documented convention)."""
    return config.root / "tests" / "integration" / f"test_{job}.py"


def run_itest(
    config: ProjectConfig,
    job: str,
    env: Environment,
    target: aws.AwsTarget,
    *,
    timeout: float = 3600.0,
    poll_seconds: float = 5.0,
    echo: Callable[[str], None] = lambda _m: None,
) -> ItestResult:
    """Upload sample data, run the deployed job, wait, then run its integration checks."""
    from kit.infra.drift import NotDeployed

    build = builds.load(config, job)
    checks = checks_path(config, job)
    if not checks.is_file():
        raise ItestFailed(
            f"no integration checks for {job}: create {config.relative(checks)} "
            "(read the output with kit.infra.itest.itest_output())"
        )
    declared = build.arguments
    deployment = job_deployment(config, job, env, declared, build.table)
    glue, s3 = aws.client(target, "glue"), aws.client(target, "s3")
    try:
        live = glue.get_job(JobName=deployment.job_name)["Job"]
    except ClientError as exc:
        raise NotDeployed(
            f"job {deployment.job_name} is not deployed in {env.name}; "
            f"run `kit deploy {job} --env {env.name}` first"
        ) from exc
    arguments = live.get("DefaultArguments", {}) or {}
    deployed = {n: arguments.get(f"--{n}", "") for n in declared}
    outputs = {n: v for n, v in deployed.items() if "output" in n and v.startswith("s3://")}
    inputs = {
        n: v
        for n, v in deployed.items()
        if n not in outputs and v.startswith("s3://") and (config.root / declared[n]).exists()
    }
    if (not inputs or not outputs) and not deployment.connections:  # a database is an output too
        raise ItestFailed(
            f"{job} needs input arguments whose local default is sample data and an *output* "
            f"argument, both deployed with s3:// values in {env.name}; see JOB_ARGS"
        )
    for name, uri in inputs.items():
        sample = config.root / declared[name]
        count = upload_tree(s3, sample, uri)
        echo(f"uploaded {config.relative(sample)} to {uri} ({count} file(s))")
    for uri in outputs.values():
        delete_prefix(s3, uri)
    run_id = glue.start_job_run(JobName=deployment.job_name)["JobRunId"]
    echo(f"started {deployment.job_name} run {run_id}")
    work = config.state_dir / "itest" / job
    store = _object_root(target)
    if store is not None:
        _run_in_place(config, build, deployment.job_name, arguments, sorted(declared),
                      target, echo, glue_version=deployment.glue_version)
    elif target.is_local:
        _run_locally(
            config, build, deployment.job_name, arguments, sorted(declared), inputs, outputs, s3,
            work, echo, glue_version=deployment.glue_version,
        )
    state, message = wait_for_run(glue, deployment.job_name, run_id, timeout, poll_seconds, echo)
    if state not in DONE_OK:
        raise ItestFailed(f"{deployment.job_name} run {run_id} {state}: {message or 'no message'}")
    local_outputs = {}
    for name, uri in outputs.items():
        if store is not None:  # one store: the output is already a folder of the object root
            bucket, key = package.split_s3_uri(uri)
            folder = store / bucket / key
            count = len([p for p in folder.rglob("*") if p.is_file()]) if folder.is_dir() else 0
        else:
            folder = work / "output" / name
            count = download_tree(s3, uri, folder)
        if not count:
            raise ItestFailed(f"{deployment.job_name} run {run_id} wrote nothing to {uri}")
        local_outputs[name] = folder
    echo(f"running {config.relative(checks)}")
    env_vars = {**os.environ, "KIT_ITEST_JOB": job, "KIT_ITEST_RUN_ID": run_id}
    # checks that query what the job wrote elsewhere (a database) reach the same AWS and job
    env_vars.update({"KIT_ITEST_JOB_NAME": deployment.job_name, "AWS_REGION": target.region,
                     "AWS_DEFAULT_REGION": target.region})
    if target.endpoint_url:
        env_vars["AWS_ENDPOINT_URL"] = target.endpoint_url
    if target.profile:
        env_vars["AWS_PROFILE"] = target.profile
    env_vars.update({OUTPUT_ENV + n.upper(): str(p) for n, p in local_outputs.items()})
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(checks)],
        cwd=config.root, env=env_vars, check=False,
    )
    if proc.returncode != 0:
        raise ItestFailed(
            f"integration checks {config.relative(checks)} failed for run {run_id} (see above)"
        )
    return ItestResult(job, deployment.job_name, run_id, state, local_outputs)


def wait_for_run(
    glue: Any,
    job_name: str,
    run_id: str,
    timeout: float,
    poll_seconds: float,
    echo: Callable[[str], None],
) -> tuple[str, str]:
    """Poll the run until it ends; (state, error message). Raises on timeout."""
    started = time.monotonic()
    last = None
    while True:
        run = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
        state = run["JobRunState"]
        if state != last:
            echo(f"  {state:<10} {time.monotonic() - started:6.0f}s")
            last = state
        if state in DONE_OK or state in DONE_BAD:
            return state, run.get("ErrorMessage", "")
        if time.monotonic() - started > timeout:
            raise ItestFailed(
                f"{job_name} run {run_id} still {state} after {timeout:.0f}s; "
                "raise --timeout or check the run in the Glue console"
            )
        time.sleep(poll_seconds)


def _object_root(target: aws.AwsTarget) -> Path | None:
    """The object root of kit's local AWS at ``target``'s endpoint (None for anything else)."""
    if not target.is_local or not target.endpoint_url:
        return None
    from kit.localaws.server import probe

    info = probe(target.endpoint_url)
    root = (info or {}).get("s3_root")
    return Path(root) if root else None


def _run_in_place(
    config: ProjectConfig,
    build: builds.Build,
    job_name: str,
    arguments: dict[str, str],
    declared: list[str],
    target: aws.AwsTarget,
    echo: Callable[[str], None],
    glue_version: str | None = None,
) -> None:
    """Execute the deployed script, deployed arguments unchanged, on kit's local AWS."""
    from kit.runtime import runner, runtimes

    argv = ["--JOB_NAME", job_name]
    for name in declared:
        if f"--{name}" in arguments:
            argv += [f"--{name}", arguments[f"--{name}"]]
    plan = runner.RunPlan(script=build.script_path, argv=argv, job=build.job)
    runtimes.ensure(glue_version, echo)
    echo(
        f"local endpoint: running {config.relative(plan.script)} with kit's local runner "
        f"(Glue {runtimes.spec(glue_version).glue_version}) on the local AWS's own S3"
    )
    # the run finds its local AWS through AWS_ENDPOINT_URL (kit.localaws.jobrun.job_aws)
    with _environ("AWS_ENDPOINT_URL", str(target.endpoint_url)):
        result = runner.run(plan, config, glue_version=glue_version)
    if result.returncode != 0:
        raise ItestFailed(
            f"{job_name}: the job failed when run locally (exit {result.returncode}); "
            "its traceback is above"
        )


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def _run_locally(
    config: ProjectConfig,
    build: builds.Build,
    job_name: str,
    arguments: dict[str, str],
    declared: list[str],
    inputs: dict[str, str],
    outputs: dict[str, str],
    s3: Any,
    work: Path,
    echo: Callable[[str], None],
    glue_version: str | None = None,
) -> None:
    """Execute the deployed script with kit's local runner, data mirrored from/to S3.

    It runs on the deployed job's Glue version (its runtime is built on first use).
    """
    import shutil

    from kit.runtime import runner

    if work.exists():
        shutil.rmtree(work)
    local: dict[str, str] = {}
    for name, uri in inputs.items():
        folder = work / "input" / name
        download_tree(s3, uri, folder)
        local[name] = str(folder)
    for name in outputs:
        local[name] = str(work / "run-output" / name)
    argv = ["--JOB_NAME", job_name]
    for name in declared:
        if f"--{name}" in arguments:
            argv += [f"--{name}", local.get(name, arguments[f"--{name}"])]
    plan = runner.RunPlan(script=build.script_path, argv=argv, job=build.job)
    from kit.runtime import runtimes

    runtimes.ensure(glue_version, echo)
    echo(
        f"local endpoint: running {config.relative(plan.script)} with kit's local runner "
        f"(Glue {runtimes.spec(glue_version).glue_version})"
    )
    result = runner.run(plan, config, glue_version=glue_version)
    if result.returncode != 0:
        raise ItestFailed(
            f"{job_name}: the job failed when run locally (exit {result.returncode}); "
            "its traceback is above"
        )
    for name, uri in outputs.items():
        upload_tree(s3, Path(local[name]), uri)


def upload_tree(s3: Any, local: Path, uri: str) -> int:
    """Upload a file or folder to ``uri`` (a prefix when it ends with '/' or local is a folder)."""
    bucket, key = package.split_s3_uri(uri)
    if local.is_file():
        target = key + local.name if key.endswith("/") or not key else key
        s3.put_object(Bucket=bucket, Key=target, Body=local.read_bytes())
        return 1
    prefix = key if key.endswith("/") or not key else key + "/"
    files = [p for p in sorted(local.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    for path in files:
        s3.put_object(Bucket=bucket, Key=prefix + path.relative_to(local).as_posix(),
                      Body=path.read_bytes())
    return len(files)


def download_tree(s3: Any, uri: str, folder: Path) -> int:
    """Download every object under ``uri`` into ``folder``; the number of files."""
    bucket, key = package.split_s3_uri(uri)
    prefix = key if key.endswith("/") or not key else key + "/"
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            rel = obj["Key"][len(prefix):]
            if not rel or rel.endswith("/"):
                continue
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            count += 1
    if not count and key and not key.endswith("/"):
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError:
            return 0
        folder.mkdir(parents=True, exist_ok=True)
        (folder / Path(key).name).write_bytes(body)
        count = 1
    return count


def delete_prefix(s3: Any, uri: str) -> None:
    """Remove a previous run's output so the checks see only this run's."""
    bucket, key = package.split_s3_uri(uri)
    prefix = key if key.endswith("/") or not key else key + "/"
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
