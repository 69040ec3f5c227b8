"""Click commands for deployment: bootstrap, deploy, diff, validate, itest (thin over kit.infra)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kit import aws, cliparams
from kit import config as kit_config
from kit.errors import KitError

_ENV_HELP = "Environment from [tool.kit.environments.NAME]; dev, test and prod always exist."


def target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--env, --endpoint-url, --profile, --region (CLI values win over the environment's)."""
    for option in reversed(
        [
            click.option("--env", "env_name", default="dev", show_default=True, help=_ENV_HELP),
            click.option("--endpoint-url", default=None, type=cliparams.URL, help="AWS endpoint (e.g. a local AWS)."),
            click.option("--profile", default=None, help="AWS named profile."),
            click.option("--region", default=None, help="AWS region."),
        ]
    ):
        func = option(func)
    return func


class AwsCommand(click.Command):
    """Turns AWS client failures (credentials, profile, endpoint, access) into one-line errors."""

    def invoke(self, ctx: click.Context) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return super().invoke(ctx)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise KitError(
                f"AWS refused {exc.operation_name}: {error.get('Code', '')}: "
                f"{' '.join(str(error.get('Message', '')).split())}"
            ) from exc
        except BotoCoreError as exc:
            raise KitError(
                f"{' '.join(str(exc).split())}; check --profile/--region/--endpoint-url "
                "and your AWS credentials"
            ) from exc


def _resolve(env_name: str, endpoint_url: str | None, profile: str | None, region: str | None):
    from kit.settings import environment

    cfg = kit_config.load()
    env = environment(cfg, env_name)
    target = aws.resolve_target(
        env.as_target_settings(), endpoint_url=endpoint_url, profile=profile, region=region
    )
    return cfg, env, target


def _progress(event: dict[str, Any]) -> None:
    from kit.infra.cfn import format_event

    click.echo(format_event(event), err=True)


def _print_outputs(outputs: dict[str, str]) -> None:
    for key, value in sorted(outputs.items()):
        click.echo(f"  {key}: {value}")


@click.command(cls=AwsCommand)
@target_options
def bootstrap(env_name: str, endpoint_url: str | None, profile: str | None, region: str | None):
    """Create the environment's scripts and temp buckets (stack kit-ENV-bootstrap)."""
    from kit.infra.bootstrap import bootstrap as run_bootstrap

    cfg, env, target = _resolve(env_name, endpoint_url, profile, region)
    click.echo(f"bootstrapping {env.name} ({env.bootstrap_stack}, {target.region})", err=True)
    result = run_bootstrap(cfg, env, target, on_event=_progress)
    for path in result.written:
        click.echo(f"wrote {path}")
    click.echo(f"{env.bootstrap_stack}: {'deployed' if result.changed else 'no changes'}")
    _print_outputs(result.outputs)


@click.command(cls=AwsCommand)
@click.argument("jobs", nargs=-1)
@click.option("--all", "all_jobs", is_flag=True,
              help="Deploy every job, the catalog stack and every pipeline of the project.")
@click.option("--pipeline", "pipelines", multiple=True, metavar="NAME",
              help="Deploy a pipeline: its jobs, the catalog stack when they use its tables, "
                   "then its workflow stack (repeatable).")
@click.option("--catalog", "catalog", is_flag=True,
              help="Deploy the catalog stack (build/_catalog: databases and tables).")
@click.option("--export", "export_first", is_flag=True,
              help="Export the job(s) first (a stale build is refused otherwise).")
