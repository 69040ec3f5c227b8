"""Gap: moto forgets stack outputs after a change set and has no ``!GetAtt Nested.Outputs.X``.

moto keeps the outputs of the template a stack had before a change set (none for a new
stack), and nested stacks expose no attributes; CloudFormation does both.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


def install() -> None:
    original_execute = cfn_models.CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original_execute(self, change_set_name, stack_name)
        for stack in self.stacks.values():
            if stack.name == stack_name or stack.stack_id == stack_name:
                stack._parse_template()
                stack.output_map = stack._create_output_map()

    def get_cfn_attribute(self: Any, attribute: str) -> Any:
        if attribute.startswith("Outputs."):
            output = self.output_map[attribute.split(".", 1)[1]]
            if output is not None:
                return output.value
        raise UnformattedGetAttTemplateException()

    cfn_models.CloudFormationBackend.execute_change_set = (  # type: ignore[method-assign]
        execute_change_set
    )
    cfn_models.Stack.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]
