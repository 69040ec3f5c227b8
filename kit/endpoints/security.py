"""Who may drive the local endpoint: the request checks run before any route, apart from HTTP.

A Livy endpoint runs arbitrary Python as the user, so being bound to loopback is not enough: a web
page in the user's browser can reach 127.0.0.1 too. The checks, in order:

- ``Host`` must name loopback (DNS rebinding: a foreign name that resolves to 127.0.0.1 carries
  its own name in ``Host``); any port, so port forwards work;
- an ``Origin``, when sent, must be a loopback origin (browsers send it on cross-origin requests);
- a state-changing request (POST, PUT, DELETE) must declare an ``application/json`` body: the
  content types a page may send cross-origin without a CORS preflight are ``text/plain``,
  form-urlencoded and multipart, and the endpoint answers no preflight;
- with CSRF protection (as Livy's ``livy.server.csrf-protection.enabled``), a state-changing
  request must carry ``X-Requested-By``;
- with a token, every request must carry it (``X-Kit-Token``, or ``Authorization: Bearer|token``):
  other local users can reach loopback too.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from kit.loopback import is_loopback_host, split_netloc

STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
TOKEN_HEADER = "X-Kit-Token"
CSRF_HEADER = "X-Requested-By"


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: an HTTP status and Livy's one-line ``msg``."""

    status: int
    msg: str


@dataclass(frozen=True)
class Policy:
    """What the endpoint requires of every request."""

    port: int
    token: str | None = None
    csrf: bool = True


def new_token() -> str:
    """A random access token (as Jupyter's), for the sparkmagic config kit writes."""
    return secrets.token_hex(24)




def check(method: str, headers: Mapping[str, str], policy: Policy) -> Refusal | None:
    """None when the request may proceed, else why not. ``headers`` keys are lower-case."""
    host = headers.get("host", "")
    split = split_netloc(host) if host else None
    # The name, not the port, is what DNS rebinding forges; a port forward (an SSH tunnel, an
    # editor's forwarded port) legitimately arrives with its own local port.
    if split is None or not is_loopback_host(split[0]):
        return Refusal(403, f"Refused: Host '{host}' is not this endpoint "
                            f"(use http://127.0.0.1:{policy.port})")
    origin = headers.get("origin")
    if origin is not None:
        try:
            parts = urlsplit(origin)
            origin_ok = parts.scheme in ("http", "https") and is_loopback_host(parts.hostname or "")
        except ValueError:
            origin_ok = False
        if not origin_ok:
            return Refusal(403, f"Refused: cross-origin request from '{origin}'")
    if policy.token is not None and not _token_ok(headers, policy.token):
        return Refusal(401, f"Missing or wrong access token (send it in the {TOKEN_HEADER} "
                            "header; kit writes it into its sparkmagic config)")
    if method.upper() in STATE_CHANGING:
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return Refusal(415, f"Refused: {method.upper()} needs Content-Type: application/json, "
                                f"got '{content_type or 'none'}'")
        if policy.csrf and not headers.get(CSRF_HEADER.lower()):
            return Refusal(400, "Missing Required Header for CSRF protection.")  # Livy's words
    return None


def _token_ok(headers: Mapping[str, str], token: str) -> bool:
    given = headers.get(TOKEN_HEADER.lower(), "")
    if not given:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("bearer", "token"):
            given = value.strip()
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())
