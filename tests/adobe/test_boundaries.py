"""The architecture holds: import-linter's contracts in pyproject.toml pass (B.2, B.22, hooks).

adobe/ is plain Python, adobe/ and simulator/ share no code, the simulator runs without Lookout,
privacy and status are independent, and the core (dashboard) imports neither app. The second test
proves each contract can fail: a copy of the tree with one forbidden import breaks it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACT_NAMES = {contract["id"]: contract["name"] for contract in CONFIG["contracts"]}

# One forbidden import per contract: (contract id, module added to the copy, its source).
VIOLATIONS = [
    ("adobe-plain-python", "adobe/_violation.py", "import django.conf\n"),
    ("adobe-plain-python", "adobe/_violation.py", "from dashboard.models import Credential\n"),
    ("simulator-adobe-independent", "simulator/_violation.py", "from adobe import errors\n"),
    ("simulator-adobe-independent", "adobe/_violation.py", "import simulator\n"),
    ("simulator-standalone", "simulator/_violation.py", "import status.models\n"),
    ("apps-independent", "privacy/_violation.py", "from status import selectors\n"),
    ("apps-independent", "status/_violation.py", "import privacy.tasks\n"),
    (
        "core-without-apps",
        "dashboard/_violation.py",
        "from privacy.tasks import privacy_sync_task\n",
    ),
    ("core-without-apps", "dashboard/_violation.py", "import status\n"),
]


def _lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # lint-imports finds the root packages from its working directory: keep PYTHONPATH from
    # pointing it at another tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_root_package_has_a_contract():
    assert set(CONFIG["root_packages"]) == {"adobe", "simulator", "dashboard", "privacy", "status"}
    assert CONFIG["include_external_packages"] is True  # so that `django` can be forbidden
    assert {contract_id for contract_id, *_ in VIOLATIONS} == set(CONTRACT_NAMES)


def test_the_architecture_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACT_NAMES)} kept, 0 broken." in result.stdout


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The root packages and pyproject.toml, copied (the real tree is never touched), and
    keeping every contract as they are."""
    copy = tmp_path_factory.mktemp("tree")
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    kept = _lint_imports(copy)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    return copy


@pytest.mark.parametrize(("contract_id", "module", "source"), VIOLATIONS)
def test_a_forbidden_import_breaks_its_contract(tree_copy, contract_id, module, source):
    violation = tree_copy / module
    violation.write_text(source)
    try:
        result = _lint_imports(tree_copy, "--contract", contract_id)
    finally:
        violation.unlink()

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACT_NAMES[contract_id]} BROKEN" in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
