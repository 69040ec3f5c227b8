"""Gap: moto's CloudFormation creates no ``AWS::Glue::Job``; create it on moto's Glue backend.

Properties are validated as Glue does where kit relies on it: ``DefaultArguments`` may be a
JSON string (CloudFormation parses Json-typed properties), and every connection must exist.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from kit.localaws.gaps.named_resource import NamedResource, as_int, cfn_error


class GlueJob(NamedResource, CloudFormationModel):
    resource_type = "AWS::Glue::Job"

    @classmethod
    def put(cls, backend: Any, name: str, props: dict[str, Any], replace: bool) -> None:
        if not replace and name in backend.jobs:
            raise cfn_error(f"Job {name} already exists")
        arguments = props.get("DefaultArguments") or {}
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError as exc:
                raise cfn_error(f"Property DefaultArguments is not valid JSON: {exc}") from exc
        connections = props.get("Connections") or None
        if connections:
            missing = [c for c in connections.get("Connections", []) if c not in backend.connections]
            if missing:
                raise cfn_error(f"Connection {missing[0]} not found (Service: Glue)")
        execution = props.get("ExecutionProperty")
        backend.jobs.pop(name, None)
        backend.create_job(
            name=name,
            role=props["Role"],
            command=dict(props["Command"]),
            description=props.get("Description"),
            log_uri=props.get("LogUri"),
            execution_property={k: int(v) for k, v in execution.items()} if execution else None,
            default_arguments={str(k): str(v) for k, v in arguments.items()},
            non_overridable_arguments=props.get("NonOverridableArguments"),
            connections=connections,
            max_retries=as_int(props.get("MaxRetries")),
            allocated_capacity=None,
            timeout=as_int(props.get("Timeout")),
            max_capacity=None,
            security_configuration=props.get("SecurityConfiguration"),
            tags={},
            notification_property=None,
            glue_version=props.get("GlueVersion"),
            number_of_workers=as_int(props.get("NumberOfWorkers")),
            worker_type=props.get("WorkerType"),
            code_gen_configuration_nodes=None,
            execution_class=None,
            source_control_details=None,
        )

    @classmethod
    def remove(cls, backend: Any, name: str) -> None:
        backend.delete_job(name)
