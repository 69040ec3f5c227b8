"""Job argument parsing as Glue does it (``getResolvedOptions``)."""

from __future__ import annotations

import argparse
import traceback
from typing import Any

from awsglue import _compat
from awsglue.job import Job

_global_args: dict[str, Any] = {}


class GlueArgumentError(Exception):
    """A required job argument is missing or an argument is malformed."""


class GlueArgumentParser(argparse.ArgumentParser):
    """argparse that raises :class:`GlueArgumentError` instead of exiting."""

    def error(self, msg: str) -> None:  # type: ignore[override]
        raise GlueArgumentError(msg)


def callsite() -> str:
    return "".join(traceback.format_list(traceback.extract_stack()[:-2]))


def makeOptions(sc: Any, py_obj: Any) -> Any:  # noqa: N802 - Glue's name
    """Glue passes options to the JVM; locally they stay a Python dict."""
    return py_obj


def _strip(option: str) -> str:
    return option[2:] if option.startswith("--") else option


def getResolvedOptions(  # noqa: N802
    args: list[str], options: list[str], allow_abbrev: bool | None = None
) -> dict[str, Any]:
    """Resolve ``--name value`` job arguments; every name in ``options`` is required.

    Glue's reserved arguments (``--JOB_NAME``, ``--JOB_ID``, ``--JOB_RUN_ID``,
    ``--job-bookmark-option``, ``--TempDir`` ...) are accepted and may not be requested as
    options (except JOB_NAME and TempDir); unknown extra arguments are ignored.
    """
    parser = GlueArgumentParser(add_help=False, allow_abbrev=_compat.allow_abbrev(allow_abbrev))
    continuation = Job.continuation_options()
    bookmark = Job.job_bookmark_options()
    for reserved in (continuation[0], bookmark[0], *Job.job_bookmark_range_options()):
        if _strip(reserved) in options:
            raise RuntimeError("Using reserved arguments " + reserved)
    parser.add_argument(bookmark[0], choices=bookmark[1:], required=False)
    parser.add_argument(continuation[0], choices=continuation[1:], required=False)
    for option in Job.job_bookmark_range_options():
        parser.add_argument(option, required=False)
    for option in Job.id_params()[1:]:
        if _strip(option) in options:
            raise RuntimeError("Using reserved arguments " + option)
        parser.add_argument(option, required=False)
    encryption = Job.encryption_type_options()
    if _strip(encryption[0]) in options:
        raise RuntimeError("Using reserved arguments " + encryption[0])
    parser.add_argument(encryption[0], choices=encryption[1:])
    options = [opt for opt in options if opt not in {"RedshiftTempDir", "TempDir"}]
    parser.add_argument("--RedshiftTempDir", required=False)
    parser.add_argument("--TempDir", required=False)
    for option in options:
        parser.add_argument("--" + option, required=True)

    parsed, _extra = parser.parse_known_args(args[1:])
    resolved = vars(parsed)
    if resolved.get("TempDir") is not None:
        resolved["RedshiftTempDir"] = resolved["TempDir"]
    elif resolved.get("RedshiftTempDir") is not None:
        resolved["TempDir"] = resolved["RedshiftTempDir"]

    legacy = resolved.pop("continuation_option", None)
    if resolved.get("job_bookmark_option") is None:
        if legacy is None:
            resolved["job_bookmark_option"] = bookmark[3]
        else:
            resolved["job_bookmark_option"] = bookmark[continuation.index(legacy)]
    absent = [
        o for o in Job.job_bookmark_range_options() if resolved.get(o[2:].replace("-", "_")) is None
    ]
    if resolved["job_bookmark_option"] == "job-bookmark-pause":
        if len(absent) == 1:
            raise RuntimeError("Missing option or value for " + absent[0])
    elif not absent:
        raise RuntimeError("Invalid option(s)" + " ".join(Job.job_bookmark_range_options()))
    _global_args.update(resolved)
    return resolved
