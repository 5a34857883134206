"""The one-way dependency rule of DESIGN.md, checked by import-linter as `make lint` runs it: the real
tree keeps the contract, and a copy of it with one import pointing the wrong way breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("caremodel", "patients", "stratification", "careplans", "referrals", "mdt", "schemes", "dashboards", "demo")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed command on a tree this test controls
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import"),
    [
        ("caremodel/probe.py", "from stratification.models import RiskScore\n"),
        ("patients/probe.py", "import stratification.selectors.risk_list\n"),
        ("stratification/probe.py", "from demo.logins import DEMO_LOGINS\n"),
    ],
)
def test_an_import_pointing_the_wrong_way_breaks_it(tree_copy: Path, module: str, wrong_import: str) -> None:
    (tree_copy / module).write_text(wrong_import)
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout
