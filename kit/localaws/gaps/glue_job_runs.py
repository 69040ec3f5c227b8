"""Gap: a Glue job run in moto always succeeds and carries no ``ErrorMessage``.

To test how kit reports a failed run, :func:`fail_runs` makes a job's runs end ``FAILED`` with a
message (there is no HTTP API for it; the server's owner calls it in-process).
"""

from __future__ import annotations

from typing import Any

from moto.glue import models as glue_models

_FAILING: dict[tuple[str, str], str] = {}


def fail_runs(region: str, job_name: str, message: str) -> None:
    """Make ``job_name``'s runs end FAILED with ``message``; an empty message stops it."""
    if message:
        _FAILING[(region, job_name)] = message
    else:
        _FAILING.pop((region, job_name), None)


def install() -> None:
    original_status: Any = glue_models.FakeJobRun.status  # a property
    original_as_dict = glue_models.FakeJobRun.as_dict
    original_start = glue_models.FakeJob.start_job_run

    def status(self: Any) -> str:
        value = original_status.fget(self)
        failing = _FAILING.get((getattr(self, "_kit_region", ""), self.job_name))
        if failing and value == "SUCCEEDED":
            self.error_message = failing
            return "FAILED"
        return value

    def as_dict(self: Any) -> dict[str, Any]:
        data = original_as_dict(self)
        if getattr(self, "error_message", None):
            data["ErrorMessage"] = self.error_message
        return data

    def start_job_run(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id = original_start(self, *args, **kwargs)
        self.get_job_run(run_id)._kit_region = self.backend.region_name
        return run_id

    glue_models.FakeJobRun.status = property(status, original_status.fset)  # type: ignore[method-assign,assignment]
    glue_models.FakeJobRun.as_dict = as_dict  # type: ignore[method-assign]
    glue_models.FakeJob.start_job_run = start_job_run  # type: ignore[method-assign]
