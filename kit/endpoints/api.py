"""Livy's REST routes over a ``SessionManager``: (method, path, query, body) -> (status, JSON).

Independent of the HTTP server so every route can be called directly. Errors have Livy's shape,
``{"msg": "..."}``, with 400 for a malformed request and 404 for an unknown resource or route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kit.endpoints.models import LivyRequestError, NotFound, SessionManager


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]


PAGE_SIZE = 100  # Livy's default page of sessions and of log lines

Handler = Callable[[SessionManager, Mapping[str, str], dict[str, Any], list[str]], Response]
_ROUTES: list[tuple[str, re.Pattern[str], Handler, bool]] = []


def route(method: str, pattern: str, body: bool = False) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``method`` on ``pattern``; ``body``: it needs a JSON object."""
    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(f"^{pattern}/?$"), handler, body))
        return handler

    return register


def handle(
    manager: SessionManager, method: str, path: str, query: Mapping[str, str], body: bytes
) -> Response:
    """Answer one request; never raises for anything a client can send."""
    matched_path = False
    for route_method, pattern, handler, needs_body in _ROUTES:
        match = pattern.match(path)
        if not match:
            continue
        matched_path = True
        if route_method != method:
            continue
        try:
            payload = _json_body(body, needs_body) if method == "POST" else {}
            return handler(manager, query, payload, list(match.groups()))
        except NotFound as exc:
            return Response(404, {"msg": str(exc)})
        except LivyRequestError as exc:
            return Response(400, {"msg": str(exc)})
    if matched_path:
        return Response(405, {"msg": f"Method {method} not allowed on {path}"})
    return Response(404, {"msg": f"No route for {method} {path}"})


def _json_body(body: bytes, required: bool) -> dict[str, Any]:
    if not body.strip():
        if required:
            raise LivyRequestError("Request body is empty; send a JSON object")
        return {}
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LivyRequestError(f"Request body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise LivyRequestError("Request body must be a JSON object")
    return payload


def _int(value: str, name: str, signed: bool = False) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise LivyRequestError(f"'{name}' must be an integer, got '{value}'") from exc
    if number < 0 and not signed:
        raise LivyRequestError(f"'{name}' must not be negative, got {number}")
    return number


def _page(items: list[Any], query: Mapping[str, str]) -> tuple[int, list[Any]]:
    """Livy's list paging: ``from`` (default 0), ``size`` (default 100)."""
    start = _int(query.get("from", "0"), "from")
    size = _int(query.get("size", str(PAGE_SIZE)), "size")
    return start, items[start:start + size]


def _log_page(lines: list[str], query: Mapping[str, str]) -> tuple[int, list[str]]:
    """Livy's log paging: ``size`` lines (default 100, negative = all) from ``from``.

    Without ``from`` (or with a negative one) Livy returns the *last* ``size`` lines.
    """
    size = _int(query.get("size", str(PAGE_SIZE)), "size", signed=True)
    start = _int(query.get("from", "-1"), "from", signed=True)
    if size < 0:
        size = len(lines)
    if start < 0:
        start = max(0, len(lines) - size)
    return start, lines[start:start + size]


@route("GET", r"/sessions")
def list_sessions(manager, query, body, args):
    sessions = manager.list()
    start, page = _page(sessions, query)
    return Response(200, {"from": start, "total": len(sessions),
                          "sessions": [s.to_json() for s in page]})


@route("POST", r"/sessions", body=True)
def create_session(manager, query, body, args):
    return Response(201, manager.create(body).to_json())


@route("GET", r"/sessions/([^/]+)")
def get_session(manager, query, body, args):
    return Response(200, manager.get(_int(args[0], "sessionId")).to_json())


@route("DELETE", r"/sessions/([^/]+)")
def delete_session(manager, query, body, args):
    manager.delete(_int(args[0], "sessionId"))
    return Response(200, {"msg": "deleted"})


@route("GET", r"/sessions/([^/]+)/state")
def session_state(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    return Response(200, {"id": session.id, "state": session.state})


@route("GET", r"/sessions/([^/]+)/log")
def session_log(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    lines = session.logs()
    start, page = _log_page(lines, query)
    return Response(200, {"id": session.id, "from": start, "total": len(lines), "log": page})


@route("GET", r"/sessions/([^/]+)/statements")
def list_statements(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    statements = list(session.statements)
    start = _int(query.get("from", "0"), "from")
    size = _int(query.get("size", str(len(statements))), "size")  # Livy: all by default
    page = [s.to_json() for s in statements[start:start + size]]
    return Response(200, {"total_statements": len(statements), "statements": page})


@route("POST", r"/sessions/([^/]+)/statements", body=True)
def submit_statement(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    code = body.get("code")
    if not isinstance(code, str):
        raise LivyRequestError("'code' is required and must be a string")
    kind = body.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise LivyRequestError("'kind' must be a string")
    return Response(201, session.submit(code, kind).to_json())


@route("GET", r"/sessions/([^/]+)/statements/([^/]+)")
def get_statement(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    return Response(200, session.statement(_int(args[1], "statementId")).to_json())


@route("POST", r"/sessions/([^/]+)/statements/([^/]+)/cancel")
def cancel_statement(manager, query, body, args):
    session = manager.get(_int(args[0], "sessionId"))
    session.cancel(_int(args[1], "statementId"))
    return Response(200, {"msg": "canceled"})
