"""Where a pulled job came from: ``build/JOB/pulled.json``, so ``kit diff`` knows the deployed
script is the original that ``kit pull`` imported (and the notebook is unchanged since).

Without it, a job is in drift the moment it is pulled: the deployed script is the team's
original, the local export is kit's bootstrap plus the same body. The record holds hashes only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kit.config import ProjectConfig
from kit.fsutil import write_atomic

RECORD = "pulled.json"


def record_path(config: ProjectConfig, job: str) -> Path:
    return config.job_build_dir(job) / RECORD


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def record_text(
    config: ProjectConfig, job: str, env: str, location: str, script: bytes, export: str
) -> str:
    """The record with ``env``'s entry set (other environments' entries kept)."""
    path = record_path(config, job)
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data[env] = {
        "script_location": location,
        "script_sha256": sha256(script),
        "export_sha256": sha256(export),
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def write_record(config: ProjectConfig, job: str, text: str) -> Path:
    path = record_path(config, job)
    write_atomic(path, text)
    return path


def is_pulled_original(
    config: ProjectConfig, job: str, env: str, live_script: bytes, local_export: str
) -> bool:
    """True when the deployed script is the one ``kit pull`` imported for ``env`` and the
    export has not changed since: the job is what was adopted, so there is no drift."""
    path = record_path(config, job)
    try:
        entry = json.loads(path.read_text(encoding="utf-8")).get(env) or {}
    except (OSError, ValueError, AttributeError):
        return False
    return (
        entry.get("script_sha256") == sha256(live_script)
        and entry.get("export_sha256") == sha256(local_export)
    )
