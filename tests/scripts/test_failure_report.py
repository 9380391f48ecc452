"""A wrong expectation produces a report a non-developer can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.scripts.results import Outcome
from tests.scripts.helpers import cli, run_text, write

WRONG = """
name: Viewer sees the Transact package
as: viewer@acme.example
channel: terminal
steps:
  - say: /start
    expect:
      - text: Acme Trading Ltd
  - press: package
    expect:
      - text: Transact
        buttons: [Compare]
  - say: help
"""


def test_wrong_expectation_names_step_expected_actual_and_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, WRONG)
    status, out = cli(capsys, "script", "run", str(path))
    assert status == 1
    lines = out.splitlines()
    # One line for the script, saying it failed and how long it took.
    assert lines[0].startswith("FAIL ")
    assert "Viewer sees the Transact package" in lines[0] and lines[0].endswith(" s)")
    # The step, with its number, line and what it did.
    assert 'Step 2 (script.yaml, line 8): press "package"' in out
    # The conversation so far, the user's press included.
    transcript = out[out.index("The conversation so far:") : out.index("Expected:")]
    assert "You:  /start" in transcript
    assert "Bot:  Hi Vera! You're managing Acme Trading Ltd as viewer." in transcript
    menu = (
        "[📄 Account details]  [📦 Package & usage]  [🌐 Language / Idioma]"
        "  [🙋 Talk to a person]  [❓ Help]"
    )
    assert menu in transcript
    assert "You:  (presses [📦 Package & usage])" in transcript
    # What was expected (only what is missing), and what came instead.
    expected = out[out.index("Expected:") : out.index("What came instead:")]
    assert 'line 10: reply 1 should contain "Transact"' in expected
    assert "Compare" not in expected  # the button was there, so it is not reported
    instead = out[out.index("What came instead:") :]
    assert "| 📦 Your package: Interact (99.00 USD per month)" in instead
    assert "| [📋 What's included]  [📊 Compare packages]  [💰 Subscriptions & balance]" in instead
    # Steps after the failure are not run; the summary counts the failure.
    assert "help" not in transcript
    assert out.rstrip().splitlines()[-1].startswith("1 script: 1 failed in ")


async def test_items_match_replies_in_order(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path,
        """
        name: Two items, and the second is not there
        as: owner@acme.example
        channel: terminal
        steps:
          - say: /start
          - press: edit details
          - press: contact person
          - say: Olivia Smith
          - press: save
            expect:
              - text: Saved
              - text: What would you like to do?
              - text: Saved
        """,
    )
    assert result.failure is not None
    # Item 3 may only match reply 2 or later: the order of the items counts.
    assert result.failure.expected == ['line 13: reply 2 should contain "Saved"']


async def test_negative_checks(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path,
        """
        name: Negative checks
        as: owner@acme.example
        channel: terminal
        steps:
          - say: /start
            expect:
              - not_text: Olivia
                no_buttons: [Close]
              - text: Olivia
                buttons: []
        """,
    )
    assert result.failure is not None
    assert result.failure.expected == [
        'line 7: reply 1 should not contain "Olivia"',
        'line 7: reply 1 should have no button with "Close" (it has [🛑 Close account])',
        "line 9: reply 1 should have no buttons at all",
    ]


async def test_then_failures_name_their_lines(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path,
        """
        name: Wrong stored data
        as: admin@acme.example
        channel: terminal
        steps:
          - say: /start
        then:
          account:
            status: closed
            contact_email: owner@acme.example
          subscriptions: 3
          balance: 99
        """,
    )
    assert result.outcome is Outcome.FAILED
    failure = result.failure
    assert failure is not None
    assert failure.heading == "After the conversation (then: script.yaml, line 7)"
    assert failure.expected == [
        'account status (line 8): expected "closed", but it is stored as "open"',
        "active subscriptions: expected 3, but there are 2",
        "balance: expected 99, but it is 125.40",
    ]
    assert any("Hi Adam" in line for line in failure.transcript)


async def test_telegram_failure_report(tmp_path: Path) -> None:
    """Telegram (the default channel): the real dispatcher, the chart shown as a picture."""
    [result] = await run_text(
        tmp_path,
        """
        name: Telegram shows the chart, then the usage
        as: owner@acme.example
        steps:
          - say: /start
          - press: package
            expect:
              - text: Transact
        """,
    )
    assert result.outcome is Outcome.FAILED
    failure = result.failure
    assert failure is not None
    assert failure.expected == [
        'line 7: expected a reply to contain "Transact"; none of replies 1–2 does'
    ]
    assert failure.instead[0] == "reply 1: (a picture)"
    assert failure.instead[1].startswith("reply 2: 📦 Your package: Interact")


async def test_telegram_unknown_user(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path, "name: x\nas: nobody@acme.example\nsteps:\n  - say: /start\n"
    )
    assert result.outcome is Outcome.MISTAKE
    assert result.failure is not None
    assert (
        "script.yaml, line 2: there is no demo user nobody@acme.example" in result.failure.heading
    )
