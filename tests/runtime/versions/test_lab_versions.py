"""`kit lab` with the Glue 5.1 and 6.0 runtimes installed: one kernel per version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit import config as kit_config
from kit.runtime import lab as kit_lab

pytestmark = pytest.mark.slow


def test_lab_writes_a_kernel_per_installed_runtime(glue_runtimes, tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.kit]\n", encoding="utf-8")
    setup = kit_lab.prepare(kit_config.load(root))
    assert setup.kernels == ("glue-local", "glue-local-5.1", "glue-local-6.0")
    for name, version, shown in (("glue-local", "5.0", "Glue 5.0 (local)"),
                                 ("glue-local-5.1", "5.1", "Glue 5.1 (local)"),
                                 ("glue-local-6.0", "6.0", "Glue 6.0 (local)")):
        spec = json.loads((setup.data_dir / "kernels" / name / "kernel.json").read_text())
        assert spec["display_name"] == shown
        assert spec["env"]["KIT_GLUE_VERSION"] == version
        assert spec["env"]["KIT_PROJECT"] == str(root)
        site = glue_runtimes[version].path
        if site is None:  # kit's own Spark: no runtime folder on the path
            assert "runtimes" not in spec["env"].get("PYTHONPATH", "")
        else:
            assert spec["env"]["PYTHONPATH"].startswith(str(site / "site"))
