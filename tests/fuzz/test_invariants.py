"""The bounded fuzz run that ``make test`` includes (a few seconds; ``make fuzz`` runs long).

Derandomized, so CI sees the same examples every time; each example still gets a fresh
demo database. A run that never reached the final close step, a closure or a save
would prove little, so the run fails then too. Fifteen examples of up to 50 steps
(about 750 steps) reach every kind of step and the final close several times; the
search for what breaks an invariant is ``make fuzz``'s job (50,000 steps).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.fuzz.machine import ChatbotFuzz
from tests.fuzz.stats import Stats

BOUNDED = settings(
    max_examples=15,
    stateful_step_count=50,
    deadline=None,  # a 100 kB message takes a while, and that is not a failure
    derandomize=True,
    database=None,
    # No explain phase: it traces every line while shrinking, which made shrinking a
    # failure here take over five minutes instead of well under one.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    # Examples are slow (a real bot per example) and a few texts are long on purpose.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
    print_blob=False,
)


def test_invariants_hold_whatever_people_type_or_press() -> None:
    stats = Stats()
    machine = type("ChatbotFuzz", (ChatbotFuzz,), {"stats": stats})
    run_state_machine_as_test(machine, settings=BOUNDED)
    print("\n" + stats.report())  # shown with pytest -s
    assert stats.close_screens > 0, stats.report()
    assert stats.closures > 0, stats.report()
    assert stats.saves > 0, stats.report()
