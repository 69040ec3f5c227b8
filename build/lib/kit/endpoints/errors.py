"""Errors of the endpoint commands (one line each, raised to the CLI)."""

from __future__ import annotations

from kit.errors import KitError


class EndpointError(KitError):
    """A dev endpoint, tunnel or Livy server is unusable; the message says how to fix it."""
