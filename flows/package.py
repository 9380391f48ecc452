"""Package and usage: what the package includes, usage this period, balance, subscriptions."""

from __future__ import annotations

from flows.base import FlowMachine, State
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.ports import PACKAGES, Catalogue, UsageReport
from flows.wording import day, meter_line


class PackageFlow(FlowMachine):
    """An overview screen and a side-by-side comparison of all packages."""

    flow_name = "package"
    menu_entry = MenuEntry("📦 Package & usage", position=30)
    intent_rule = IntentRule(
        precedence=20,
        all_of=(
            words(
                "package plan usage use used quota limit limits tier balance"
                " subscription subscriptions compare included includes meter"
            ),
        ),
    )
    help_text = (
        "This shows your package, what it includes, and how much of it you have used "
        "this billing period. Choose Compare packages to see all packages side by side."
    )

    overview = State(initial=True)
    comparing = State()

    compare = overview.to(comparing)
    back = comparing.to(overview)

    async def render_overview(self) -> None:
        ctx = self.ctx
        report = await ctx.store.get(PACKAGES).usage_report(ctx.user.account_id, ctx.now.date())
        ctx.screen(
            usage_text(report),
            [("📊 Compare packages", "compare"), ("🏠 Menu", "menu")],
            chart=report,
        )

    async def render_comparing(self) -> None:
        catalogue = await self.ctx.store.get(PACKAGES).catalogue()
        text = comparison_text(catalogue, self.ctx.user.package_code)
        self.ctx.screen(text, [("⬅️ Back", "back"), ("🏠 Menu", "menu")])


def usage_text(report: UsageReport) -> str:
    """The overview screen's text: package, inclusions, meters, balance, subscriptions."""
    package = report.package
    lines = [
        f"📦 Your package: {package.name} ({package.monthly_price} per month)",
        "",
        "Included:",
        *(f"• {feature}" for feature in package.features),
        "",
        f"Usage this billing period ({day(report.period_start)} – {day(report.period_end)}):",
    ]
    for usage in report.meters:
        lines += [meter_line(usage), ""]
    lines.append(f"💰 Prepaid balance: {report.balance}")
    if report.subscriptions:
        lines.append("Active subscriptions:")
        lines += [f"• {s.name}: {s.price} per {s.interval}" for s in report.subscriptions]
    else:
        lines.append("No active subscriptions.")
    return "\n".join(lines)


def comparison_text(catalogue: Catalogue, current: str) -> str:
    """Features and included quantities of every package, side by side."""
    packages = catalogue.packages
    header = " | ".join(f"{p.name}{' (yours)' if p.code == current else ''}" for p in packages)
    lines = ["📊 Compare packages", header, ""]
    # Packages are cumulative ("Everything in Connect"): each includes all below it.
    included: list[set[str]] = []
    features: list[str] = []
    for package in packages:
        own = [f for f in package.features if not f.startswith("Everything in")]
        features += [f for f in own if f not in features]
        included.append((included[-1] if included else set()) | set(own))
    for feature in features:
        marks = " ".join("✅" if feature in has else "—" for has in included)
        lines.append(f"{marks}  {feature}")
    lines += ["", "Included each month:"]
    for meter in catalogue.meters:
        amounts = " | ".join(
            f"{p.allowances.get(meter.code, 0):,}" if p.allowances.get(meter.code) else "—"
            for p in packages
        )
        lines.append(f"{meter.label}: {amounts}")
    lines += ["", "Price per month: " + " | ".join(str(p.monthly_price) for p in packages)]
    return "\n".join(lines)
