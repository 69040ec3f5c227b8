"""Glue's special job parameters that configure the run itself, applied the way Glue applies them.

``--conf`` sets Spark configuration (several as ``k=v --conf k2=v2`` in one value, as the Glue
console writes them) and ``--extra-py-files`` puts comma-separated ``.py``/``.zip`` files on the
Python path. The arguments still reach the script's ``sys.argv`` untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import RunError

_CONF_SPLIT = re.compile(r"\s+--conf\s+")


@dataclass
class RunOptions:
    spark_conf: dict[str, str] = field(default_factory=dict)
    python_path: list[str] = field(default_factory=list)


# Glue's reserved arguments whose values Glue checks, with the values it accepts (AWS Glue
# developer guide, "Job parameters used by AWS Glue"). The booleans are "true"/"false".
_BOOLEAN = ("true", "false")
RESERVED_VALUES: dict[str, tuple[str, ...]] = {
    "job-bookmark-option": ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"),
    "job-language": ("python", "scala"),
    "enable-continuous-cloudwatch-log": _BOOLEAN,
    "enable-continuous-log-filter": _BOOLEAN,
    "enable-spark-ui": _BOOLEAN,
    "enable-job-insights": _BOOLEAN,
    "enable-observability-metrics": _BOOLEAN,
    "enable-auto-scaling": _BOOLEAN,
    "enable-glue-datacatalog": _BOOLEAN,
    "enable-s3-parquet-optimized-committer": _BOOLEAN,
    "enable-rename-algorithm-v2": _BOOLEAN,
}


def check_reserved(argv: list[str]) -> None:
    """Refuse a reserved argument with a value Glue would reject, before the run starts."""
    for name, allowed in RESERVED_VALUES.items():
        for value in values(argv, name):
            if value not in allowed:
                raise RunError(
                    f"--{name} {value!r} is not a value Glue accepts; use one of: {', '.join(allowed)}"
                )


def values(argv: list[str], name: str) -> list[str]:
    """Every value given for ``--name`` (as ``--name VALUE`` or ``--name=VALUE``), in order."""
    return _values(argv, name)


def _values(argv: list[str], name: str) -> list[str]:
    flag = f"--{name}"
    found = []
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            found.append(argv[i + 1])
        elif arg.startswith(flag + "="):
            found.append(arg.split("=", 1)[1])
    return found


def parse(argv: list[str], root: Path) -> RunOptions:
    """Spark conf and extra Python paths asked for by ``argv``; one-line errors for bad values."""
    from kit.runtime import s3local

    options = RunOptions()
    for value in _values(argv, "conf"):
        for pair in _CONF_SPLIT.split(value.strip()):
            key, sep, conf_value = pair.partition("=")
            if not sep or not key.strip():
                raise RunError(f"--conf {pair!r}: expected key=value, e.g. --conf spark.sql.shuffle.partitions=8")
            options.spark_conf[key.strip()] = conf_value.strip()
    for value in _values(argv, "extra-py-files"):
        for item in filter(None, (p.strip() for p in value.split(","))):
            local = Path(s3local.to_local(item))
            if not local.is_absolute():
                local = root / local
            if not local.exists():
                raise RunError(f"--extra-py-files: {item} not found (looked at {local}); fix the path")
            options.python_path.append(str(local.parent if local.suffix == ".py" else local))
    return options
