"""The listening rules for an AWS API emulator: loopback Host, no foreign Origin, signed calls.

moto answers anything by default (CORS ``*``, no credentials checked). kit's local AWS binds
127.0.0.1 and, in front of moto, refuses:

* a ``Host`` that is not loopback (``localhost``, ``*.localhost`` for virtual-hosted S3,
  ``127.0.0.1``, ``[::1]``): DNS-rebinding pages cannot reach it;
* an ``Origin`` that is not loopback: a web page cannot drive it from a browser;
* an AWS API call that carries no AWS signature (``Authorization`` header or a presigned URL's
  query): a plain link cannot change state. The signature itself is not verified, as with any
  emulator: every access key works;
* moto's own control API (``/moto-api/...``: reset, state transitions) without the server's
  token, which only the process that started the server holds.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kit.loopback import is_loopback_netloc

INFO_PATH = "/_kit/local-aws"
TOKEN_HEADER = "X-Kit-Token"
_SIGNATURE_PARAMS = {"X-Amz-Signature", "X-Amz-Credential", "Signature", "AWSAccessKeyId"}




def is_signed(environ: dict[str, Any]) -> bool:
    """True when the request carries an AWS signature (header or presigned query)."""
    if environ.get("HTTP_AUTHORIZATION", "").startswith(("AWS4-", "AWS ")):
        return True
    return bool(_SIGNATURE_PARAMS & set(parse_qs(environ.get("QUERY_STRING", ""))))


class Guard:
    """WSGI middleware enforcing the rules above; serves the server's info on ``INFO_PATH``."""

    def __init__(self, app: Callable[..., Iterable[bytes]], token: str, info: dict[str, Any]):
        self.app = app
        self.token = token
        self.info = info

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        origin = environ.get("HTTP_ORIGIN")
        path = environ.get("PATH_INFO", "")
        if not is_loopback_netloc(environ.get("HTTP_HOST", "")):
            return _refuse(start_response, "the Host is not loopback")
        if origin is not None and not is_loopback_netloc(urlsplit(origin).netloc):
            return _refuse(start_response, f"cross-origin request from {origin}")
        if path == INFO_PATH:
            body = json.dumps(self.info).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path.startswith("/moto-api"):
            given = environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_"), "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return _refuse(start_response, "moto's control API needs the server's token")
        elif not is_signed(environ):
            return _refuse(start_response, "unsigned request (configure any AWS access key)")
        return self.app(environ, start_response)


def _refuse(start_response: Callable[..., Any], reason: str) -> list[bytes]:
    body = f"kit local AWS refused the request: {reason}\n".encode()
    start_response("403 Forbidden", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(len(body)))])
    return [body]
