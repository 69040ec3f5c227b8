"""``kit endpoint connect``: dev endpoint -> SSH tunnel -> Livy check -> sparkmagic config.

Also attaches to any Livy directly (EMR, the Glue Docker image, ``kit endpoint local``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kit.aws import AwsTarget
from kit.config import ProjectConfig
from kit.endpoints import devendpoint, livy, security, sparkmagic_conf, tunnel
from kit.loopback import is_loopback_host


@dataclass(frozen=True)
class Connection:
    livy_url: str
    sparkmagic_dir: Path
    sessions: int
    tunnel: tunnel.Tunnel | None = None


def connect_dev_endpoint(
    name: str, spec: tunnel.TunnelSpec, config: ProjectConfig, target: AwsTarget,
    timeout: float = 30.0,
) -> Connection:
    """Open a tunnel to the READY dev endpoint ``name`` and point sparkmagic at it.

    ``spec.address`` is ignored: the address comes from ``get_dev_endpoint``.
    """
    endpoint = devendpoint.resolve(name, target)
    spec = tunnel.TunnelSpec(**{**spec.__dict__, "address": endpoint.address})
    opened = tunnel.open_tunnel(spec, name, config.state_dir, timeout=timeout)
    return _configure(opened.livy_url, config, opened)


def connect_livy(url: str, config: ProjectConfig) -> Connection:
    """Point sparkmagic at a Livy reachable at ``url`` (checked first)."""
    return _configure(url.rstrip("/"), config, None)


def _configure(url: str, config: ProjectConfig, opened: tunnel.Tunnel | None) -> Connection:
    folder = sparkmagic_conf.conf_dir(config)
    # kit's local endpoint's token stays in the config for a loopback Livy, and only for one
    token = sparkmagic_conf.token(folder) if opened is None and _is_loopback(url) else None
    count = len(livy.sessions(url, headers={security.TOKEN_HEADER: token} if token else None))
    sparkmagic_conf.write_config(folder, url, token=token)
    return Connection(url, folder, count, opened)


def _is_loopback(url: str) -> bool:
    try:
        return is_loopback_host(urlsplit(url).hostname or "")
    except ValueError:
        return False
