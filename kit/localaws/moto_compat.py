"""Which moto kit's local AWS was written for, and the one-line error when it is missing.

The gaps in :mod:`kit.localaws.gaps` reach into moto's models, which change between minor
releases; they are pinned to the range they were written and tested against.
"""

from __future__ import annotations

from kit.errors import LocalAwsError

MOTO_MIN = (5, 2, 5)
MOTO_BELOW = (5, 3)
MOTO_RANGE = ">=5.2.5,<5.3"
EXTRA = "pip install 'kit[localaws]'"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def require_moto() -> str:
    """The installed moto version; raises :class:`LocalAwsError` naming the extra otherwise."""
    try:
        import flask  # noqa: F401 - moto's server mode needs its [server] extra
        import moto
    except ImportError as exc:
        raise LocalAwsError(
            f"kit's local AWS needs moto in server mode: {EXTRA}"
        ) from exc
    version = str(moto.__version__)
    found = _version_tuple(version)
    if not (MOTO_MIN <= found < MOTO_BELOW):
        raise LocalAwsError(
            f"kit's local AWS was written for moto{MOTO_RANGE}, found moto {version}: {EXTRA}"
        )
    return version
