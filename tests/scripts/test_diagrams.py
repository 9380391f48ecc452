"""``python -m bot diagram``: Mermaid from the machines, and the committed copy kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import diagram
from flows.registry import FLOWS
from tests.scripts.helpers import cli

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "diagrams"


def test_every_flow_is_drawn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = cli(capsys, "diagram", "--out", str(tmp_path))
    assert status == 0
    for name, flow in FLOWS.items():
        text = (tmp_path / f"{name}.mmd").read_text(encoding="utf-8")
        assert text.startswith("stateDiagram-v2\n")
        for state in flow.states:
            assert f" as {state.id}" in text
        assert f"```mermaid\n{text}```" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "menu --> close : Close account (owner only)" in (tmp_path / "menu.mmd").read_text()
    if not diagram.images_available():
        assert "wrote Mermaid only" in out


def test_edit_flow_shows_guards_and_events(tmp_path: Path) -> None:
    diagram.write_diagrams(tmp_path, images=False)
    text = (tmp_path / "edit.mmd").read_text(encoding="utf-8")
    assert "choosing --> entering : Pick [field_open]" in text
    # Save writes, then the store's answer picks the way on: guards that only ask.
    assert "reviewing --> saving : Save" in text
    assert "saving --> done : [was_saved]" in text
    assert "saving --> conflict : [had_conflict]" in text
    assert "saving --> not_saved\n" in text


def test_close_flow_closes_then_asks_what_happened(tmp_path: Path) -> None:
    diagram.write_diagrams(tmp_path, images=False)
    text = (tmp_path / "close.mmd").read_text(encoding="utf-8")
    assert "confirming --> closing : Confirm\n" in text
    assert "closing --> closed : [was_closed]" in text
    assert "closing --> stopped\n" in text


def test_committed_diagrams_match_the_code(tmp_path: Path) -> None:
    """Fails when a flow changed but ``python -m bot diagram`` was not run again."""
    diagram.write_diagrams(tmp_path, images=False)
    for fresh in sorted(tmp_path.iterdir()):
        committed = COMMITTED / fresh.name
        assert committed.exists(), f"run: python -m bot diagram --out docs/diagrams ({fresh.name})"
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"docs/diagrams/{fresh.name} is out of date: run python -m bot diagram"
        )


def test_images_where_graphviz_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graphviz is not installed here: stand in for pydot and dot to check what is written."""
    drawn: list[tuple[str, str]] = []

    class FakeGraph:
        def __init__(self, flow: object) -> None:
            self.flow = flow

        def get_graph(self) -> FakeGraph:
            return self

        def to_string(self) -> str:
            return f"digraph {getattr(self.flow, '__name__', '')} {{}}"

    def fake_dot(source: str, fmt: str) -> bytes:
        drawn.append((source, fmt))
        return f"{fmt}:{source}".encode()

    monkeypatch.setattr(diagram, "DotGraphMachine", FakeGraph)
    monkeypatch.setattr(diagram, "run_graphviz", fake_dot)
    written = diagram.write_diagrams(tmp_path, images=True)
    assert (tmp_path / "close.svg").read_bytes() == b"svg:digraph CloseFlow {}"
    assert (tmp_path / "edit.png").exists()
    assert len(drawn) == 2 * len(FLOWS)
    assert tmp_path / "README.md" in written


def test_readme_shows_the_current_diagrams() -> None:
    """Fails when a flow changed but ``python -m bot diagram --readme README.md`` was not run."""
    readme = (COMMITTED.parent.parent / "README.md").read_text(encoding="utf-8")
    assert diagram.readme_block() in readme, "run: make diagrams"
