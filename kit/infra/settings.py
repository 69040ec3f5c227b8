"""Deployment settings: kept as an import path; the schema lives in :mod:`kit.settings`."""

from kit.settings import (  # noqa: F401  (re-exported for callers of the old path)
    BOOKMARKS,
    GLUE_VERSION,
    MAX_JOB_NAME,
    MAX_NAME_PREFIX,
    RESERVED_ARGS,
    WORKER_TYPES,
    Environment,
    JobDeployment,
    SettingsError,
    environment,
    job_deployment,
    validate_cron,
)
