"""What counts as loopback, for everything kit serves (the local endpoint, the local AWS).

A page in the user's browser can reach 127.0.0.1 too; the servers refuse a ``Host`` or
``Origin`` that does not name loopback (DNS rebinding, cross-origin pages). One definition, so
the two servers never disagree on what "local" means.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback_host(host: str) -> bool:
    """True for a loopback name or address (``localhost``, ``*.localhost``, 127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_netloc(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` (IPv6 in brackets) -> (host, port); None when malformed."""
    try:
        parts = urlsplit(f"//{value}")
        return parts.hostname or "", parts.port
    except ValueError:
        return None


def is_loopback_netloc(netloc: str) -> bool:
    """True for ``host[:port]`` whose host is loopback (any port)."""
    split = split_netloc(netloc) if netloc else None
    return split is not None and is_loopback_host(split[0])
