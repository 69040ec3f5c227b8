"""Errors a user can cause. Raised deep, turned into one line and an exit code by the CLI only.

Exit codes (documented in docs/cli.md): 1 a user error, 2 a usage error (bad command line),
3 differences found (like ``git diff --exit-code``: stale exports, `kit check` findings, drift).
"""

from __future__ import annotations

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_DIFFERENCES = 3


class KitError(Exception):
    """Base class: the message is one line that says what is wrong and how to fix it."""

    exit_code = EXIT_USER_ERROR


class DifferencesFound(KitError):
    """Something differs from what it should be; nothing is broken (exit 3)."""

    exit_code = EXIT_DIFFERENCES


class ConfigError(KitError):
    """The project configuration (pyproject.toml [tool.kit]) is missing or invalid."""


class NoProject(ConfigError):
    """No kit project here or above (``kit run SCRIPT.py`` still works: see ``config.for_folder``)."""


class NotebookError(KitError):
    """A notebook or its paired job module cannot be read."""


class JobNameError(KitError):
    """A job name breaks kit's one name rule (Python module, Glue job and stack name limits)."""


class JobExists(KitError):
    """`kit new` would overwrite a file that already exists."""


class ExportRefused(KitError):
    """The notebook cannot be exported to a deployable Glue script as it is."""


class TagError(ExportRefused):
    """A cell's tags are malformed, a near miss of ``job``/``dev``, or not on the allow-list."""


class StaleExport(DifferencesFound):
    """The build folder does not match what export would write now."""


class PairingError(KitError):
    """A notebook and its job module are missing a twin or out of sync."""


class SyncConflict(PairingError):
    """Both twins of a pair changed since the last sync; syncing would lose one edit."""


class RunError(KitError):
    """A job could not be started locally (missing script, missing Java, bad arguments)."""


class PreflightError(RunError):
    """`kit run` found a user error before starting Spark (master, arguments, inputs, bookmark)."""


class BookmarkError(KitError):
    """A local job bookmark state file is unreadable or not in kit's format."""


class CheckFailed(DifferencesFound):
    """`kit check` found problems; the message summarises them."""


class WriteRefused(KitError):
    """The system refused a write (read-only folder, full disk, a path that is a file)."""


class InputNotFound(KitError, FileNotFoundError):
    """A Glue script read a path (local or s3:// mapped to the local object root) that does not exist."""


class CatalogError(KitError):
    """A Glue Data Catalog table cannot be found or cannot be read locally."""


class KernelError(KitError):
    """The local Glue Jupyter kernel cannot be installed, removed or started."""


class UpgradeRefused(KitError):
    """`kit upgrade-bootstrap` would lose a hand edit (or has no job to upgrade)."""


class EndpointError(KitError):
    """A dev endpoint, tunnel or Livy server is unusable; the message says how to fix it."""


class SettingsError(ConfigError):
    """A job or environment setting is invalid."""


class NotBootstrapped(KitError):
    """The environment has no scripts/temp bucket yet."""


class OutdatedTemplate(KitError):
    """The project's infra/etl-template.yml lacks parameters the job stacks pass."""


class UploadFailed(KitError):
    """An artefact could not be uploaded to S3."""


class DeployFailed(KitError):
    """CloudFormation refused or rolled back a deployment."""


class ValidationFailed(KitError):
    """A template or a setting failed validation."""


class DriftFound(DifferencesFound):
    """The deployed job differs from the local export (`kit diff`, exit 3)."""


class NotDeployed(KitError):
    """The job has no deployment in the environment."""


class ItestFailed(KitError):
    """The integration test failed: a run that did not succeed, or failing checks."""


class BuildMissing(KitError):
    """The job has no (complete) build folder."""


class StaleBuild(KitError):
    """The build folder no longer matches its notebook, settings or kit."""


class GlueConnectionError(KitError):
    """A Glue connection or JDBC target cannot be used locally (unknown name, no driver, ...)."""


class CatalogDeclarationError(KitError):
    """A catalog declaration (catalog/*.yml) is invalid; the message names the file and key."""


class SampleRefused(KitError):
    """`kit sample` cannot take the sample (no location, over the byte bound, unreadable format)."""


class GraphError(KitError):
    """`kit graph` cannot draw the project (Graphviz missing, nothing to draw)."""


class UnknownGlueVersion(RunError):
    """A Glue version kit has no local runtime for (kit runs 5.0, 5.1 and 6.0)."""


class RuntimeBuildError(KitError):
    """A Glue version's cached runtime cannot be built, found or removed."""


class LocalAwsError(KitError):
    """kit's local AWS cannot start (moto missing or out of range, port taken) or be reached."""


class LocalFixtureError(KitError):
    """A local AWS fixture file (local/aws.toml) is invalid or a secret's value is missing."""


class InitError(ConfigError):
    """The folder cannot be made a kit project as it is."""


class ImportRefused(KitError):
    """The script cannot be imported as it is (nothing was written)."""


class PullRefused(KitError):
    """The deployed job or its script cannot be read, or kit cannot express its settings."""


class PipelineError(KitError):
    """A pipeline ([tool.kit.pipeline.NAME]) is invalid, or one of its jobs failed in a local run."""


class DependencyError(RunError):
    """A job's dependencies (``--additional-python-modules``, ``--extra-jars``) cannot be applied."""


class LocalDbError(KitError):
    """The local PostgreSQL (``kit db local``) cannot start, be found or be queried."""
