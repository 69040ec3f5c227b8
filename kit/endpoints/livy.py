"""A tiny Livy client for health checks (``GET /sessions``)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from kit.endpoints.errors import EndpointError
from kit.endpoints.security import CSRF_HEADER, TOKEN_HEADER


def sessions(url: str, timeout: float = 5.0, headers: dict[str, str] | None = None) -> list[dict]:
    """Livy's session list at ``url``; ``EndpointError`` when nothing Livy-shaped answers."""
    request = urllib.request.Request(url.rstrip("/") + "/sessions", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
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


class Client:
    """JSON requests to a Livy (kit's local endpoint or warm engine: with its token)."""

    def __init__(self, url: str, token: str | None = None):
        self.url = url.rstrip("/")
        self.headers = {"Content-Type": "application/json", CSRF_HEADER: "kit"}
        if token:
            self.headers[TOKEN_HEADER] = token

    def request(self, method: str, path: str, body: dict | None = None,
                timeout: float = 60.0) -> tuple[int, dict]:
        """(status, JSON body) of any answer; ``EndpointError`` when nothing answers."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"null")
            except ValueError:
                return exc.code, {"msg": exc.reason}
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"Livy at {self.url} does not answer ({reason})") from exc

    def get(self, path: str, timeout: float = 60.0) -> dict:
        return self._ok("GET", path, None, timeout)

    def post(self, path: str, body: dict, timeout: float = 60.0) -> dict:
        return self._ok("POST", path, body, timeout)

    def delete(self, path: str, timeout: float = 60.0) -> dict:
        return self._ok("DELETE", path, None, timeout)

    def _ok(self, method: str, path: str, body: dict | None, timeout: float) -> dict:
        status, answer = self.request(method, path, body, timeout)
        if status >= 300:
            msg = answer.get("msg") if isinstance(answer, dict) else answer
            raise EndpointError(f"Livy at {self.url} refused {method} {path}: {status} {msg}")
        return answer
