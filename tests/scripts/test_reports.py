"""The command line: exit status, the JUnit report, and the library's size."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from bot.scripts.library import find_files
from bot.scripts.parser import load_file
from tests.scripts.helpers import cli, write

LIBRARY = Path(__file__).resolve().parents[1] / "conversations"
PASSING = """
name: Viewer sees the menu
as: viewer@acme.example
channel: terminal
steps:
  - say: /start
    expect:
      - text: Hi Vera
"""
FAILING = PASSING.replace("name: Viewer sees the menu", "name: Wrong greeting").replace(
    "Hi Vera", "Hi Olivia"
)


def test_exit_zero_only_when_all_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, PASSING, "good.yaml")
    bad = write(tmp_path, FAILING, "bad.yaml")
    status, out = cli(capsys, "script", "run", str(good))
    assert status == 0
    assert out.splitlines()[0].startswith("PASS    ")
    assert "1 script: 1 passed in" in out
    status, out = cli(capsys, "script", "run", str(good), str(bad))
    assert status == 1
    assert "2 scripts: 1 passed, 1 failed in" in out


def test_junit_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, PASSING, "good.yaml")
    write(tmp_path, FAILING, "bad.yaml")
    write(tmp_path, "name: [", "broken.yaml")
    report = tmp_path / "out" / "junit.xml"
    status, out = cli(capsys, "script", "run", str(tmp_path), "--junit", str(report))
    assert status == 1
    assert f"JUnit report written to {report}" in out
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"Viewer sees the menu", "Wrong greeting", "broken.yaml"}
    failure = cases["Wrong greeting"].find("failure")
    assert (
        failure is not None and failure.get("message") == 'Step 1 (bad.yaml, line 5): say "/start"'
    )
    assert failure.text is not None and 'should contain "Hi Olivia"' in failure.text
    error = cases["broken.yaml"].find("error")
    assert error is not None and "broken.yaml, line 1" in str(error.get("message"))
    assert cases["Viewer sees the menu"].find("failure") is None
    assert float(str(cases["Viewer sees the menu"].get("time"))) > 0


def test_the_library_is_large() -> None:
    # Each conversation runs once, as a test of its own (tests/conversations/conftest.py);
    # how long the library takes is a figure: benchmarks/library.py.
    scripts = [script for path in find_files([LIBRARY]) for script in load_file(path)]
    assert len(scripts) >= 30
