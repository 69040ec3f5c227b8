"""Click parameter types that refuse bad values as usage errors (one line, exit 2) at parse time.

Used by commands of every capability: ports in range, URLs that are URLs. A bad value never
reaches a socket or an AWS client, where it would fail with a traceback.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import click


class PortType(click.ParamType):
    """A TCP port: 1-65535 (0 too, meaning "any free port", when ``allow_zero``)."""

    name = "port"

    def __init__(self, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            digits = str(value).strip()
            if not re.fullmatch(r"[0-9]{1,6}", digits):
                self.fail(f"{value!r} is not a port number", param, ctx)
            number = int(digits)
        low = 0 if self.allow_zero else 1
        if not low <= number <= 65535:
            self.fail(f"{number} is not a port from {low} to 65535", param, ctx)
        return number


class UrlType(click.ParamType):
    """An absolute http(s) URL with a host (and a valid port when one is given)."""

    name = "url"

    def __init__(self, schemes: tuple[str, ...] = ("http", "https")) -> None:
        self.schemes = schemes

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        try:
            parts = urlsplit(text)
            port = parts.port  # raises ValueError when out of range or not a number
        except ValueError:
            self.fail(f"{text!r} is not a well-formed URL (bad port?)", param, ctx)
        if parts.scheme not in self.schemes or not parts.hostname or any(c.isspace() for c in text):
            self.fail(
                f"{text!r} is not a URL like {self.schemes[0]}://127.0.0.1:5000",
                param,
                ctx,
            )
        if port == 0:
            self.fail(f"{text!r}: port 0 is not a port to connect to", param, ctx)
        host = parts.hostname
        if ":" in host:  # an IPv6 literal must parse
            try:
                ipaddress.ip_address(host)
            except ValueError:
                self.fail(f"{text!r}: {host!r} is not an IP address", param, ctx)
        return text


PORT = PortType()
LISTEN_PORT = PortType(allow_zero=True)
URL = UrlType()
