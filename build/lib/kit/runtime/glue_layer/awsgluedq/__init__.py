"""kit's local ``awsgluedq``: Glue Data Quality's ``EvaluateDataQuality`` for the DQDL rules
that Glue Studio scripts use most (Studio adds ``ColumnCount > 0`` to every new visual job).

Only a small part of DQDL is evaluated (see ``awsgluedq.dqdl``); any other rule stops the job
with an error that names it, so a result is never guessed.
"""
