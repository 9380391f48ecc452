"""Package and usage: a short overview, and behind buttons what the package includes,
a comparison of the packages (one a page) and the subscriptions and balance."""

from __future__ import annotations

from flows.base import FlowMachine, State
from flows.context import Option
from flows.i18n import N_, _
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.package_text import balance_text, comparison_page, inclusions_text, usage_text
from flows.ports import PACKAGES, UsageReport

BACK: Option = (N_("⬅️ Back"), "back")
MENU: Option = (N_("🏠 Menu"), "menu")


class PackageFlow(FlowMachine):
    """The overview (with the usage chart where the channel draws one) and three pages."""

    flow_name = "package"
    menu_entry = MenuEntry(N_("📦 Package & usage"), position=30)
    intent_rule = IntentRule(
        precedence=20,
        all_of=(
            words(
                "package plan usage use used quota limit limits tier balance"
                " subscription subscriptions compare included includes meter"
                " paquete consumo uso cuota limite saldo suscripcion suscripciones"  # Spanish
                " comparar incluido incluye"
            ),
        ),
    )
    help_text = N_(
        "This shows your package and how much of it you have used this billing period. "
        "The buttons show what it includes, the other packages, and your subscriptions "
        "and balance."
    )

    overview = State(initial=True)
    inclusions = State()
    comparing = State()
    billing = State()

    included = overview.to(inclusions)
    compare = overview.to(comparing, on="start_comparing") | inclusions.to(
        comparing, on="start_comparing"
    )
    page = comparing.to.itself(internal=True, on="turn_page")
    balance = overview.to(billing)
    back = inclusions.to(overview) | comparing.to(overview) | billing.to(overview)

    # -- actions ------------------------------------------------------------
    def start_comparing(self) -> None:
        self.ctx.data["page"] = self.ctx.user.package_code  # their own package first

    async def turn_page(self, arg: str = "") -> None:
        catalogue = await self.ctx.store.get(PACKAGES).catalogue()
        if any(package.code == arg for package in catalogue.packages):
            self.ctx.data["page"] = arg

    # -- screens --------------------------------------------------------------
    async def render_overview(self) -> None:
        ctx = self.ctx
        report = await self._report()
        # The chart comes with the first look only: coming back from a page, help or a
        # stale button, it is still on screen above.
        chart = None if ctx.data.get("charted") else report
        ctx.data["charted"] = True
        ctx.screen(
            usage_text(report),
            [
                (_("📋 What's included"), "included"),
                (_("📊 Compare packages"), "compare"),
                (_("💰 Subscriptions & balance"), "balance"),
                (_(MENU[0]), MENU[1]),
            ],
            chart=chart,
        )

    async def render_inclusions(self) -> None:
        report = await self._report()
        catalogue = await self.ctx.store.get(PACKAGES).catalogue()
        self.ctx.screen(
            inclusions_text(report.package, catalogue.meters),
            [(_("📊 Compare packages"), "compare"), (_(BACK[0]), BACK[1]), (_(MENU[0]), MENU[1])],
        )

    async def render_comparing(self) -> None:
        catalogue = await self.ctx.store.get(PACKAGES).catalogue()
        current = self.ctx.user.package_code
        shown = str(self.ctx.data.get("page") or current)
        others: list[Option] = [
            (f"📦 {package.name}", f"page.{package.code}")
            for package in catalogue.packages
            if package.code != shown
        ]
        self.ctx.screen(
            comparison_page(catalogue, shown, current),
            [*others, (_(BACK[0]), BACK[1]), (_(MENU[0]), MENU[1])],
        )

    async def render_billing(self) -> None:
        self.ctx.screen(
            balance_text(await self._report()), [(_(BACK[0]), BACK[1]), (_(MENU[0]), MENU[1])]
        )

    async def _report(self) -> UsageReport:
        ctx = self.ctx
        return await ctx.store.get(PACKAGES).usage_report(ctx.user.account_id, ctx.now.date())
