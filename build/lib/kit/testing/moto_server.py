"""A local AWS for tests: moto in server mode on 127.0.0.1, plus the harness closing its gaps.

Code under test talks to the server over HTTP only (boto3 with ``endpoint_url``, the AWS CLI
with ``AWS_ENDPOINT_URL``). The server runs in this process's threads, which lets the harness
register what moto 5.2.5 lacks on its CloudFormation:

* ``AWS::Glue::Job`` and ``AWS::Glue::Trigger`` resources, created on moto's Glue backend (moto's
  CloudFormation otherwise creates no Glue resources at all);
* in-place updates of nested stacks, as CloudFormation does (moto deletes and recreates the
  nested stack, so a failing update would lose the job instead of leaving it as it was), undone
  when they fail;
* ``!GetAtt Nested.Outputs.X``, stack outputs after a change set, the S3 bucket properties and
  IAM managed policies that moto's CloudFormation ignores, and ``CommaDelimitedList`` parameter
  values in DescribeStacks as CloudFormation returns them (``a,b``, not a Python list).

It also offers test-only controls that have no HTTP API: staging Glue job runs and failing one.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

import requests

LOCAL_REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


@dataclass
class MotoServer:
    """A running moto server; ``endpoint`` is ``http://localhost:PORT`` (moto's path-style form)."""

    endpoint: str
    _server: Any

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Forget every resource (POST /moto-api/reset)."""
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=30).raise_for_status()

    def stage_job_runs(self, polls: int) -> None:
        """Keep new Glue job runs STARTING/RUNNING for ``polls`` reads of each state."""
        body = {"model_name": "glue::job_run", "transition": {"progression": "manual", "times": polls}}
        requests.post(
            f"{self.endpoint}/moto-api/state-manager/set-transition", json=body, timeout=30
        ).raise_for_status()

    def unstage_job_runs(self) -> None:
        requests.post(
            f"{self.endpoint}/moto-api/state-manager/unset-transition",
            json={"model_name": "glue::job_run"},
            timeout=30,
        ).raise_for_status()

    def fail_job_runs(self, job_name: str, message: str, region: str = LOCAL_REGION) -> None:
        """Make the job's runs end FAILED with ``message`` (no HTTP API for it); "" stops it."""
        if message:
            _FAILING_RUNS[(region, job_name)] = message
        else:
            _FAILING_RUNS.pop((region, job_name), None)


_FAILING_RUNS: dict[tuple[str, str], str] = {}


def start(port: int = 0) -> MotoServer:
    """Start moto on 127.0.0.1 (a free port by default) with the harness installed."""
    from moto.server import ThreadedMotoServer

    install_harness()
    # AWS managed policies (AWSGlueServiceRole) exist in the local IAM, as in an account
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    return MotoServer(endpoint=f"http://localhost:{bound}", _server=server)


_INSTALLED = False


