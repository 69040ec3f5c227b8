"""One world for a job run: the job's AWS clients reach kit's local AWS, never real AWS by accident.

For ``kit run`` (and whatever runs a job locally) :func:`job_aws` yields the environment of the
job's process:

* **local** (the default): kit's local AWS, found running (``AWS_ENDPOINT_URL`` or the one
  recorded in the project's state folder by ``kit aws local`` or kept by kit) or started and
  kept for the project (:mod:`kit.localaws.background`; ``KIT_LOCAL_AWS_IDLE=0``: started for
  this run only). Its S3
  objects are the files Spark's ``s3://`` paths map to (``KIT_S3_ROOT``), so both see the same
  objects. Every ``AWS_*`` variable of the caller is dropped and the shared AWS config files
  are hidden, so credentials in the environment never reach the job (kit says so once). The
  fixtures of ``local/aws.toml`` are validated before anything starts, then loaded.
* **real** (``--aws real`` or a profile): the caller's AWS configuration, after printing the
  account id and region the run will reach.

Without moto installed there is no local AWS: the job's clients get no credentials at all.
Long-lived processes that run job code (the local kernel, Livy session workers, so ``kit run
--warm`` too) get the same environment from :func:`process_env`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kit.config import ProjectConfig
from kit.errors import LocalAwsError, RunError
from kit.localaws import fixtures as local_fixtures
from kit.localaws.moto_compat import EXTRA

MODES = ("local", "real")
STATE_FILE = "local-aws.json"
_CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def isolated_env(env: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """``env`` without any ``AWS_*`` variable, plus ``overrides`` (pure)."""
    return {**{k: v for k, v in env.items() if not k.startswith("AWS_")}, **overrides}


def local_client_env(endpoint: str, region: str, s3_root: str | None) -> dict[str, str]:
    """Variables that point every AWS SDK in a process at the local AWS and nowhere else."""
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "kit-local",
        "AWS_SECRET_ACCESS_KEY": "kit-local",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if s3_root:
        env["KIT_S3_ROOT"] = s3_root
    return env


def no_aws_env() -> dict[str, str]:
    """Variables that leave an AWS SDK without credentials (no local AWS, no opt-in)."""
    return {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true"}


def has_credentials(env: dict[str, str]) -> bool:
    """True when ``env`` (or the shared credentials file) would give an SDK real credentials."""
    if any(env.get(name) for name in _CREDENTIAL_VARS):
        return True
    shared = env.get("AWS_SHARED_CREDENTIALS_FILE") or str(Path.home() / ".aws" / "credentials")
    return shared != os.devnull and Path(shared).is_file()


def state_file(config: ProjectConfig) -> Path:
    """Where ``kit aws local`` records its endpoint for the project's runs to find it."""
    return config.state_dir / STATE_FILE


