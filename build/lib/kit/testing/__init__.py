"""pytest support for Glue jobs: fixtures, job-module import, DataFrame assertions."""

from kit.testing.jobs import import_job

__all__ = ["import_job"]