def install_harness() -> None:
    """Register the Glue resource types and in-place nested stack updates on moto's CloudFormation."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation import parsing
    from moto.glue import models as glue_models

    _define_models()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    original_status = glue_models.FakeJobRun.status

    def status(self: Any) -> str:
        value = original_status.fget(self)
        failing = _FAILING_RUNS.get((self._kit_region, self.job_name)) if hasattr(
            self, "_kit_region"
        ) else None
        if failing and value == "SUCCEEDED":
            self.error_message = failing
            return "FAILED"
        return value

    glue_models.FakeJobRun.status = property(status, original_status.fset)
    original_as_dict = glue_models.FakeJobRun.as_dict

    def as_dict(self: Any) -> dict[str, Any]:
        data = original_as_dict(self)
        if getattr(self, "error_message", None):
            data["ErrorMessage"] = self.error_message
        return data

    glue_models.FakeJobRun.as_dict = as_dict
    original_start = glue_models.FakeJob.start_job_run

    def start_job_run(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id = original_start(self, *args, **kwargs)
        run = self.get_job_run(run_id)
        run._kit_region = self.backend.region_name
        return run_id

    glue_models.FakeJob.start_job_run = start_job_run

    from moto.cloudformation import models as cfn_models

    original_execute = cfn_models.CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        # moto keeps the outputs of the template the stack had before (none, for a new stack)
        original_execute(self, change_set_name, stack_name)
        for stack in self.stacks.values():
            if stack.name == stack_name or stack.stack_id == stack_name:
                stack._parse_template()
                stack.output_map = stack._create_output_map()

    cfn_models.CloudFormationBackend.execute_change_set = execute_change_set

    def get_cfn_attribute(self: Any, attribute: str) -> Any:
        # !GetAtt NestedStack.Outputs.X (moto has no attributes on nested stacks at all)
        if attribute.startswith("Outputs."):
            output = self.output_map[attribute.split(".", 1)[1]]
            if output is not None:
                return output.value
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    cfn_models.Stack.get_cfn_attribute = get_cfn_attribute

    def parameter_list(self: Any) -> list[dict[str, Any]]:
        # DescribeStacks returns a CommaDelimitedList as given ("a,b"), moto its Python repr
        hidden = self.resource_map.no_echo_parameter_keys
        return [
            {"ParameterKey": k, "ParameterValue": "****" if k in hidden else _param(v)}
            for k, v in self.resource_map.resolved_parameters.items()
        ]

    cfn_models.Stack.parameter_list = property(parameter_list)
    _complete_bucket_properties()
    _attach_managed_policies()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _INSTALLED = True


def _attach_managed_policies() -> None:
    """moto's AWS::IAM::Role ignores ManagedPolicyArns; attach them as IAM would."""
    from moto.iam.models import Role, iam_backends
    from moto.utilities.utils import get_partition

    original = Role.create_from_cloudformation_json.__func__

    def create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
               region_name: str, **kwargs: Any) -> Any:
        role = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        backend = iam_backends[account_id][get_partition(region_name)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []):
            backend.attach_role_policy(arn, role.name)
        return role

    Role.create_from_cloudformation_json = classmethod(create)


def _complete_bucket_properties() -> None:
    """moto's AWS::S3::Bucket applies only encryption and tags; apply versioning and the rest."""
    from moto.s3.models import FakeBucket, s3_backends
    from moto.utilities.utils import get_partition

    original = FakeBucket.create_from_cloudformation_json.__func__

    def create(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str,
               region_name: str, **kwargs: Any) -> Any:
        bucket = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        props = cloudformation_json.get("Properties", {})
        backend = s3_backends[account_id][get_partition(region_name)]
        versioning = props.get("VersioningConfiguration")
        if versioning:
            backend.put_bucket_versioning(resource_name, versioning["Status"])
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            backend.put_public_access_block(resource_name, block)
        ownership = props.get("OwnershipControls")
        if ownership:
            backend.put_bucket_ownership_controls(resource_name, ownership["Rules"][0]["ObjectOwnership"])
        return bucket

    FakeBucket.create_from_cloudformation_json = classmethod(create)


