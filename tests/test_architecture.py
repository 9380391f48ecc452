"""The layering rule (docs/architecture.md): flows/ is channel- and database-agnostic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "flows": {"aiogram", "sqlalchemy", "bot", "storage"},
    "storage": {"aiogram", "bot"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports, including inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_to_its_layer(package: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    offences = {path: names for path, names in offences.items() if names}
    assert offences == {}, f"{package}/ imports what its layer forbids: {offences}"


def test_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    # Guards the guard: a module importing aiogram inside a function is caught.
    module = tmp_path / "sneaky.py"
    module.write_text("def f():\n    from aiogram import Bot\n    import sqlalchemy.orm\n")
    assert imported_roots(module) == {"aiogram", "sqlalchemy"}
