"""sparkmagic configuration in a kit-managed folder, and sparkmagic kernels for this interpreter.

kit never writes ``~/.sparkmagic``: it writes ``<state>/sparkmagic/config.json`` and points the
kernels at it with ``SPARKMAGIC_CONF_DIR``. An existing kit config is merged, not replaced, so
settings a user added there survive; only the Livy URLs and the request headers kit manages
change. The headers: ``X-Requested-By`` (which a Livy with CSRF protection requires, and kit's
local endpoint by default) always, and kit's local endpoint's access token only when the config
points at it, so the token never reaches another server. The folder is private to the user
(0700, the file 0600): it holds that token.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from kit.config import ProjectConfig
from kit.endpoints.security import CSRF_HEADER, TOKEN_HEADER
from kit.errors import ConfigError
from kit.fsutil import write_atomic

CONFIG_FILE = "config.json"
CREDENTIAL_KEYS = ("kernel_python_credentials", "kernel_scala_credentials")
HEADERS_KEY = "custom_headers"  # sparkmagic adds these to every request it sends to Livy
KERNELS = {
    "pysparkkernel": ("PySpark", "python", "sparkmagic.kernels.pysparkkernel.pysparkkernel"),
    "sparkkernel": ("Spark", "scala", "sparkmagic.kernels.sparkkernel.sparkkernel"),
}
# Settings kit proposes for a new config; a user's own values in the file win.
DEFAULTS: dict[str, Any] = {
    "livy_session_startup_timeout_seconds": 180,
    "wait_for_idle_timeout_seconds": 60,
    "heartbeat_refresh_seconds": 5,
    "heartbeat_retry_seconds": 5,
    "livy_server_heartbeat_timeout_seconds": 60,
    "cleanup_all_sessions_on_exit": True,
}


def conf_dir(config: ProjectConfig) -> Path:
    """The folder to give sparkmagic as ``SPARKMAGIC_CONF_DIR``."""
    return config.state_dir / "sparkmagic"


def write_config(
    folder: Path, livy_url: str, extra: dict[str, Any] | None = None, token: str | None = None
) -> Path:
    """Point sparkmagic's Python and Scala kernels at ``livy_url``; returns the config path.

    ``token`` is the access token of kit's local endpoint at ``livy_url`` (sent as a header).
    """
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / CONFIG_FILE
    current: dict[str, Any] = {}
    if path.is_file():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path} is not valid JSON ({exc.msg}); fix it or delete it and retry"
            ) from exc
        if not isinstance(current, dict):
            raise ConfigError(f"{path} must hold a JSON object; fix it or delete it and retry")
    merged = {**DEFAULTS, **current, **(extra or {})}
    for key in CREDENTIAL_KEYS:
        credentials = dict(merged.get(key) or {})
        credentials.setdefault("username", "")
        credentials.setdefault("password", "")
        credentials.setdefault("auth", "None")
        credentials["url"] = livy_url.rstrip("/")
        merged[key] = credentials
    headers = merged.get(HEADERS_KEY)
    if not isinstance(headers, dict):
        headers = {}
    headers = {str(k): str(v) for k, v in headers.items() if k != TOKEN_HEADER}
    headers.setdefault(CSRF_HEADER, "kit")
    if token:
        headers[TOKEN_HEADER] = token
    merged[HEADERS_KEY] = headers
    if path.exists():
        os.chmod(path, 0o600)
    write_atomic(path, json.dumps(merged, indent=2, sort_keys=True) + "\n")
    os.chmod(path, 0o600)
    return path


def livy_url(folder: Path) -> str | None:
    """The Livy URL the kit-managed config points at, if any."""
    path = Path(folder) / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["kernel_python_credentials"]["url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def token(folder: Path) -> str | None:
    """The local endpoint's access token in the kit-managed config, if any."""
    path = Path(folder) / CONFIG_FILE
    try:
        value = json.loads(path.read_text(encoding="utf-8"))[HEADERS_KEY][TOKEN_HEADER]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) and value else None


def install_kernels(kernels_dir: Path, sparkmagic_conf: Path | None = None) -> list[Path]:
    """Write sparkmagic kernel specs that run this interpreter (sparkmagic's own run ``python``).

    With ``sparkmagic_conf``, the spec sets ``SPARKMAGIC_CONF_DIR`` so JupyterLab's kernels read
    kit's config without any shell setup. ``kernels_dir`` is e.g. ``<venv>/share/jupyter/kernels``.
    """
    written = []
    for name, (display, language, module) in KERNELS.items():
        spec: dict[str, Any] = {
            "argv": [sys.executable, "-m", module, "-f", "{connection_file}"],
            "display_name": display,
            "language": language,
        }
        if sparkmagic_conf is not None:
            spec["env"] = {"SPARKMAGIC_CONF_DIR": str(Path(sparkmagic_conf).resolve())}
        path = Path(kernels_dir) / name / "kernel.json"
        write_atomic(path, json.dumps(spec, indent=1) + "\n")
        written.append(path)
    return written


def default_kernels_dir() -> Path:
    """The current environment's kernel folder (``sys.prefix``/share/jupyter/kernels)."""
    return Path(sys.prefix) / "share" / "jupyter" / "kernels"