def _define_models() -> None:
    """Define the CloudFormationModel subclasses (moto finds models via ``__subclasses__``)."""
    from moto.cloudformation.models import cloudformation_backends
    from moto.cloudformation.utils import get_stack_from_s3_url
    from moto.core.common_models import CloudFormationModel
    from moto.glue.models import glue_backends
    from moto.glue.utils import Action
    from moto.utilities.utils import get_partition

    class GlueJob(CloudFormationModel):
        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def physical_resource_id(self) -> str:
            return self.name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Glue::Job"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any,
        ) -> Any:
            backend = glue_backends[account_id][region_name]
            if resource_name in backend.jobs:
                raise _cfn_error(f"Job {resource_name} already exists")
            _put_job(backend, resource_name, cloudformation_json["Properties"])
            return cls(resource_name)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[override]
            cls, original_resource: Any, new_resource_name: str,
            cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        ) -> Any:
            backend = glue_backends[account_id][region_name]
            props = cloudformation_json["Properties"]
            if new_resource_name != original_resource.name:
                if new_resource_name in backend.jobs:
                    raise _cfn_error(f"Job {new_resource_name} already exists")
                _put_job(backend, new_resource_name, props)
                backend.delete_job(original_resource.name)
            else:
                _put_job(backend, new_resource_name, props)
            return cls(new_resource_name)

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str,
        ) -> None:
            glue_backends[account_id][region_name].delete_job(resource_name)

    class GlueTrigger(CloudFormationModel):
        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def physical_resource_id(self) -> str:
            return self.name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Glue::Trigger"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any,
        ) -> Any:
            props = cloudformation_json["Properties"]
            glue_backends[account_id][region_name].create_trigger(
                name=resource_name,
                workflow_name=props.get("WorkflowName"),
                trigger_type=props["Type"],
                schedule=props.get("Schedule"),
                predicate=None,
                actions=[Action(a) for a in props.get("Actions", [])],
                description=props.get("Description"),
                start_on_creation=_bool(props.get("StartOnCreation", False)),
                tags={},
                event_batching_condition=None,
            )
            return cls(resource_name)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[override]
            cls, original_resource: Any, new_resource_name: str,
            cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        ) -> Any:
            glue_backends[account_id][region_name].delete_trigger(original_resource.name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str,
        ) -> None:
            glue_backends[account_id][region_name].delete_trigger(resource_name)

    class NestedStack(CloudFormationModel):
        """Nested stacks as moto makes them, but updated in place like CloudFormation does."""

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CloudFormation::Stack"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any,
        ) -> Any:
            from moto.cloudformation.models import Stack

            return Stack.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[override]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
            account_id: str, region_name: str,
        ) -> Any:
            props = cloudformation_json["Properties"]
            template = get_stack_from_s3_url(
                props["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
            )
            params = {k: _param(v) for k, v in props.get("Parameters", {}).items()}
            saved = _snapshot(original_resource), _snapshot(original_resource.resource_map)
            try:
                original_resource.update(template, parameters=params)
            except Exception:
                # CloudFormation rolls a failed update back: restore the nested stack as it was
                for obj, state in zip((original_resource, original_resource.resource_map), saved,
                                      strict=True):
                    obj.__dict__.clear()
                    obj.__dict__.update(state)
                raise
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str,
        ) -> None:
            cloudformation_backends[account_id][region_name].delete_stack(resource_name)

    del GlueJob, GlueTrigger, NestedStack  # registered through __subclasses__


def _put_job(backend: Any, name: str, props: dict[str, Any]) -> None:
    """Create or replace the Glue job from CloudFormation properties, validated as Glue does."""
    arguments = props.get("DefaultArguments") or {}
    if isinstance(arguments, str):  # CloudFormation parses JSON strings for Json properties
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as exc:
            raise _cfn_error(f"Property DefaultArguments is not valid JSON: {exc}") from exc
    connections = props.get("Connections") or None
    if connections:
        missing = [c for c in connections.get("Connections", []) if c not in backend.connections]
        if missing:
            raise _cfn_error(f"Connection {missing[0]} not found (Service: Glue)")
    command = dict(props["Command"])
    backend.jobs.pop(name, None)
    backend.create_job(
        name=name,
        role=props["Role"],
        command=command,
        description=props.get("Description"),
        log_uri=props.get("LogUri"),
        execution_property=_ints(props.get("ExecutionProperty")),
        default_arguments={str(k): str(v) for k, v in arguments.items()},
        non_overridable_arguments=props.get("NonOverridableArguments"),
        connections=connections,
        max_retries=_int(props.get("MaxRetries")),
        allocated_capacity=None,
        timeout=_int(props.get("Timeout")),
        max_capacity=None,
        security_configuration=props.get("SecurityConfiguration"),
        tags={},
        notification_property=None,
        glue_version=props.get("GlueVersion"),
        number_of_workers=_int(props.get("NumberOfWorkers")),
        worker_type=props.get("WorkerType"),
        code_gen_configuration_nodes=None,
        execution_class=None,
        source_control_details=None,
    )


def _cfn_error(message: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(message=message)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {k: copy.copy(v) if isinstance(v, dict | list) else v for k, v in obj.__dict__.items()}


def _param(value: Any) -> Any:
    return ",".join(value) if isinstance(value, list) else value


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _ints(value: Any) -> dict[str, int] | None:
    return None if not value else {k: int(v) for k, v in value.items()}


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def main(argv: list[str] | None = None) -> None:
    """``python -m kit.testing.moto_server [PORT]``: a local AWS until Ctrl-C (for trying kit)."""
    import sys
    import time
    import warnings

    warnings.simplefilter("ignore")
    args = sys.argv[1:] if argv is None else argv
    server = start(int(args[0]) if args else 5000)
    print(f"local AWS (moto) at {server.endpoint}; export AWS_ENDPOINT_URL={server.endpoint}",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    from kit.testing.moto_server import main as _main  # models must live in the named module

    _main()
