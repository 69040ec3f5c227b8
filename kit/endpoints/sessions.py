"""Glue interactive sessions: the ``aws-glue-sessions`` kernel's magics from project settings.

The ``glue_pyspark`` kernel reads its configuration from magics in the notebook's first cell.
kit derives them from the job's ``[tool.kit.job.NAME]`` settings (the same worker type, count and
connections the deployed job gets), so a session runs like the job will.
"""

from __future__ import annotations

from collections.abc import Sequence

from kit.config import ProjectConfig
from kit.errors import ConfigError

GLUE_VERSION = "5.0"
DEFAULT_WORKER_TYPE = "G.1X"
DEFAULT_WORKERS = 2
DEFAULT_IDLE_TIMEOUT = 30  # minutes


def session_magics(
    job: str,
    config: ProjectConfig,
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
    extra_py_files: Sequence[str] = (),
) -> str:
    """The first cell of magics that configures an interactive session for ``job``."""
    settings = config.job_settings.get(job, {})
    worker_type = settings.get("worker_type", DEFAULT_WORKER_TYPE)
    workers = settings.get("workers", DEFAULT_WORKERS)
    connections = settings.get("connections", [])
    if not isinstance(workers, int) or workers < 2:
        raise ConfigError(f"[tool.kit.job.{job}] workers must be an integer >= 2, got {workers!r}")
    if isinstance(connections, str):
        connections = [connections]
    if idle_timeout < 1:
        raise ConfigError("the idle timeout is in minutes and must be at least 1")
    lines = [
        f"%glue_version {GLUE_VERSION}",
        f"%worker_type {worker_type}",
        f"%number_of_workers {workers}",
        f"%idle_timeout {idle_timeout}",
    ]
    if connections:
        lines.append(f"%connections {','.join(connections)}")
    if extra_py_files:
        lines.append(f"%extra_py_files {','.join(extra_py_files)}")
    return "\n".join(lines) + "\n"
