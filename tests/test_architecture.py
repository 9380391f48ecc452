"""The layering rules (docs/architecture.md): flows/ is channel- and database-agnostic,
and the product never loads the test kit (testkit/), which builds on the product."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "flows": {"aiogram", "sqlalchemy", "bot", "storage", "testkit"},
    "storage": {"aiogram", "bot", "testkit"},
}
# The product modules that may import the test kit: the script runner's Telegram and web
# channels, test tools support staff run (each imports it only when a script needs it).
TESTKIT_USERS_IN_BOT = {"bot/scripts/telegram_channel.py", "bot/scripts/web_channel.py"}
# What runs the bot on Telegram or the web (a package with every module in it): none of it
# may load the test kit, even indirectly.
PRODUCTION_ENTRY_POINTS = (
    "bot.telegram", "bot.telegram.app", "bot.telegram.webhook", "bot.telegram.dispatcher",
    "bot.commands.telegram", "bot.commands.run", "bot.startup", "bot.__main__",
    "bot.web", "bot.commands.web",
)
LOADED_TESTKIT = """
import importlib, json, pkgutil, sys

def testkit_modules():
    return sorted(n for n in sys.modules if n == "testkit" or n.startswith("testkit."))

for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(getattr(package, "__path__", []), f"{name}."):
        importlib.import_module(module.name)
product = testkit_modules()
importlib.import_module("testkit.telegram.harness")  # the probe must see it when it is there
print(json.dumps({"product": product, "with_testkit": testkit_modules()}))
"""


def imported_names(path: Path) -> set[str]:
    """Dotted names a module imports (modules, and ``module.name`` for from-imports),
    including inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports, including inside functions."""
    return {name.split(".")[0] for name in imported_names(path)}


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


def test_only_the_script_runner_imports_the_test_kit() -> None:
    importers = {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "testkit" in imported_roots(path)
    }
    assert importers <= TESTKIT_USERS_IN_BOT, f"bot/ imports testkit: {importers}"


def test_the_test_kit_uses_only_public_names_of_the_product() -> None:
    private = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_names(path)
            if name.split(".")[0] in ("bot", "flows", "storage")
            and any(part.startswith("_") for part in name.split("."))
        )
        for path in sorted((ROOT / "testkit").rglob("*.py"))
    }
    private = {path: names for path, names in private.items() if names}
    assert private == {}, f"testkit/ imports private names: {private}"


def test_running_the_bot_on_telegram_loads_no_test_kit() -> None:
    # A fresh interpreter: this one has loaded the test kit for other tests long ago.
    probe = subprocess.run(
        [sys.executable, "-c", LOADED_TESTKIT, *PRODUCTION_ENTRY_POINTS],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert probe.returncode == 0, probe.stderr
    loaded = json.loads(probe.stdout.splitlines()[-1])
    assert loaded["product"] == [], f"the production channel loads {loaded['product']}"
    assert "testkit.telegram.emulator" in loaded["with_testkit"]  # the probe does see it
