"""The pipeline model: [tool.kit.pipeline.NAME] validated, ordered, with per-environment overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit import config as kit_config
from kit.errors import PipelineError
from kit.pipelines.model import END_STATES, Edge, load_pipeline, pipeline_names

JOBS = ("raw_orders", "trusted_orders", "curated_sales", "other")

EXAMPLE = """
[tool.kit.pipeline.sales]
description = "raw -> trusted -> curated"
schedule = "cron(0 6 * * ? *)"
run_properties = { source = "daily" }
[tool.kit.pipeline.sales.jobs]
curated_sales = { after = { trusted_orders = "SUCCEEDED", raw_orders = "ANY" }, logical = "ANY" }
raw_orders = {}
trusted_orders = { after = ["raw_orders"] }
[tool.kit.pipeline.sales.environments.prod]
schedule = "cron(0 5 * * ? *)"
run_properties = { source = "prod" }
"""


def _project(tmp_path: Path, toml: str, jobs: tuple[str, ...] = JOBS) -> kit_config.ProjectConfig:
    (tmp_path / "pyproject.toml").write_text('[tool.kit]\nnotebooks = "notebooks"\n' + toml)
    (tmp_path / "jobs").mkdir()
    for job in jobs:
        (tmp_path / "jobs" / f"{job}.py").write_text("# a job\n")
    return kit_config.load(tmp_path)


def _pipeline(tmp_path: Path, jobs_table: str, extra: str = "") -> kit_config.ProjectConfig:
    return _project(tmp_path, f"[tool.kit.pipeline.p]\n{extra}\n[tool.kit.pipeline.p.jobs]\n{jobs_table}")


def test_example_is_ordered_with_states_and_logical(tmp_path):
    config = _project(tmp_path, EXAMPLE)
    assert pipeline_names(config) == ["sales"]
    pipe = load_pipeline(config, "sales")
    assert pipe.jobs == ("raw_orders", "trusted_orders", "curated_sales")  # upstream first
    assert pipe.start_jobs() == ("raw_orders",)
    assert pipe.upstream("curated_sales") == (
        Edge("trusted_orders", "curated_sales", "SUCCEEDED"),
        Edge("raw_orders", "curated_sales", "ANY"),
    )
    assert pipe.edges[0] == Edge("raw_orders", "trusted_orders", "SUCCEEDED")
    assert pipe.logical == {"trusted_orders": "AND", "curated_sales": "ANY"}
    assert (pipe.schedule, pipe.description) == ("cron(0 6 * * ? *)", "raw -> trusted -> curated")
    assert pipe.run_properties == {"source": "daily"}
    assert pipe.start_trigger_type == "SCHEDULED"
    # ANY expands to one Glue condition per end state, joined by ANY
    conditions = pipe.conditions("curated_sales")
    assert conditions[0] == ("trusted_orders", "SUCCEEDED")
    assert conditions[1:] == tuple(("raw_orders", state) for state in END_STATES)
    assert pipe.predicate_logical("curated_sales") == "ANY"
    assert pipe.predicate_logical("trusted_orders") == "AND"


def test_environment_overrides_apply(tmp_path):
    config = _project(tmp_path, EXAMPLE)
    prod = load_pipeline(config, "sales", env="prod")
    assert prod.schedule == "cron(0 5 * * ? *)"
    assert prod.run_properties == {"source": "prod"}
    assert prod.description == "raw -> trusted -> curated"  # not overridden
    assert load_pipeline(config, "sales", env="dev").schedule == "cron(0 6 * * ? *)"


def test_on_demand_without_schedule_and_ties_by_declaration(tmp_path):
    config = _pipeline(tmp_path, 'other = {}\nraw_orders = {}\ncurated_sales = { after = ["other"] }')
    pipe = load_pipeline(config, "p")
    assert pipe.schedule == "" and pipe.start_trigger_type == "ON_DEMAND"
    assert pipe.jobs == ("other", "raw_orders", "curated_sales")
    assert pipe.start_jobs() == ("other", "raw_orders")


def test_single_upstream_any_becomes_an_any_predicate(tmp_path):
    config = _pipeline(tmp_path, 'raw_orders = {}\nother = { after = { raw_orders = "ANY" } }')
    pipe = load_pipeline(config, "p")
    assert pipe.logical == {"other": "AND"}
    assert pipe.predicate_logical("other") == "ANY"
    assert len(pipe.conditions("other")) == len(END_STATES)


def test_satisfied_follows_states_and_logical(tmp_path):
    config = _pipeline(
        tmp_path,
        'raw_orders = {}\ntrusted_orders = {}\n'
        'curated_sales = { after = { raw_orders = "FAILED", trusted_orders = "SUCCEEDED" } }\n'
        'other = { after = { raw_orders = "SUCCEEDED", trusted_orders = "ANY" }, logical = "ANY" }',
    )
    pipe = load_pipeline(config, "p")
    assert not pipe.satisfied("curated_sales", {"raw_orders": "SUCCEEDED", "trusted_orders": "SUCCEEDED"})
    assert pipe.satisfied("curated_sales", {"raw_orders": "FAILED", "trusted_orders": "SUCCEEDED"})
    assert not pipe.satisfied("curated_sales", {"raw_orders": "FAILED"})  # AND: both needed
    assert pipe.satisfied("other", {"trusted_orders": "TIMEOUT"})
    assert not pipe.satisfied("other", {"raw_orders": "FAILED"})


@pytest.mark.parametrize(
    "jobs_table, fragment",
    [
        ('raw_orders = {}\nnope = { after = ["raw_orders"] }',
         "jobs: 'nope' is not a job of this project"),
        ('raw_orders = { after = ["other"] }\nother = { after = ["trusted_orders"] }\n'
         'trusted_orders = { after = ["raw_orders"] }',
         "cycle: raw_orders -> trusted_orders -> other -> raw_orders"),
        ('raw_orders = { after = ["raw_orders"] }', "cycle: raw_orders -> raw_orders"),
        ('raw_orders = {}\nother = { after = { raw_orders = "DONE" } }',
         "unknown state 'DONE' for upstream 'raw_orders'"),
        ('raw_orders = {}\nother = { after = { raw_orders = "ERROR" } }',
         "unknown state 'ERROR'"),
        ('raw_orders = {}\ntrusted_orders = {}\n'
         'other = { after = { raw_orders = "ANY", trusted_orders = "SUCCEEDED" } }',
         'raw_orders = "ANY" with logical = "AND"'),
        ('raw_orders = {}\nother = { after = ["curated_sales"] }',
         "upstream 'curated_sales' is not a job of this pipeline"),
        ('raw_orders = { logical = "ANY" }', "logical applies to upstream jobs"),
        ('raw_orders = { logical = "OR", after = ["other"] }\nother = {}', "jobs.raw_orders.logical"),
        ('raw_orders = { before = ["other"] }', "unknown key 'jobs.raw_orders.before'; allowed: after, logical"),
        ('raw_orders = {}\nother = { after = ["raw_orders", "raw_orders"] }', "names a job twice"),
        ("", "has no jobs"),
    ],
)
def test_bad_declarations_give_one_line(tmp_path, jobs_table, fragment):
    config = _pipeline(tmp_path, jobs_table)
    with pytest.raises(PipelineError) as err:
        load_pipeline(config, "p")
    message = str(err.value)
    assert fragment in message, message
    assert "\n" not in message and message.startswith(("[tool.kit.pipeline.p]", "unknown"))


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ('schedule = "cron(0 6 * * * *)"', "exactly one of day-of-month and day-of-week"),
        ('schedule = "cron(* * * * ? *)"', "more often than every 5 minutes"),
        ("run_properties = { n = 3 }", "run_properties.n: Input should be a valid string"),
        ('[tool.kit.pipeline.p.environments.nowhere]\nschedule = "cron(0 5 * * ? *)"',
         "unknown environment 'nowhere'"),
        ("[tool.kit.pipeline.p.environments.prod]\njobs = {}",
         "unknown key 'environments.prod.jobs'; allowed: description, run_properties, schedule"),
    ],
)
def test_bad_settings_give_one_line(tmp_path, extra, fragment):
    config = _project(
        tmp_path, f"[tool.kit.pipeline.p.jobs]\nraw_orders = {{}}\n[tool.kit.pipeline.p]\n{extra}\n"
    )
    with pytest.raises(PipelineError) as err:
        load_pipeline(config, "p")
    assert fragment in str(err.value), str(err.value)


def test_env_schedule_override_is_validated(tmp_path):
    config = _project(tmp_path, EXAMPLE.replace("cron(0 5 * * ? *)", "cron(0 5 * *)"))
    load_pipeline(config, "sales")  # the base is fine
    with pytest.raises(PipelineError, match="needs 6 cron fields"):
        load_pipeline(config, "sales", env="prod")


def test_unknown_pipeline_names_the_known_ones(tmp_path):
    config = _project(tmp_path, EXAMPLE)
    with pytest.raises(PipelineError, match=r"unknown pipeline 'nope' \(known: sales\)"):
        load_pipeline(config, "nope")

