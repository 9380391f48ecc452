"""Conversations that show known flow bugs; each passes once its bug is fixed.

Strict xfail: when a fix lands, the test "unexpectedly passes" and fails the run,
as a reminder to move the script into ``tests/conversations/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.scripts.parser import load_file
from bot.scripts.runner import run_script

BUGS = sorted((Path(__file__).parent / "flow_bugs").glob("*.yaml"))


@pytest.mark.xfail(strict=True, reason="known flow bug, reported to the flows owner")
@pytest.mark.parametrize("path", BUGS, ids=[path.stem for path in BUGS])
async def test_known_flow_bug(path: Path) -> None:
    for script in load_file(path):
        result = await run_script(script)
        assert result.passed, result.failure
