"""Where a job's code runs and what it starts there: the one bootstrap every job calls.

A job's bootstrap cell declares ``JOB_ARGS`` and calls ``start(JOB_ARGS, "name")``. This module is
standard-library only and self-contained on purpose: ``kit export`` pastes its source into the
Glue script in place of ``from kit.bootstrap import start`` (and ``kit endpoint session`` ships
it to an interactive session), so nothing of kit has to exist on AWS. Keep it that way: no
``from __future__`` (the source lands mid-script), no third-party or kit imports at module level.

Run modes:
  glue_job  - ``--JOB_NAME`` in ``sys.argv`` (a Glue job run, ``kit run``): getResolvedOptions for
              JOB_NAME and every declared argument given, GlueContext, Job.init
  endpoint  - ``awsglue`` importable without ``--JOB_NAME`` (a dev endpoint, an interactive session,
              kit's local kernel or endpoint): GlueContext on the running SparkContext, no Job;
              Spark conf ``spark.kit.arg.NAME`` overrides a default
  local     - ``import awsglue`` raises ModuleNotFoundError: a plain local SparkSession
  test      - ``ENV=test``: nothing starts (unit tests import the job's functions)
"""

import os
import sys
from typing import Any, NamedTuple

RUN_MODES = ("glue_job", "endpoint", "local", "test")
ARG_CONF_PREFIX = "spark.kit.arg."  # a session's Spark conf key that overrides a local default


class Bootstrap(NamedTuple):
    """What ``start`` gives a job: ``RUN_MODE, args, spark, glue_context, job = start(...)``."""

    run_mode: str
    args: dict
    spark: Any
    glue_context: Any
    job: Any


def run_mode(argv=None, environ=None) -> str:
    """The run mode for this process; only "awsglue is not installed" means local."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if environ.get("ENV") == "test":
        return "test"
    if _given("JOB_NAME", argv):
        return "glue_job"
    try:
        import awsglue  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "awsglue":  # Glue is there but broken: let that surface
            raise
        return "local"
    return "endpoint"


def project_root(start=None) -> str:
    """The folder with ``jupytext.toml`` at or above ``start`` (default: the working folder).

    Local defaults (``data/...``) are relative to it; outside a project, the working folder.
    """
    here = os.path.abspath(start or os.getcwd())
    while not os.path.exists(os.path.join(here, "jupytext.toml")):
        if os.path.dirname(here) == here:
            return os.getcwd()
        here = os.path.dirname(here)
    return here


def start(job_args, app_name="kit-job", argv=None, environ=None) -> Bootstrap:
    """Start what this run mode needs and resolve the job's arguments from ``job_args`` defaults.

    In ``local`` and ``endpoint`` modes the process moves to the project root, so relative
    defaults work from a notebook whose kernel starts in ``notebooks/``.
    """
    argv = sys.argv if argv is None else argv
    mode = run_mode(argv, environ)
    args = dict(job_args)
    spark = glue_context = job = None
    if mode == "glue_job":
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.utils import getResolvedOptions
        from pyspark.context import SparkContext

        wanted = ["JOB_NAME"] + [k for k in job_args if _given(k, argv)]
        args.update(getResolvedOptions(argv, wanted))
        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        job = Job(glue_context)
        job.init(args["JOB_NAME"], args)
    elif mode == "endpoint":
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext

        os.chdir(project_root())
        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        # Off this machine the local defaults do not exist: a session's Spark conf
        # (sparkmagic %%configure, interactive sessions %spark_conf) can set spark.kit.arg.NAME.
        conf = dict(spark.sparkContext.getConf().getAll())
        args.update({k: conf[ARG_CONF_PREFIX + k] for k in job_args if ARG_CONF_PREFIX + k in conf})
    elif mode == "local":
        from pyspark.sql import SparkSession

        os.chdir(project_root())  # notebooks start in notebooks/
        spark = SparkSession.builder.appName(app_name).getOrCreate()
    return Bootstrap(mode, args, spark, glue_context, job)


def _given(name, argv) -> bool:
    return any(a == f"--{name}" or a.startswith(f"--{name}=") for a in argv)