def find_running(config: ProjectConfig, environ: dict[str, str]) -> dict[str, Any] | None:
    """A kit local AWS already serving: ``AWS_ENDPOINT_URL``'s, else the one recorded."""
    from kit.localaws.server import probe

    candidates = [environ.get("AWS_ENDPOINT_URL", "")]
    try:
        candidates.append(json.loads(state_file(config).read_text(encoding="utf-8"))["endpoint"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for endpoint in filter(None, candidates):
        info = probe(endpoint)
        if info is not None:
            return {**info, "endpoint": endpoint}
    return None


@contextmanager
def job_aws(
    config: ProjectConfig,
    aws: str = "local",
    profile: str | None = None,
    echo: Callable[[str], None] = _stderr,
    environ: dict[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """The environment for a job's process (see the module docstring); a server started here
    stops when the block ends."""
    environ = dict(os.environ if environ is None else environ)
    if aws not in MODES:
        raise RunError(f"--aws {aws}: choose one of {', '.join(MODES)}")
    if aws == "real" or profile:
        yield _real(environ, profile, echo)
        return
    fixtures = local_fixtures.load(config.root, environ)  # bad input: one line, before the run
    found = find_running(config, environ)
    server = None
    profiles: dict[str, str] = {}
    if found is None:
        from kit.localaws import background
        from kit.localaws.server import start
        from kit.runtime import s3local

        idle = background.idle_seconds(environ)
        try:
            if idle:  # kept for the project: the next runs skip starting moto
                found = background.ensure(config, environ, idle)
            else:
                # moto's backends open boto3 sessions while serving: a user's profile must not
                # be in this process's environment then (the job's copy is already taken)
                profiles = {k: os.environ.pop(k) for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
                            if k in os.environ}
                server = start(0, s3_root=s3local.object_root(announce=False))  # the run says where
        except LocalAwsError:
            os.environ.update(profiles)
            if fixtures != local_fixtures.Fixtures():  # jobs that need them fail on their own
                echo(f"kit: {local_fixtures.FIXTURES.as_posix()} is not loaded: no local AWS")
            echo(f"kit: no local AWS ({EXTRA}): the job's AWS clients get no credentials; "
                 "pass --aws real to use your AWS account")
            yield isolated_env(environ, no_aws_env())
            return
        if server is not None:
            found = {"endpoint": server.endpoint, "region": server.region,
                     "s3_root": str(server.s3_root)}
    assert found is not None  # found running, kept for the project, or started for this run
    try:
        yield _use(found, fixtures, environ, echo)
    finally:
        if server is not None:
            server.stop()
            os.environ.update(profiles)


def _use(found: dict[str, Any], fixtures: local_fixtures.Fixtures, environ: dict[str, str],
         echo: Callable[[str], None], who: str = "the job's") -> dict[str, str]:
    """Say which local AWS ``who`` AWS clients use, load the fixtures, return the environment."""
    endpoint = found["endpoint"]
    aimed_here = environ.get("AWS_ENDPOINT_URL") == endpoint  # keys meant for this server
    if has_credentials(environ) and not aimed_here:
        echo(f"kit: AWS credentials in this environment are ignored: {who} AWS clients "
             f"use kit's local AWS at {endpoint} (pass --aws real to use them)")
    else:
        echo(f"kit: {who} AWS clients use kit's local AWS at {endpoint}"
             + (" (started for this project; `kit aws stop` stops it)"
                if found.get("started") else ""))
    if not found.get("s3_root"):
        echo(f"kit: the local AWS at {endpoint} keeps S3 in memory: Spark's s3:// paths "
             "do not see its objects")
    env = local_client_env(endpoint, found.get("region") or "us-east-1", found.get("s3_root"))
    for line in local_fixtures.apply(fixtures, local_clients(env)):
        echo(f"kit: local AWS: {line}")
    return isolated_env(environ, env)


def process_env(
    root: Path | None,
    environ: dict[str, str] | None = None,
    echo: Callable[[str], None] = _stderr,
    holder: int | None = None,
) -> dict[str, str]:
    """The environment of a long-lived local process that runs job code (the local kernel, a
    Livy session's worker): the same local AWS as ``kit run``, kept alive while process
    ``holder`` (default: this one) lives, the fixtures loaded, the caller's ``AWS_*`` dropped.

    ``KIT_AWS=real`` in ``environ`` opts in to the caller's AWS (announced with its account).
    Outside a kit project (``root`` None) there is no local AWS: no credentials at all.
    """
    from kit.config import load
    from kit.localaws import background

    environ = dict(os.environ if environ is None else environ)
    if environ.get("KIT_AWS", "local") == "real":
        return _real(environ, None, echo)
    if root is None:
        echo("kit: outside a kit project there is no local AWS: AWS clients get no credentials "
             "(set KIT_AWS=real to use your AWS account)")
        return isolated_env(environ, no_aws_env())
    config = load(root)
    fixtures = local_fixtures.load(config.root, environ)
    found = find_running(config, environ)
    if found is None:
        try:
            found = background.ensure(config, environ, background.idle_seconds(environ) or 60,
                                      wait=False)  # it loads the fixtures itself
            background.lease(config, holder or os.getpid())
            echo(f"kit: this process's AWS clients use kit's local AWS at {found['endpoint']} "
                 "(starting for this project; `kit aws stop` stops it)")
            return isolated_env(environ, local_client_env(
                found["endpoint"], found["region"], found["s3_root"]))
        except LocalAwsError as exc:
            echo(f"kit: no local AWS ({exc}): AWS clients get no credentials")
            return isolated_env(environ, no_aws_env())
    background.lease(config, holder or os.getpid())
    return _use(found, fixtures, environ, echo, who="this process's")


def local_clients(env: dict[str, str]) -> Callable[[str], Any]:
    """``client(service)``: boto3 clients on the local AWS that ``env`` points to."""
    import boto3
    import botocore.session

    # kit's own clients ignore this process's AWS_PROFILE / config files (maybe a real account's)
    isolated = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, os.devnull, None),
        "credentials_file": (None, None, os.devnull, None),
    })
    session = boto3.session.Session(botocore_session=isolated)

    def client(service: str) -> Any:
        return session.client(
            service, endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    return client


def _real(environ: dict[str, str], profile: str | None, echo: Callable[[str], None]) -> dict[str, str]:
    """The caller's AWS, announced with the account and region it reaches."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    env = dict(environ)
    if profile:
        env["AWS_PROFILE"] = profile
    try:
        session = boto3.Session(profile_name=profile)
        identity = session.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise RunError(f"--aws real: cannot identify the AWS account: {exc}") from exc
    region = session.region_name or "no region configured"
    echo(f"kit: this run reaches REAL AWS: account {identity['Account']}, region {region}")
    return env


def adopt(root: Path | None, echo: Callable[[str], None] = _stderr) -> None:
    """Point this process (and the processes it starts) at the project's local AWS: what the
    local kernel does when it starts. Bad fixtures are reported in one line, not fatal."""
    from kit.errors import KitError

    try:
        env = process_env(root, echo=echo)
    except KitError as exc:
        echo(f"kit: error: {exc}")
        env = isolated_env(dict(os.environ), no_aws_env())
    for name in [k for k in os.environ if k.startswith("AWS_") and k not in env]:
        del os.environ[name]
    os.environ.update(env)


def reload_fixtures(config: ProjectConfig, echo: Callable[[str], None] = _stderr) -> None:
    """Validate and load ``local/aws.toml`` into the project's running local AWS before a run
    in a resident process (``kit run --warm``); bad input stops the run with one line."""
    fixtures = local_fixtures.load(config.root)
    found = find_running(config, {})
    if found is None or fixtures == local_fixtures.Fixtures():
        return
    env = local_client_env(found["endpoint"], found.get("region") or "us-east-1", None)
    for line in local_fixtures.apply(fixtures, local_clients(env)):
        echo(f"kit: local AWS: {line}")
