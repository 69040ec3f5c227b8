"""Pipelines: jobs chained by end states (a Glue workflow), declared in ``[tool.kit.pipeline]``."""
