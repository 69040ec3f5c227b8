"""What `kit graph` finds in exported scripts and stacks (read with ast, never run)."""

from __future__ import annotations

from pathlib import Path

from kit.graph import model

REPO = Path(__file__).resolve().parents[2]


def test_the_example_job_reads_its_inputs_and_writes_its_output() -> None:
    build = REPO / "build" / "orders_by_month"
    facts = model.job_facts("orders_by_month", build / "orders_by_month.py", build / "stack.yml",
                            build / "job.json")
    assert sorted(facts.reads) == [("arg", "customers_path"), ("arg", "orders_path")]
    assert facts.writes == [("arg", "output_path")]
    assert facts.arguments["output_path"] == "build/output/orders_by_month"
    assert facts.triggers == ["schedule cron(0 6 * * ? *)"]


def test_catalog_calls_sinks_and_triggers(graph_project: Path) -> None:
    project = model.scan(graph_project / "build")
    assert "curated" in project.jobs() and "orders_by_month" in project.jobs()
    edges = {(project.nodes[s].label, project.nodes[d].label, how) for s, d, how in project.edges}
    assert ("kit_example.orders_by_month", "curated", "reads") in edges
    assert ("kit_example.customers", "curated", "reads") in edges
    assert ("curated", "kit_example.curated", "writes") in edges
    assert ("curated", "s3://kit-example-dev-data/curated/", "writes") in edges
    assert ("curated", "build/output/report\n(--report_path)", "writes") in edges
    assert ("trigger AfterMonthly CONDITIONAL", "curated", "starts") in edges
    assert ("orders_by_month", "trigger AfterMonthly CONDITIONAL", "on SUCCEEDED") in edges
    assert not any(n.label == "SomethingElse" for n in project.nodes.values())
    assert ("orders_by_month", "build/output/orders_by_month\n(--output_path)", "writes") in edges


def test_a_manifest_overrides_script_defaults(graph_project: Path) -> None:
    job = graph_project / "build" / "orders_by_month"
    (job / "job.json").write_text('{"arguments": {"--output_path": "s3://b/out/"}}')
    facts = model.job_facts("orders_by_month", job / "orders_by_month.py", job / "stack.yml",
                            job / "job.json")
    assert facts.arguments["output_path"] == "s3://b/out/"


def test_a_pipeline_adds_its_start_trigger_and_conditional_edges(pipeline_project: Path) -> None:
    from kit import config as kit_config
    from kit.pipelines.model import load_pipeline

    sales = load_pipeline(kit_config.load(pipeline_project), "sales")
    project = model.scan(pipeline_project / "build")
    model.add_pipeline(project, sales)
    edges = {(project.nodes[s].label, project.nodes[d].label, how) for s, d, how in project.edges}
    start = "pipeline sales\nstart (on demand)"
    before_trusted = "pipeline sales\nbefore trusted_orders (AND)"
    before_curated = "pipeline sales\nbefore curated_sales (AND)"
    assert (start, "raw_orders", "starts") in edges
    assert ("raw_orders", before_trusted, "on SUCCEEDED") in edges
    assert (before_trusted, "trusted_orders", "starts") in edges
    assert ("trusted_orders", before_curated, "on SUCCEEDED") in edges
    assert (before_curated, "curated_sales", "starts") in edges
    assert ("kit_example.raw_orders", "trusted_orders", "reads") in edges
    # trusted's output is curated's input: one path node between them
    trusted_out = ("job:trusted_orders", "path:build/output/trusted_orders", "writes")
    assert trusted_out in project.edges
    assert ("path:build/output/trusted_orders", "job:curated_sales", "reads") in project.edges

    only = model.only_jobs(project, set(sales.jobs))
    assert only.jobs() == ["curated_sales", "raw_orders", "trusted_orders"]
    assert "table:kit_example.raw_orders" in only.nodes
    assert "table:kit_example.customers" not in only.nodes  # another job's table
    assert all(s in only.nodes and d in only.nodes for s, d, _ in only.edges)


def test_a_scheduled_environment_draws_its_schedule(pipeline_project: Path) -> None:
    from kit import config as kit_config
    from kit.pipelines.model import load_pipeline

    project = model.Project()
    model.add_pipeline(project, load_pipeline(kit_config.load(pipeline_project), "sales", "prod"))
    assert project.nodes["trigger:pipeline:sales:start"].label == (
        "pipeline sales\nstart (schedule cron(0 6 * * ? *))")
    assert project.jobs() == ["curated_sales", "raw_orders", "trusted_orders"]  # not exported yet


def test_an_unknown_pipeline_is_one_line_and_writes_nothing(pipeline_project: Path, cli) -> None:
    result = cli("graph", "--pipeline", "nope", "-o", "nope.html")
    assert result.exit_code == 1
    assert result.stderr == (
        "kit: error: unknown pipeline 'nope' (known: sales); "
        "add [tool.kit.pipeline.nope] to pyproject.toml\n"
    )
    assert not (pipeline_project / "nope.html").exists()
