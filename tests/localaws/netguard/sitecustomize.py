"""Put on ``PYTHONPATH`` by tests: every Python process of a run records (and refuses) any
connection or name lookup that would leave the machine, in the file ``KIT_TEST_NET_LOG``.

An audit hook sees ``socket.connect`` and ``socket.getaddrinfo`` in every library (boto3,
requests, urllib3, py4j); a refused attempt raises, and the record survives whatever the
program does with the error.
"""

import ipaddress
import os
import socket
import sys

_LOG = os.environ.get("KIT_TEST_NET_LOG")
_LOCAL_NAMES = {"localhost", "ip6-localhost", "", None, socket.gethostname()}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES or (isinstance(host, str) and host.endswith(".localhost")):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(what: str) -> None:
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {what}\n")
    raise ConnectionRefusedError(f"test network guard: {what} would leave the machine")


def _hook(event: str, args: tuple) -> None:
    if event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            _record(f"connect {address[0]}:{address[1]}")
    elif event == "socket.getaddrinfo" and not _is_loopback(args[0]) and not _is_ip(args[0]):
        _record(f"lookup {args[0]!r}")  # an address literal is checked when it is connected to


def _is_ip(host: object) -> bool:
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
    except ValueError:
        return False
    return True


if _LOG:
    sys.addaudithook(_hook)
