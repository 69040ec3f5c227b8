"""The pipeline's stack as rendered: cfn-lint, the registry schemas, and what each environment gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from kit.infra.validate import lint
from kit.pipelines import stack
from kit.pipelines.model import Edge, Pipeline

PIPELINE = Pipeline(
    name="daily",
    jobs=("raw", "trusted", "curated"),
    edges=(Edge("raw", "trusted", "SUCCEEDED"), Edge("trusted", "curated", "SUCCEEDED"),
           Edge("raw", "curated", "ANY")),
    logical={"trusted": "AND", "curated": "ANY"},
    schedule="",
    description="raw to curated",
    run_properties={"day": "today"},
)


def _schema_properties(resource_type: str) -> set[str]:
    return set(PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type)
               .schema["properties"])


def test_property_names_are_the_registry_schemas_and_cfn_lint_passes(tmp_path: Path) -> None:
    prod = Pipeline(**{**PIPELINE.__dict__, "run_properties": {"day": "yesterday"}})
    text = stack.render(PIPELINE, {"dev": PIPELINE, "prod": prod})
    path = tmp_path / "stack.yml"
    path.write_text(text, encoding="utf-8")
    assert lint([path], tmp_path) == []

    template = yaml.safe_load(text)
    trigger_schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Glue::Trigger")
    definitions = trigger_schema.schema["definitions"]
    for resource in template["Resources"].values():
        assert set(resource["Properties"]) <= _schema_properties(resource["Type"]), resource
        predicate = resource["Properties"].get("Predicate")
        if predicate:
            assert set(predicate) <= set(definitions["Predicate"]["properties"])
            for condition in predicate["Conditions"]:
                assert set(condition) <= set(definitions["Condition"]["properties"])
    assert [r["Type"] for r in template["Resources"].values()] == [
        "AWS::Glue::Workflow", "AWS::Glue::Trigger", "AWS::Glue::Trigger", "AWS::Glue::Trigger"]


@pytest.fixture
def cfn(local_aws, aws_clients):
    return aws_clients("cloudformation")


@pytest.mark.parametrize("env, schedule, day, start_type", [
    ("dev", "", "today", "ON_DEMAND"),
    ("prod", "cron(0 5 * * ? *)", "yesterday", "SCHEDULED"),
])
def test_each_environment_gets_its_schedule_prefix_and_run_properties(
    cfn, aws_clients, env, schedule, day, start_type
) -> None:
    prod = Pipeline(**{**PIPELINE.__dict__, "run_properties": {"day": "yesterday"}})
    template = stack.template(PIPELINE, {"dev": PIPELINE, "prod": prod})
    cfn.create_stack(StackName="p", TemplateBody=json.dumps(template), Parameters=[
        {"ParameterKey": "Environment", "ParameterValue": env},
        {"ParameterKey": "NamePrefix", "ParameterValue": f"{env}-"},
        {"ParameterKey": "Schedule", "ParameterValue": schedule},
    ])
    glue = aws_clients("glue")
    workflow = glue.get_workflow(Name=f"{env}-daily")["Workflow"]
    assert workflow["DefaultRunProperties"] == {"day": day}
    start = glue.get_trigger(Name=f"{env}-daily-start")["Trigger"]
    assert (start["Type"], start.get("Schedule", ""), start["Actions"]) == (
        start_type, schedule, [{"JobName": f"{env}-raw"}])
    # a SCHEDULED trigger starts active; Glue refuses StartOnCreation on ON_DEMAND
    assert start["State"] == ("ACTIVATED" if schedule else "CREATED")
