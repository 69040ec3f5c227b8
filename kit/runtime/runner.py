"""``kit run``: run a Glue script locally as Glue would, on a local (or standalone) Spark.

The script runs in a child Python process with ``sys.argv`` exactly as given, the local awsglue
layer importable, and Spark configured through the environment; its exit status and traceback
pass straight through.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kit.config import ProjectConfig
from kit.errors import RunError
from kit.runtime import glueargs
from kit.runtime.spark import DEFAULT_MASTER, require_java, spark_env

LAYER_DIR = Path(__file__).resolve().parent / "glue_layer"


def layer_available() -> bool:
    """True when the local ``awsglue`` layer is installed with kit."""
    return (LAYER_DIR / "awsglue" / "__init__.py").is_file()


@dataclass
class RunPlan:
    script: Path
    argv: list[str]
    job: str | None = None
    outputs: list[Path] = field(default_factory=list)


@dataclass
class RunResult:
    returncode: int
    seconds: float
    outputs: list[tuple[Path, int, int]]  # (folder, data files, bytes)


def plan(target: str, script_args: list[str], config: ProjectConfig) -> RunPlan:
    """Resolve ``target`` (job name, notebook, job module or any Glue script) to a script to run.

    A job name or notebook is exported first (if stale), and the exported script runs, so a
    local run executes exactly what would be deployed.
    """
    from kit.notebooks import export as exporter

    path = Path(target)
    is_named_job = path.suffix == "" and "/" not in target
    is_pair_file = path.suffix == ".ipynb" or (
        path.suffix == ".py" and path.resolve().parent == config.jobs_dir
    )
    if is_named_job or is_pair_file:
        result = exporter.export(target, config)
        job = result.job
        script = exporter.script_path(config, job)
        argv = list(script_args)
        if layer_available() and not any(a.split("=")[0] == "--JOB_NAME" for a in argv):
            argv = ["--JOB_NAME", job, *argv]
        defaults = result.job_args
        outputs = [
            config.root / _arg_value(argv, k, v)
            for k, v in defaults.items()
            if "output" in k and "://" not in _arg_value(argv, k, v)
        ]
        return RunPlan(script=script, argv=argv, job=job, outputs=outputs)
    if not path.is_file():
        raise RunError(f"{target}: no such script or job; give a job name from jobs/ or a .py path")
    return RunPlan(script=path.resolve(), argv=list(script_args))


def run(
    run_plan: RunPlan, config: ProjectConfig, master: str = DEFAULT_MASTER, aws: str = "local",
    profile: str | None = None,
) -> RunResult:
    """Run the planned script in a child process; returns its exit status and what it wrote.

    The job's AWS clients reach kit's local AWS unless ``aws="real"`` or a ``profile`` is given
    (:func:`kit.localaws.jobrun.job_aws`).
    """
    from kit.localaws.jobrun import job_aws

    require_java()
    options = glueargs.parse(run_plan.argv, config.root)
    env = spark_env(master, options.spark_conf)
    python_path = [*options.python_path, str(config.root)]
    if layer_available():
        python_path.insert(0, str(LAYER_DIR))
    if env.get("PYTHONPATH"):
        python_path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = ":".join(python_path)
    env.setdefault("KIT_PROJECT", str(config.root))
    with job_aws(config, aws=aws, profile=profile, environ=env) as env:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(run_plan.script), *run_plan.argv], cwd=config.root, env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
    return RunResult(proc.returncode, seconds, [summarize(p) for p in run_plan.outputs])


def summarize(folder: Path) -> tuple[Path, int, int]:
    """(folder, number of data files, total bytes) of a Spark output folder."""
    if not folder.exists():
        return folder, 0, 0
    files = [folder] if folder.is_file() else [
        p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
    ]
    return folder, len(files), sum(p.stat().st_size for p in files)


def _arg_value(argv: list[str], name: str, default: str) -> str:
    flag = f"--{name}"
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return default
