"""Glue layer tests: the shared Spark session plus kit's glue_context fixture."""

from __future__ import annotations

import pytest

from kit.testing.glue import glue_context  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """Each test gets its own S3 root and bookmark folder."""
    monkeypatch.setenv("KIT_S3_ROOT", str(tmp_path / "s3"))
    monkeypatch.setenv("KIT_BOOKMARK_DIR", str(tmp_path / "bookmarks"))
    from kit.runtime import bookmarks

    bookmarks.activate(None)
    yield
    bookmarks.activate(None)


@pytest.fixture
def run_script(tmp_path, request, monkeypatch):
    """Run Glue script source in-process as ``python script.py ARGS...`` (shared Spark)."""
    import runpy
    import sys
    import textwrap

    request.getfixturevalue("glue_context")  # the shared SparkContext the script picks up
    counter = iter(range(1000))

    def run(source: str, *argv: str) -> dict:
        path = tmp_path / f"glue_script_{next(counter)}.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.setattr(sys, "argv", [str(path), *argv])
        return runpy.run_path(str(path), run_name="__main__")

    return run
