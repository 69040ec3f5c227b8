"""Import a job module for unit tests without running its pipeline."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from kit import config as kit_config
from kit.names import validate_job_name


def import_job(name: str, root: Path | None = None) -> ModuleType:
    """Import ``jobs/NAME.py`` in test mode (``ENV=test``): its functions, no Spark, no Glue.

    The bootstrap sees ``ENV=test`` and skips Glue and Spark start-up; pipeline cells guarded by
    ``RUN_MODE != "test"`` do not run. Tests pass their own DataFrames to the job's functions.
    """
    validate_job_name(name)
    cfg = kit_config.load(root)
    path = cfg.job_module_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"no job module {path}")
    module_name = f"kit_job_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    previous = os.environ.get("ENV")
    os.environ["ENV"] = "test"
    try:
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            os.environ.pop("ENV", None)
        else:
            os.environ["ENV"] = previous
    return module
