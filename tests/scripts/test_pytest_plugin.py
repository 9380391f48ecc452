"""pytest collects each conversation as a test, and reports failures like the runner does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.helpers import write

ROOT = Path(__file__).resolve().parents[2]
CONFTEST = ROOT / "tests" / "conversations" / "conftest.py"

TWO = """
name: Viewer is greeted
as: viewer@acme.example
channel: terminal
steps:
  - say: /start
    expect:
      - text: Hi Vera
---
name: Viewer is greeted wrongly
as: viewer@acme.example
channel: terminal
steps:
  - say: /start
    expect:
      - text: Hi Olivia
"""


def test_one_test_per_conversation(pytester: pytest.Pytester) -> None:
    # In process (pytester): a pytest subprocess spends seconds importing aiogram again.
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    write(pytester.path, TWO, "greetings.yaml")
    write(pytester.path, "name: x\nas: viewer@acme.example\nsteps:\n  - sya: hi\n", "broken.yaml")
    # The project's pytest-asyncio setting, which the folder has no configuration file for.
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-v", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    out = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out
    assert "greetings.yaml::Viewer is greeted PASSED" in out
    assert "greetings.yaml::Viewer is greeted wrongly FAILED" in out
    assert "broken.yaml::broken.yaml FAILED" in out
    assert 'Step 1 (greetings.yaml, line 13): say "/start"' in out
    assert 'line 15: reply 1 should contain "Hi Olivia"' in out
    assert 'broken.yaml, line 4: unknown key "sya" in a step. Did you mean "say"?' in out
    assert "Traceback" not in out
    assert "2 failed, 1 passed" in out
