"""Session-wide test setup for the whole repository (tests/ and the nbval run of notebooks/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register kit's local Glue kernel for this test session only (nbval runs notebooks on it).

    It goes into a temporary Jupyter prefix searched first, so the run changes nothing in the
    user's or the virtualenv's Jupyter folders.
    """
    import os
    import tempfile

    from kit.runtime import kernel

    prefix = Path(tempfile.mkdtemp(prefix="kit-test-jupyter-"))
    kernel.install(prefix=prefix)
    data = prefix / "share" / "jupyter"
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(data), os.environ.get("JUPYTER_PATH", "")) if p
    )
    config._kit_jupyter_prefix = prefix  # type: ignore[attr-defined]
    # a kit run in a test starts its own local AWS and stops it (tests that keep one opt in)
    os.environ.setdefault("KIT_LOCAL_AWS_IDLE", "0")


def pytest_unconfigure(config: pytest.Config) -> None:
    prefix = getattr(config, "_kit_jupyter_prefix", None)
    if prefix is not None:
        shutil.rmtree(prefix, ignore_errors=True)


# Notebooks whose cells need kit's local AWS and a running `kit db local` (nbval starts neither).
# Their job runs end to end in tests/jobs/test_<name>_run.py (kit run, kit itest) instead.
NEEDS_LOCAL_SERVICES = {"orders_to_redshift.ipynb"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="needs kit aws local + kit db local; see tests/jobs/*_run.py")
    for item in items:
        if Path(str(item.fspath)).name in NEEDS_LOCAL_SERVICES:
            item.add_marker(skip)
