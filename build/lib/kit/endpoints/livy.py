"""A tiny Livy client for health checks (``GET /sessions``)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from kit.endpoints.errors import EndpointError


def sessions(url: str, timeout: float = 5.0) -> list[dict]:
    """Livy's session list at ``url``; ``EndpointError`` when nothing Livy-shaped answers."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/sessions", timeout=timeout) as resp:
            body = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"Livy at {url} does not answer ({reason})") from exc
    if not isinstance(body, dict) or not isinstance(body.get("sessions"), list):
        raise EndpointError(f"{url} answered, but not like Livy (no 'sessions' list)")
    return body["sessions"]


def wait_until_up(url: str, timeout: float, alive=lambda: True) -> list[dict]:
    """Poll ``url`` until Livy answers, ``alive()`` turns false, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return sessions(url, timeout=min(5.0, timeout))
        except EndpointError:
            if not alive() or time.monotonic() > deadline:
                raise
        time.sleep(0.2)
