"""Errors a user can cause. Raised deep, turned into one line and an exit code by the CLI only."""

from __future__ import annotations


class KitError(Exception):
    """Base class: the message is one line that says what is wrong and how to fix it."""

    exit_code = 1


class ConfigError(KitError):
    """The project configuration (pyproject.toml [tool.kit]) is missing or invalid."""


class NotebookError(KitError):
    """A notebook or its paired job module cannot be read."""


class ExportRefused(KitError):
    """The notebook cannot be exported to a deployable Glue script as it is."""


class StaleExport(KitError):
    """The build folder does not match what export would write now."""


class PairingError(KitError):
    """A notebook and its job module are missing a twin or out of sync."""


class RunError(KitError):
    """A job could not be started locally (missing script, missing Java, bad arguments)."""


class CheckFailed(KitError):
    """`kit check` found problems; the message summarises them."""


class InputNotFound(KitError, FileNotFoundError):
    """A Glue script read a path (local or s3:// mapped to the local object root) that does not exist."""


class CatalogError(KitError):
    """A Glue Data Catalog table cannot be found or cannot be read locally."""


class KernelError(KitError):
    """The local Glue Jupyter kernel cannot be installed, removed or started."""


class LocalAwsError(KitError):
    """kit's local AWS cannot start (moto missing or out of range, port taken) or be reached."""


class LocalFixtureError(KitError):
    """A local AWS fixture file (local/aws.toml) is invalid or a secret's value is missing."""
