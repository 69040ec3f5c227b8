"""Integration checks run by `kit itest JOB` on a deployed job's output, not by a plain pytest run."""

import os

collect_ignore_glob = [] if os.environ.get("KIT_ITEST_JOB") else ["test_*.py"]
