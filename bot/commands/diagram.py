"""``python -m bot diagram --out DIR``: draw every flow's state machine from the code.

Mermaid text always (``<flow>.mmd`` and a ``README.md`` that GitHub and GitLab
render); SVG and PNG too when Graphviz ``dot`` and ``pydot`` are installed.
The output is deterministic, so a test can tell when the committed diagrams
no longer match the code.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from statemachine.contrib.diagram import DotGraphMachine, MermaidGraphMachine
from statemachine.contrib.diagram.graphviz import run_graphviz

from flows.base import FlowMachine
from flows.registry import FLOWS
from flows.routing import KEYWORDS
from flows.settings import EngineSettings
from flows.types import Role

DEFAULT_OUT = Path("docs/diagrams")
IMAGE_FORMATS = ("svg", "png")
HEADER = """# Conversation flows

Generated from the code by `python -m bot diagram --out docs/diagrams`; do not edit by hand.
Every flow is a python-statemachine machine in `flows/`. Arrows are labelled with the event
(a button press or typed text) and, in brackets, the guard that must hold. Guards only ask;
a step that writes (Save, the final Confirm) goes to a state the flow never stops in
(`saving`, `closing`), and the arrows out of it, with no event, are taken at once by what
the write answered. An arrow without a guard is the way taken when none before it holds.

Global keywords work from every state of every flow: {keywords}.
**menu** and **cancel** leave the flow without saving anything; **back** goes one step back
(or to the main menu from a flow's first step); **help** explains the current step.
After {timeout} of inactivity a flow expires and the next message shows the main menu.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("diagram", help="draw every flow's state machine")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"default {DEFAULT_OUT}"
    )
    parser.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="also refresh the diagrams between the markers in this Markdown file",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    written = write_diagrams(args.out)
    if args.readme is not None:
        update_readme(args.readme)
        written.append(args.readme)
    for path in written:
        print(f"wrote {path}")
    if not images_available():
        print("Graphviz (dot) or pydot is not installed: wrote Mermaid only, no SVG/PNG.")
    return 0


def flow_mermaid(flow: type[FlowMachine]) -> str:
    """The flow's states and transitions as a Mermaid ``stateDiagram-v2``."""
    return str(MermaidGraphMachine(flow)())


def menu_mermaid() -> str:
    """The main menu: which flow each option starts, and who sees it."""
    lines = ["stateDiagram-v2", "    direction LR", '    state "Main menu" as menu']
    lines.append("    [*] --> menu")
    for flow, entry in FLOWS.menu_entries():
        text = re.sub(r"^\W+", "", entry.label)  # without the emoji
        lines.append(f"    menu --> {flow} : {text} ({who_sees(entry.least_role)})")
    return "\n".join(lines) + "\n"


def who_sees(least: Role) -> str:
    """The roles that see an option meant for ``least`` and above, as the diagram says it."""
    roles = [role.value for role in Role if role.reaches(least)]
    if len(roles) == len(Role):
        return "everyone"
    return f"{roles[0]} only" if len(roles) == 1 else ", ".join(roles)


def readme(diagrams: dict[str, str]) -> str:
    """A Markdown page with every diagram, to link from the project README."""
    keywords = ", ".join(f"`{word}`" for word in sorted(set(KEYWORDS.values())))
    minutes = EngineSettings().flow_timeout_seconds // 60
    parts = [HEADER.format(keywords=keywords, timeout=f"{minutes} minutes (configurable)")]
    parts.append("## Main menu\n\n```mermaid\n" + diagrams["menu"] + "```\n")
    for name, flow in FLOWS.items():
        title = f"## `{name}` flow ({flow.__name__}, `{flow.__module__}`)"
        help_text = f"\n\n{flow.help_text}" if flow.help_text else ""
        parts.append(f"{title}{help_text}\n\n```mermaid\n{diagrams[name]}```\n")
    return "\n".join(parts)


README_START = "<!-- diagrams:start (python -m bot diagram --readme README.md) -->"
README_END = "<!-- diagrams:end -->"


def readme_block() -> str:
    """Every diagram, for the project README, between the markers."""
    parts = [README_START, "", "```mermaid\n" + menu_mermaid() + "```"]
    for name, flow in FLOWS.items():
        parts += [
            "",
            f"**{name}** ({flow.__name__})",
            "",
            "```mermaid\n" + flow_mermaid(flow) + "```",
        ]
    return "\n".join([*parts, README_END])


def update_readme(path: Path) -> None:
    """Replace the block between the diagram markers of ``path`` with fresh diagrams."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    path.write_text(text[:start] + readme_block() + text[end:], encoding="utf-8")


def images_available() -> bool:
    """Whether SVG/PNG can be drawn here (Graphviz's ``dot`` and the ``pydot`` package)."""
    try:
        import pydot  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def write_diagrams(out: Path, *, images: bool | None = None) -> list[Path]:
    """Write ``<flow>.mmd`` for every flow, ``menu.mmd`` and ``README.md`` (and images)."""
    out.mkdir(parents=True, exist_ok=True)
    diagrams = {"menu": menu_mermaid()} | {name: flow_mermaid(f) for name, f in FLOWS.items()}
    written = []
    for name, text in diagrams.items():
        path = out / f"{name}.mmd"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if images_available() if images is None else images:
        for name, flow in FLOWS.items():
            dot_source = DotGraphMachine(flow).get_graph().to_string()
            for fmt in IMAGE_FORMATS:
                path = out / f"{name}.{fmt}"
                path.write_bytes(run_graphviz(dot_source, fmt))
                written.append(path)
    (out / "README.md").write_text(readme(diagrams), encoding="utf-8")
    written.append(out / "README.md")
    return written
