"""JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub actions) understand."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from bot.scripts.model import shown_path
from bot.scripts.report import failure_lines
from bot.scripts.results import Outcome, ScriptResult

SUITE = "conversation scripts"


def junit_xml(results: list[ScriptResult], seconds: float) -> ET.ElementTree[ET.Element]:
    """One ``testcase`` per conversation, named by file and conversation name.

    A bot that misbehaves is a ``failure``; a script that cannot run is an ``error``.
    """
    failures = sum(result.outcome is Outcome.FAILED for result in results)
    errors = sum(result.outcome in (Outcome.MISTAKE, Outcome.ERROR) for result in results)
    attributes = {
        "name": SUITE,
        "tests": str(len(results)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": f"{seconds:.3f}",
    }
    root = ET.Element("testsuites", attributes)
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            **attributes,
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "hostname": socket.gethostname(),
        },
    )
    for result in results:
        path = shown_path(result.path)
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": path.removesuffix(".yaml").removesuffix(".yml").replace("/", "."),
                "name": result.name,
                "file": path,
                "line": str(result.line),
                "time": f"{result.seconds:.3f}",
            },
        )
        if result.failure is not None:
            tag = "failure" if result.outcome is Outcome.FAILED else "error"
            element = ET.SubElement(case, tag, {"message": result.failure.heading})
            element.text = "\n".join(failure_lines(result.failure))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(results: list[ScriptResult], seconds: float, target: Path) -> None:
    """Write the JUnit report to ``target`` (folders are created)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    junit_xml(results, seconds).write(target, encoding="utf-8", xml_declaration=True)
