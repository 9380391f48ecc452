"""The long fuzz run: ``python -m tests.fuzz [--steps N]`` (``make fuzz``).

Runs the state machine in batches of fresh random examples until at least ``--steps``
steps are done (default: ``FUZZ_STEPS`` or 50,000), then prints steps, closures,
saves, refusals and violations. The first violation stops the run: Hypothesis shrinks
it, the smallest sequence of steps that breaks the invariant is printed, and the exit
status is 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.fuzz.invariants import InvariantViolated
from tests.fuzz.machine import ChatbotFuzz
from tests.fuzz.stats import Stats


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--steps", type=int, default=int(os.environ.get("FUZZ_STEPS", 50_000)),
                        help="stop after at least this many steps (default: %(default)s)")
    parser.add_argument("--steps-per-example", type=int, default=50,
                        help="the most steps one example takes (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=50,
                        help="examples per Hypothesis run (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    # Errors the bot logs are kept with each step (see World) and shown with a
    # violation; printing them too would repeat each one for every shrinking replay.
    logging.getLogger().addHandler(logging.NullHandler())
    stats = Stats()
    machine = type("ChatbotFuzz", (ChatbotFuzz,), {"stats": stats})
    run = settings(
        max_examples=options.batch,
        stateful_step_count=options.steps_per_example,
        deadline=None,
        database=None,  # every batch explores anew; a failure is printed, not stored
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    failures: list[BaseException] = []
    while stats.steps < options.steps and not failures:
        try:
            run_state_machine_as_test(machine, settings=run)
        except InvariantViolated as error:
            failures = [error]
        except BaseExceptionGroup as group:  # several distinct broken promises
            failures = list(group.exceptions)
        except Exception as error:  # the suite itself broke: report it, as a violation
            failures = [error]
            traceback.print_exc()
        print(f"… {stats.steps:,} steps, {stats.closures:,} closures", file=sys.stderr,
              flush=True)
    for failure in failures:
        # The message says what broke after which steps; Hypothesis adds the shrunk
        # example ("Failing test case: state = ...") as a note on the exception.
        print("\nFALSIFIED:", *traceback.format_exception_only(failure), sep="\n")
    stats.violations = len(failures)
    print("\n" + stats.report())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
