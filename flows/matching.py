"""Typed text matched against the labels of the choices on screen."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

_NOT_WORD = re.compile(r"[^\w\s&]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case words only: emoji, punctuation and extra spaces removed."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def match_label(text: str, choices: list[tuple[str, str]], *, exact: bool = False) -> str | None:
    """The action of the one choice the text names, or None.

    Exact (normalised) label first; unless ``exact``, then the one label that
    contains the text as whole words, then a close fuzzy match (typos).
    """
    typed = normalise(text)
    if not typed:
        return None
    labels = [(normalise(label), action) for label, action in choices]
    for label, action in labels:
        if label == typed:
            return action
    # Longer than every label: no label contains it, nor is a typo of it (and a huge
    # message must not cost a huge regex).
    longest = max((len(label) for label, _ in labels), default=0)
    if exact or len(typed) < 3 or len(typed) > longest + 5:
        return None
    pattern = re.compile(rf"\b{re.escape(typed)}\b")
    containing = [action for label, action in labels if pattern.search(label)]
    if len(containing) == 1:
        return containing[0]
    scored = [(fuzz.ratio(typed, label), action) for label, action in labels]
    scored.sort(reverse=True)
    if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None