@target_options
@click.pass_context
def deploy(
    ctx: click.Context,
    jobs: tuple[str, ...],
    all_jobs: bool,
    pipelines: tuple[str, ...],
    catalog: bool,
    export_first: bool,
    env_name: str,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
):
    """Upload and deploy JOB(s)' builds to an environment via a change set.

    A build that no longer matches its notebook or settings is refused; --export exports it
    first (after checking credentials, so a failing deploy writes nothing). --pipeline NAME
    deploys a pipeline's jobs, then its Glue workflow and triggers; --catalog the catalog stack.
    """
    from kit.infra import catalogstack, pipelinestack
    from kit.infra.deploy import check_build, preflight
    from kit.infra.deploy import deploy as run_deploy

    cfg, env, target = _resolve(env_name, endpoint_url, profile, region)
    names = cfg.job_names() if all_jobs else list(jobs)
    if all_jobs:
        from kit.pipelines.model import pipeline_names

        pipelines = tuple(pipeline_names(cfg))
    pipeline_jobs: list[str] = []
    for name in pipelines:  # its build names the jobs (the declaration does when exporting)
        if export_first:
            from kit.pipelines.model import load_pipeline

            pipeline_jobs += load_pipeline(cfg, name).jobs
        else:
            from kit.pipelines.build import PipelineBuild

            pipeline_jobs += PipelineBuild.load(cfg, name).jobs
    names += [j for j in dict.fromkeys(pipeline_jobs) if j not in names]
    with_catalog = catalog or (all_jobs and catalogstack.has_catalog(cfg))
    if not names and not with_catalog:
        raise KitError("nothing to deploy; name a job, or use --pipeline, --catalog or --all")
    if export_first:
        preflight(target)
        export_command = ctx.find_root().command.get_command(ctx, "export")  # type: ignore[attr-defined]
        if names:
            ctx.invoke(export_command, targets=tuple(names), all_jobs=all_jobs, check=False,
                       force=False)
        if (catalog or pipelines) and not all_jobs and catalogstack.has_catalog(cfg):
            from kit.catalog import declaration
            from kit.catalog import stack as catalog_stack

            path = catalog_stack.export(declaration.load_all(cfg.root), cfg.build_dir, root=cfg.root)
            click.echo(f"wrote {cfg.relative(path)}")
    for job in names:  # every build fresh and every setting valid before the first AWS call
        _, deployment, _ = check_build(cfg, job, env)
        pipelinestack.check_job_schedule(cfg, job, deployment.schedule, env)
    for name in pipelines:
        pipelinestack.check(cfg, name, env)
    if pipelines and not with_catalog:  # the pipeline's jobs read or write declared tables
        with_catalog = catalogstack.needed_by(cfg, pipeline_jobs)
    if with_catalog:
        catalogstack.check(cfg, env)
        click.echo(f"deploying the catalog to {env.name}", err=True)
        cat = catalogstack.deploy(cfg, env, target, on_event=_progress)
        tables = sum(len(t) for t in cat.databases.values())
        state = "deployed" if cat.changed else "no changes"
        click.echo(f"{cat.stack_name}: {state} ({len(cat.databases)} database(s), {tables} table(s))")
    failed: list[str] = []
    for job in names:
        click.echo(f"deploying {job} to {env.name}", err=True)
        try:
            report = run_deploy(cfg, job, env, target, on_event=_progress)
        except KitError as exc:
            if len(names) == 1 and not pipelines:
                raise
            click.echo(f"kit: error: {exc}", err=True)
            failed.append(job)
            continue
        if report.changed:
            click.echo(f"{report.stack_name}: deployed {report.job_name} ({report.script_uri})")
        else:
            click.echo(f"{report.stack_name}: no changes")
        _print_outputs(report.outputs)
    for name in pipelines:
        if failed:
            raise KitError(f"{len(failed)} job deploy(s) failed ({', '.join(failed)}); "
                           f"pipeline {name} was not deployed")
        click.echo(f"deploying pipeline {name} to {env.name}", err=True)
        done = pipelinestack.deploy(cfg, name, env, target, on_event=_progress)
        state = f"deployed workflow {done.workflow}" if done.changed else "no changes"
        click.echo(f"{done.stack_name}: {state}")
        _print_outputs(done.outputs)
    if failed:
        raise KitError(f"{len(failed)} of {len(names)} deploy(s) failed: {', '.join(failed)}")


@click.command(cls=AwsCommand)
@click.argument("job", required=False)
@click.option("--pipeline", default=None, metavar="NAME",
              help="Compare the deployed workflow's triggers and run properties instead.")
@target_options
def diff(job: str | None, pipeline: str | None, env_name: str, endpoint_url: str | None,
         profile: str | None, region: str | None):
    """Compare the deployed job (live script and DefaultArguments) with the job's build (exit 3
    when they differ)."""
    from kit.infra.drift import DriftFound, diff_job

    cfg, env, target = _resolve(env_name, endpoint_url, profile, region)
    if pipeline:
        from kit.infra.pipelinestack import diff as diff_pipeline

        lines = diff_pipeline(cfg, pipeline, env, target)
        for line in lines:
            click.echo(line)
        if lines:
            raise DriftFound(f"workflow {env.name_prefix}{pipeline}: {len(lines)} difference(s) "
                             "with the pipeline's build; kit deploy --pipeline updates it")
        click.echo(f"{env.name_prefix}{pipeline}: deployed workflow matches the pipeline's build")
        return
    if not job:
        raise click.UsageError("name a job, or --pipeline NAME")
    drift = diff_job(cfg, job, env, target)
    if drift.script_diff:
        click.echo(drift.script_diff, nl=False)
    for line in drift.argument_changes:
        click.echo(line)
    if drift.drifted:
        raise DriftFound(drift.summary())
    click.echo(f"{drift.job_name}: deployed job matches the local export")


@click.command()
def validate():
    """Lint infra/ and every build's stack with cfn-lint; check every job in every environment."""
    from kit.infra.validate import validate as run_validate

    report = run_validate(kit_config.load())
    for line in report.findings:
        click.echo(line)
    report.raise_for_findings()
    click.echo(f"{len(report.templates)} template(s) valid")


@click.command(cls=AwsCommand)
@click.argument("job")
@click.option("--timeout", default=3600, show_default=True, help="Seconds to wait for the run.")
@click.option("--poll", default=10.0, show_default=True, help="Seconds between run status checks.")
@target_options
def itest(
    job: str,
    timeout: int,
    poll: float,
    env_name: str,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
):
    """Upload sample data, run the deployed job, wait, then run tests/integration/test_JOB.py."""
    from kit.infra.itest import run_itest

    cfg, env, target = _resolve(env_name, endpoint_url, profile, region)
    result = run_itest(
        cfg, job, env, target, timeout=timeout, poll_seconds=poll,
        echo=lambda m: click.echo(m, err=True),
    )
    click.echo(f"{result.job_name}: run {result.run_id} {result.state}; checks passed")


COMMANDS = [bootstrap, deploy, diff, validate, itest]
