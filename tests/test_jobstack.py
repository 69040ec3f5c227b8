"""The generated job stack: every AWS::Glue::* property has the type its registry schema says."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER
from jsonschema.validators import validator_for

from kit.jobstack import argument_parameters, render_job_stack
from kit.settings import JOB_DEFAULTS

REPO = Path(__file__).resolve().parents[1]
_NO_VALUE = object()


class _Cfn(yaml.SafeLoader):
    """Short-form tags (!Ref x, !Sub s, !If [...]) as their long form ({"Ref": x} ...)."""


def _long_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Cfn.add_multi_constructor("!", _long_form)


def resolve_template(template: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    """The template's resources as CloudFormation would hand them to the resource handlers:
    parameters (with their declared types) and conditions substituted, intrinsics evaluated
    (an attribute of another resource becomes a placeholder string)."""
    params: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        raw = given.get(name, spec.get("Default"))
        assert raw is not None, f"no value for parameter {name}"
        if spec["Type"] == "Number":
            params[name] = int(raw)
        elif spec["Type"] == "CommaDelimitedList":
            params[name] = [] if raw == "" else str(raw).split(",")
        else:
            params[name] = str(raw)
    conditions: dict[str, bool] = {}

    def value(node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (value(n) for n in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return _NO_VALUE if arg == "AWS::NoValue" else params.get(arg, f"<{arg}>")
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(params.get(m[1], f"<{m[1]}>")), arg)
            if key == "Fn::Join":
                return arg[0].join(value(arg[1]))
            if key == "Fn::GetAtt":
                return f"<{'.'.join(arg)}>"
            if key == "Fn::If":
                return value(arg[1] if conditions[arg[0]] else arg[2])
            if key == "Fn::Equals":
                return value(arg[0]) == value(arg[1])
            if key == "Fn::Not":
                return not value(arg[0])
        return {k: v for k, v in ((k, value(v)) for k, v in node.items()) if v is not _NO_VALUE}

    for name, expression in (template.get("Conditions") or {}).items():
        conditions[name] = value(expression)
    return {
        name: {**resource, "Properties": value(resource.get("Properties", {}))}
        for name, resource in template["Resources"].items()
        if conditions.get(resource.get("Condition", ""), True)
    }


def registry_schema(resource_type: str) -> dict[str, Any]:
    """The resource type's registry schema as cfn-lint ships it, with the registry's own types:
    cfn-lint also lets ``format: json`` properties be strings (CloudFormation parses JSON text);
    here they must be what the registry declares, objects."""
    schema = copy.deepcopy(PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema)

    def strict(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") == "json" and isinstance(node.get("type"), list):
                node["type"] = "object"
            for child in node.values():
                strict(child)
        elif isinstance(node, list):
            for child in node:
                strict(child)

    strict(schema)
    return schema


def type_errors(resources: dict[str, Any]) -> list[str]:
    """Every property of every AWS::Glue::* resource that its registry schema refuses."""
    problems = []
    for name, resource in resources.items():
        if not resource["Type"].startswith("AWS::Glue::"):
            continue
        schema = registry_schema(resource["Type"])
        validator = validator_for(schema)(schema)
        for error in validator.iter_errors(resource["Properties"]):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{name}.{where}: {error.message}")
    return problems


DEPLOY_VALUES = {  # what kit deploy passes besides the defaults (kit.infra.deploy.stack_parameters)
    "Environment": "dev",
    "JobNamePrefix": "dev-",
    "ScriptLocation": "s3://scripts/kit/scripts/job/0123.py",
    "ScriptsBucket": "scripts",
    "TempDir": "s3://temp/glue-temp/job/",
    "DataBucketArns": "arn:aws:s3:::temp,arn:aws:s3:::data",
    "DataObjectArns": "arn:aws:s3:::temp/*,arn:aws:s3:::data/*",
}


def _stack(settings: dict[str, Any], arguments: dict[str, str]) -> dict[str, Any]:
    text = render_job_stack(
        job="job", source_label="notebooks/job.ipynb", build_dir=REPO / "build" / "job",
        project_root=REPO, settings={**JOB_DEFAULTS, **settings}, arguments=arguments,
    )
    return yaml.safe_load(text)


def test_the_checker_catches_json_text_where_the_registry_wants_an_object():
    old = yaml.load((REPO / "tests/infra/fixtures/etl-template-0.1.yml").read_text(), Loader=_Cfn)  # noqa: S506
    resources = resolve_template(
        old, {**DEPLOY_VALUES, "JobName": "job", "ExtraArguments": ', "--a": "b"'}
    )
    assert resources["Job"]["Properties"]["DefaultArguments"].startswith('{"--TempDir"')
    assert type_errors(resources) == [
        "Job.DefaultArguments: '{\"--TempDir\": \"s3://temp/glue-temp/job/\", "
        "\"--job-bookmark-option\": \"job-bookmark-disable\", \"--job-language\": \"python\", "
        "\"--enable-metrics\": \"true\", \"--a\": \"b\"}' is not of type 'object'"
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {},  # no schedule, no connections, no security configuration
        {"schedule": "cron(0 6 * * ? *)", "connections": ["vpc", "jdbc"], "workers": 10,
         "worker_type": "G.2X", "timeout": 120, "max_retries": 2, "bookmark": "enable"},
    ],
)
def test_generated_glue_resources_match_their_registry_schemas(settings):
    arguments = {"input_path": "", "limit": "10", "note": 'a "quoted" \\ välue'}
    stack = _stack(settings, arguments)
    values = {**DEPLOY_VALUES, "ArgInputPath": "s3://data/in/", "SecurityConfiguration": "kms"}
    resources = resolve_template(stack, values)
    kinds = sorted(r["Type"] for r in resources.values() if r["Type"].startswith("AWS::Glue::"))
    assert kinds == (["AWS::Glue::Job", "AWS::Glue::Trigger"] if settings else ["AWS::Glue::Job"])
    assert type_errors(resources) == []
    job = resources["Job"]["Properties"]
    assert job["DefaultArguments"]["--note"] == 'a "quoted" \\ välue'  # verbatim, no JSON text
    assert isinstance(job["NumberOfWorkers"], int)
    assert ("Connections" in job) == bool(settings)


def test_the_committed_example_stack_matches_the_registry_schemas():
    template = yaml.load((REPO / "build/orders_by_month/stack.yml").read_text(), Loader=_Cfn)  # noqa: S506
    args = template["Metadata"]["kit"]["arguments"]
    values = {**DEPLOY_VALUES, **{param: f"s3://data/{name}" for name, param in args.items()}}
    resources = resolve_template(template, values)
    assert type_errors(resources) == []
    shared = yaml.load((REPO / "infra/etl-template.yml").read_text(), Loader=_Cfn)  # noqa: S506
    assert type_errors(resolve_template(shared, {**DEPLOY_VALUES, "JobName": "j"})) == []


def test_argument_parameter_names_are_alphanumeric_and_distinct():
    names = ["output_path", "output-path", "outputPath", "x.y", "_a"]
    params = argument_parameters(names)
    assert all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in params.values())
    assert len(set(params.values())) == len(names)
    assert argument_parameters(["output_path"]) == {"output_path": "ArgOutputPath"}
    assert params["x.y"] == "ArgXY"
    assert params == argument_parameters(list(reversed(names)))  # order-independent
