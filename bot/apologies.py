"""What every channel says when an update failed, honestly: whether anything was changed."""

from __future__ import annotations

from flows.i18n import N_

NOTHING_CHANGED = N_(
    "Sorry, something went wrong on our side, so nothing was changed. "
    "Please try again in a moment; type menu to start over."
)
SHOWING_FAILED = N_(
    "Sorry, something went wrong while showing my answer. What you asked for was done; "
    "type menu to see where we are."
)
