"""pytest fixtures for jobs that call AWS (entry point ``pytest11``): the same local AWS as ``kit run``.

``local_aws`` (session): kit's local AWS with its S3 objects in a temporary object root, the
process's ``AWS_*`` variables pointed at it for the session (real credentials dropped) and
``KIT_S3_ROOT`` set so Spark's ``s3://`` paths and boto3 share it, with the project's
``local/aws.toml`` loaded. A job run in the test (in process, or a ``kit run`` subprocess that
inherits the environment) uses the same local AWS.

``aws_messages`` (function): ``aws_messages("queue")`` drains a local SQS queue and returns the
message bodies, SNS notifications unwrapped to the published ``Message``: what a job published
to a topic subscribed by that queue. Importing this plugin does not import moto.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Any]:
    """kit's local AWS for the test session (a :class:`kit.localaws.LocalAws`)."""
    from kit.localaws import fixtures, jobrun
    from kit.localaws.server import start

    loaded = fixtures.load(pytestconfig.rootpath)
    s3_root = tmp_path_factory.mktemp("kit-s3")
    patch = pytest.MonkeyPatch()
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        patch.delenv(name)
    server = start(s3_root=s3_root)
    try:
        env = jobrun.local_client_env(server.endpoint, server.region, str(s3_root))
        for name, value in env.items():
            patch.setenv(name, value)
        fixtures.apply(loaded, jobrun.local_clients(env))
        yield server
    finally:
        patch.undo()
        server.stop()


@pytest.fixture
def aws_messages(local_aws: Any) -> Callable[[str], list[str]]:
    """``aws_messages(queue_name)``: every message waiting in the queue (removed from it),
    SNS envelopes unwrapped to the published message."""
    import boto3

    def drain(queue_name: str) -> list[str]:
        sqs = boto3.client("sqs", endpoint_url=local_aws.endpoint, region_name=local_aws.region)
        url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        bodies: list[str] = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return bodies
            for message in batch:
                bodies.append(_unwrap(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return drain


def _unwrap(body: str) -> str:
    """An SNS notification's ``Message`` (a queue subscribed without raw delivery), else body."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return body
    if isinstance(envelope, dict) and envelope.get("Type") == "Notification":
        return str(envelope.get("Message", ""))
    return body
