"""Gap: DescribeStacks shows a ``CommaDelimitedList`` parameter as a Python list repr.

CloudFormation returns the value as given (``a,b``); ``NoEcho`` values stay masked.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models


def as_parameter(value: Any) -> Any:
    """A parameter value as CloudFormation echoes it (lists joined with commas)."""
    return ",".join(value) if isinstance(value, list) else value


def install() -> None:
    def parameter_list(self: Any) -> list[dict[str, Any]]:
        hidden = self.resource_map.no_echo_parameter_keys
        return [
            {"ParameterKey": k, "ParameterValue": "****" if k in hidden else as_parameter(v)}
            for k, v in self.resource_map.resolved_parameters.items()
        ]

    cfn_models.Stack.parameter_list = property(  # type: ignore[method-assign, assignment]
        parameter_list
    )
