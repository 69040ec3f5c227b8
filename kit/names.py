"""The one rule for job names, used by every command that takes or derives one.

A job name becomes a Python module (``jobs/NAME.py``, imported by tests), a notebook file, a
build folder, an AWS Glue job name and part of a CloudFormation stack name (``kit-ENV-NAME``
with ``_`` as ``-``). Glue allows 1-255 bytes on one line; CloudFormation allows letters,
digits and hyphens, starting with a letter, at most 128 characters. The intersection that is
also a safe module name is lower-case ``[a-z][a-z0-9_]*``; kit caps it at 64 characters so that
the stack name keeps room for the ``kit-ENV-`` prefix.
"""

from __future__ import annotations

import keyword
import re

from kit.errors import JobNameError

MAX_LENGTH = 64
GLUE_JOB_NAME_MAX = 255
STACK_NAME_MAX = 128
# build/lib is setuptools', build/output local runs', infra/etl-template the shared stack's; a
# job named like a package kit imports would shadow it when tests import the job module.
RESERVED = frozenset(
    {"output", "lib", "etl-template", "test", "tests", "kit", "awsglue", "pyspark", "conftest"}
)
_NAME = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_LENGTH - 1}}}")
EXAMPLE = "orders_by_month"


def job_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid job name, or None when it is."""
    if not isinstance(name, str) or not name:
        return "a job name cannot be empty"
    shown = name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
    if len(name) > MAX_LENGTH:
        return f"job name {shown[:20]!r}... is {len(name)} characters; at most {MAX_LENGTH}"
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        return (
            f"invalid job name {shown!r}: use lower-case letters, digits and underscores, "
            f"starting with a letter (at most {MAX_LENGTH} characters), e.g. {EXAMPLE}"
        )
    if name in RESERVED:
        return f"job name {name!r} is reserved by kit; choose another name"
    return None


def validate_job_name(name: str) -> str:
    """``name`` unchanged when valid; ``JobNameError`` (one line with the fix) otherwise."""
    problem = job_name_problem(name)
    if problem:
        raise JobNameError(problem)
    return name


def is_job_name(name: str) -> bool:
    return job_name_problem(name) is None


def stack_name(env: str, job: str) -> str:
    """The CloudFormation stack of ``job`` in environment ``env`` (``kit-ENV-JOB``, ``_`` → ``-``)."""
    validate_job_name(job)
    name = re.sub(r"[^A-Za-z0-9-]", "-", f"kit-{env}-{job}")
    if len(name) > STACK_NAME_MAX:
        raise JobNameError(
            f"stack name {name[:30]!r}... exceeds CloudFormation's {STACK_NAME_MAX} characters; "
            "shorten the job or environment name"
        )
    return name
