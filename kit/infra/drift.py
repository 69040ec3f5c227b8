"""``kit diff``: is the deployed job still what the local export would deploy?

Compares the live script (the object the job's ``ScriptLocation`` points at, so a console edit
in S3 shows up) and the job's ``DefaultArguments`` with what ``kit deploy`` would set now from
the job's build (which must be fresh).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from kit import aws
from kit.config import ProjectConfig
from kit.errors import DriftFound, NotDeployed
from kit.infra import package
from kit.settings import Environment


@dataclass
class Drift:
    job: str
    job_name: str
    script_location: str
    script_diff: str = ""
    argument_changes: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.script_diff or self.argument_changes)

    def summary(self) -> str:
        parts = []
        if self.script_diff:
            parts.append(f"script {self.script_location} differs from the local export")
        if self.argument_changes:
            parts.append(f"{len(self.argument_changes)} DefaultArguments differ")
        return (
            f"{self.job_name} drifted: {' and '.join(parts)}; "
            f"run `kit deploy {self.job}` to restore it (or export the change into the notebook)"
        )


def diff_job(
    config: ProjectConfig, job: str, env: Environment, target: aws.AwsTarget
) -> Drift:
    """Compare the deployed job with the job's (fresh) build."""
    from kit.infra.bootstrap import buckets
    from kit.infra.deploy import Prepared, check_build, default_arguments

    build, deployment, _ = check_build(config, job, env, export_flag=False)
    local_script = build.script().decode("utf-8", errors="replace")
    glue = aws.client(target, "glue")
    try:
        live = glue.get_job(JobName=deployment.job_name)["Job"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "EntityNotFoundException":
            raise NotDeployed(
                f"job {deployment.job_name} is not deployed in {env.name}; "
                f"run `kit deploy {job} --env {env.name}`"
            ) from exc
        raise
    location = live["Command"]["ScriptLocation"]
    bucket, key = package.split_s3_uri(location)
    try:
        body = aws.client(target, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise DriftFound(
            f"{deployment.job_name}: its script {location} cannot be read ({code}); redeploy it"
        ) from exc
    live_script = body.decode("utf-8", errors="replace")
    label = config.relative(build.script_path)
    script_diff = "".join(
        difflib.unified_diff(
            local_script.splitlines(keepends=True),
            live_script.splitlines(keepends=True),
            fromfile=f"{label} (local export)",
            tofile=f"{location} (deployed)",
        )
    )
    if script_diff:
        from kit.adopt.record import is_pulled_original

        if is_pulled_original(config, job, env.name, body, local_script):
            script_diff = ""  # still the script `kit pull` adopted, and the notebook is unchanged
    scripts_bucket, temp_bucket = buckets(env, target)
    prepared = Prepared(
        job=job,
        deployment=deployment,
        script=local_script.encode("utf-8"),
        stack_template={},
        scripts_bucket=scripts_bucket,
        temp_bucket=temp_bucket,
    )
    expected = default_arguments(prepared)
    actual = live.get("DefaultArguments", {}) or {}
    changes = []
    for name in sorted(set(expected) | set(actual)):
        want, have = expected.get(name), actual.get(name)
        if want == have:
            continue
        if want is None:
            changes.append(f"argument {name}: deployed {have!r}, not in the local export")
        elif have is None:
            changes.append(f"argument {name}: missing from the deployed job (local {want!r})")
        else:
            changes.append(f"argument {name}: deployed {have!r}, local {want!r}")
    return Drift(job, deployment.job_name, location, script_diff, changes)
