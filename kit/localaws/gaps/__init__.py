"""What moto (``>=5.2.5,<5.3``) lacks for kit's deploy/diff/itest, one module per gap.

Each module closes one gap and is named after it; :func:`install` applies them all once.
Importing this package imports moto, so call :func:`kit.localaws.moto_compat.require_moto`
first.
"""

from __future__ import annotations

import logging

_INSTALLED = False


def install() -> None:
    """Apply every gap once (idempotent; moto's model caches are refreshed)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation import parsing

    from kit.localaws.gaps import (  # noqa: F401 - the models register on import
        glue_database,
        glue_job,
        glue_job_runs,
        glue_table,
        glue_trigger,
        glue_workflow,
        iam_managed_policies,
        nested_stack,
        s3_bucket_properties,
        stack_outputs,
        stack_parameters,
    )

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    glue_job_runs.install()
    glue_workflow.install()
    stack_outputs.install()
    stack_parameters.install()
    s3_bucket_properties.install()
    iam_managed_policies.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _INSTALLED = True
