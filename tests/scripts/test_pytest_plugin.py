"""pytest collects each conversation as a test, and reports failures like the runner does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_one_test_per_conversation(tmp_path: Path) -> None:
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    write(tmp_path, TWO, "greetings.yaml")
    write(tmp_path, "name: x\nas: viewer@acme.example\nsteps:\n  - sya: hi\n", "broken.yaml")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-p", "no:cacheprovider", "-v"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = completed.stdout + completed.stderr
    assert completed.returncode == 1, out
    assert "greetings.yaml::Viewer is greeted PASSED" in out
    assert "greetings.yaml::Viewer is greeted wrongly FAILED" in out
    assert "broken.yaml::broken.yaml FAILED" in out
    assert 'Step 1 (greetings.yaml, line 13): say "/start"' in out
    assert 'line 15: reply 1 should contain "Hi Olivia"' in out
    assert 'broken.yaml, line 4: unknown key "sya" in a step. Did you mean "say"?' in out
    assert "Traceback" not in out
    assert "2 failed, 1 passed" in out
