"""Glue interactive sessions: the ``aws-glue-sessions`` kernel's magics from project settings.

The ``glue_pyspark`` kernel reads its configuration from magics in the notebook's first cell.
kit derives them from the same settings ``kit deploy`` uses (``[tool.kit.job.NAME]``, its
per-environment overrides, ``[tool.kit.environments.ENV]``), validated the same way, so a session
gets the worker type, count and connections the deployed job gets, in the environment's region.
"""

from __future__ import annotations

from collections.abc import Sequence

from kit.config import ProjectConfig
from kit.errors import ConfigError
from kit.infra.settings import environment, job_deployment

DEFAULT_IDLE_TIMEOUT = 30  # minutes (Glue's own default is 2880: a forgotten session costs)


def session_magics(
    job: str,
    config: ProjectConfig,
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
    extra_py_files: Sequence[str] = (),
    env: str = "dev",
) -> str:
    """The first cell of magics that configures an interactive session like ``job`` in ``env``."""
    known = config.job_names()
    if job not in known:
        raise ConfigError(
            f"no job {job!r} in this project (jobs: {', '.join(known) or 'none'}); "
            "create it with `kit new`"
        )
    if idle_timeout < 1:
        raise ConfigError("the idle timeout is in minutes and must be at least 1")
    target = environment(config, env)
    deployment = job_deployment(config, job, target, {})
    lines = []
    if target.profile:
        lines.append(f"%profile {target.profile}")
    if target.region:
        lines.append(f"%region {target.region}")
    lines += [
        f"%glue_version {deployment.glue_version}",
        f"%worker_type {deployment.worker_type}",
        f"%number_of_workers {deployment.workers}",
        f"%idle_timeout {idle_timeout}",
    ]
    if deployment.connections:
        lines.append(f"%connections {','.join(deployment.connections)}")
    if extra_py_files:
        if any("," in path or not path.startswith("s3://") for path in extra_py_files):
            raise ConfigError("--extra-py-files takes s3:// paths without commas, one per option")
        lines.append(f"%extra_py_files {','.join(extra_py_files)}")
    return "\n".join(lines) + "\n"
