"""``Job``: init/commit around a run, with job bookmarks kept in a local state folder."""

from __future__ import annotations

from typing import Any

from kit.runtime import bookmarks


class Job:
    """A Glue job run. ``init`` loads the bookmark named after the job; ``commit`` saves it."""

    @classmethod
    def continuation_options(cls) -> list[str]:
        return ["--continuation-option", "continuation-enabled", "continuation-readonly",
                "continuation-ignore"]

    @classmethod
    def job_bookmark_options(cls) -> list[str]:
        return ["--job-bookmark-option", "job-bookmark-enable", "job-bookmark-pause",
                "job-bookmark-disable"]

    @classmethod
    def job_bookmark_range_options(cls) -> list[str]:
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @classmethod
    def id_params(cls) -> list[str]:
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @classmethod
    def encryption_type_options(cls) -> list[str]:
        return ["--encryption-type", "sse-s3"]

    def __init__(self, glue_context_or_spark_session: Any) -> None:
        self._glue_context = glue_context_or_spark_session
        self._bookmark: bookmarks.JobBookmark | None = None

    def init(self, job_name: str, args: dict[str, Any] | None = None) -> None:
        """Start the run; the bookmark option comes from ``args['job_bookmark_option']``."""
        args = args or {}
        option = args.get("job_bookmark_option") or args.get("job-bookmark-option")
        if not option:
            from awsglue.utils import _global_args

            option = _global_args.get("job_bookmark_option")
        self._bookmark = bookmarks.JobBookmark(job_name, option or bookmarks.DISABLE)
        bookmarks.activate(self._bookmark)

    def isInitialized(self) -> bool:  # noqa: N802 - Glue's name
        return self._bookmark is not None

    def commit(self) -> None:
        """End the run: with ``job-bookmark-enable`` the files read become processed."""
        if self._bookmark is None:
            raise RuntimeError("Job.commit() called before Job.init(job_name, args)")
        self._bookmark.commit()
        bookmarks.activate(None)
