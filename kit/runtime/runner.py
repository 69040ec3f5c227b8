"""``kit run``: run a Glue script locally as Glue would, on a local (or standalone) Spark.

The script runs in a child Python process with ``sys.argv`` exactly as given, the local awsglue
layer importable, and Spark configured through the environment; its exit status and traceback
pass straight through.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kit.config import ProjectConfig
from kit.errors import RunError
from kit.runtime import glueargs, preflight
from kit.runtime.environment import (
    LAYER_DIR,  # noqa: F401  (re-exported: where callers used to find it)
    arg_value,
    layer_available,  # noqa: F401
    layer_env,
    python_argv,
    with_job_name,
)
from kit.runtime.spark import DEFAULT_MASTER, require_java


@dataclass
class RunPlan:
    script: Path
    argv: list[str]
    job: str | None = None
    outputs: list[Path] = field(default_factory=list)
    glue_version: str | None = None  # the runtime to start (None: kit's default, Glue 5.0)


@dataclass
class RunResult:
    returncode: int
    seconds: float
    outputs: list[tuple[Path, int, int]]  # (folder, data files, bytes)
    output: str = ""  # the child's stdout and stderr when captured


def plan(target: str, script_args: list[str], config: ProjectConfig) -> RunPlan:
    """Resolve ``target`` (job name, notebook, job module or any Glue script) to a script to run.

    A job name or notebook is exported first (if stale), and the exported script runs, so a
    local run executes exactly what would be deployed.
    """
    path = Path(target)
    is_named_job = path.suffix == "" and "/" not in target
    is_pair_file = path.suffix == ".ipynb" or (
        path.suffix == ".py" and path.resolve().parent == config.jobs_dir
    )
    if is_named_job or is_pair_file:
        from kit.notebooks import export as exporter  # nbformat/jupytext: only to export

        result = exporter.export(target, config)
        job = result.job
        script = exporter.script_path(config, job)
        argv = with_job_name(script_args, job)
        defaults = result.job_args
        outputs = [
            config.root / arg_value(argv, k, v)
            for k, v in defaults.items()
            if "output" in k and "://" not in arg_value(argv, k, v)
        ]
        return RunPlan(script=script, argv=argv, job=job, outputs=outputs)
    if not path.is_file():
        raise RunError(f"{target}: no such script or job; give a job name from jobs/ or a .py path")
    return RunPlan(script=path.resolve(), argv=list(script_args))


def run(
    run_plan: RunPlan,
    config: ProjectConfig,
    master: str = DEFAULT_MASTER,
    glue_version: str | None = None,
    *,
    capture: bool = False,
    aws: str = "local",
    profile: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the planned script in a child process; returns its exit status and what it wrote.

    ``glue_version``'s runtime must be installed (``runtimes.ensure``); ``capture`` keeps the
    child's output (``RunResult.output``) instead of passing it through. The job's AWS clients
    reach kit's local AWS unless ``aws="real"`` or a ``profile`` is given
    (:func:`kit.localaws.jobrun.job_aws`). The job's dependencies (``--additional-python-modules``,
    ``--extra-jars``, ...) are applied first (:mod:`kit.runtime.dependencies`; ``progress`` gets
    pip's lines when an overlay is built).
    """
    from kit.localaws.jobrun import job_aws
    from kit.runtime import dependencies

    preflight.check_plan(run_plan.script, run_plan.argv, run_plan.job, config, master)
    require_java()
    options = glueargs.parse(run_plan.argv, config.root)
    version = glue_version or run_plan.glue_version
    deps = dependencies.apply(
        run_plan.argv, config, run_plan.job, version, options.spark_conf, progress
    )
    env = layer_env(
        config.root, master, {**options.spark_conf, **deps.spark_conf}, version,
        extra_paths=[*options.python_path, *deps.python_path],
    )
    with job_aws(config, aws=aws, profile=profile, environ=env) as env:
        started = time.perf_counter()
        proc = subprocess.run(
            python_argv(run_plan.script, run_plan.argv), cwd=config.root, env=env, check=False,
            capture_output=capture, text=capture,
        )
        seconds = time.perf_counter() - started
    output = (proc.stdout or "") + (proc.stderr or "") if capture else ""
    return RunResult(proc.returncode, seconds, [summarize(p) for p in run_plan.outputs], output)


def summarize(folder: Path) -> tuple[Path, int, int]:
    """(folder, number of data files, total bytes) of a Spark output folder."""
    if not folder.exists():
        return folder, 0, 0
    files = [folder] if folder.is_file() else [
        p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
    ]
    return folder, len(files), sum(p.stat().st_size for p in files)

