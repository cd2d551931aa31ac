"""adobe/ stays plain Python: no Django, and no code shared with the simulator (B.2, B.22)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                found += [(str(path.relative_to(ROOT)), str(a)) for a in args[:1]]
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def test_adobe_package_has_modules_to_check():
    assert len(_imported_modules("adobe")) > 20


def test_adobe_clients_never_import_django():
    offenders = [(f, m) for f, m in _imported_modules("adobe") if _top(m) == "django"]
    assert offenders == []


@pytest.mark.parametrize("forbidden", ["simulator", "dashboard", "privacy", "status", "tests"])
def test_adobe_clients_import_nothing_from_the_simulator_or_lookout_apps(forbidden):
    offenders = [(f, m) for f, m in _imported_modules("adobe") if _top(m) == forbidden]
    assert offenders == []


def test_simulator_imports_nothing_from_the_clients():
    assert (ROOT / "simulator").is_dir()
    offenders = [(f, m) for f, m in _imported_modules("simulator") if _top(m) == "adobe"]
    assert offenders == []
