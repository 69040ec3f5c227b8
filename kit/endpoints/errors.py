"""Errors of the endpoint commands (one line each, raised to the CLI); defined in kit.errors."""

from __future__ import annotations

from kit.errors import EndpointError

__all__ = ["EndpointError"]
