"""Language / Idioma: choose the language the bot writes in; the choice is kept per user.

Every member may use it. Until a user chooses, the bot follows the channel's hint
(Telegram's app language, ``--language``, a script's ``language:``), else English;
once chosen, the choice wins on every channel the user is linked on. The hint is kept
too (:func:`remember_app_language`), for messages nobody asked for (usage alerts, an
agent's answers), which have no hint of their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from flows.base import FlowMachine, State
from flows.context import Option
from flows.i18n import LANGUAGES, N_, _, current_language, language_of
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.ports import Capability, TurnStore, UserContext


class LanguageStore(Protocol):
    async def set_language(self, *, user_id: int, language: str) -> None:
        """Store ``language`` (a supported code) as ``user_id``'s choice."""

    async def set_app_language(self, *, user_id: int, language: str) -> None:
        """Store ``language`` (a supported code) as what ``user_id``'s app last said."""


LANGUAGE = Capability[LanguageStore]("language")


async def remember_app_language(
    store: TurnStore, user: UserContext, hint: str | None
) -> UserContext:
    """Keep the language the channel's ``hint`` names as the user's app language, if it
    is a supported one and not the one stored already; returns the user as now stored.

    A steady user costs nothing: the stored value came with the turn's first read, and
    only a change writes (in the turn's unit of work, so it commits with the turn).
    """
    app = language_of(hint)
    if app is None or app == user.app_language:
        return user
    await store.get(LANGUAGE).set_app_language(user_id=user.user_id, language=app)
    return replace(user, app_language=app)

NAMES = {"en": N_("English"), "es": N_("Spanish")}
"""Languages named in a sentence, in the turn's language ("inglés"); the buttons name each
in its own language (``flows.i18n.LANGUAGES``)."""


def named(language: str) -> str:
    """``language`` named in the turn's language."""
    return _(NAMES[language])


class LanguageFlow(FlowMachine):
    """One screen: the current language and a button per language; a choice ends it."""

    flow_name = "choose_language"  # stored in conversation records; never rename
    # Both languages in the label, untranslated: whoever cannot read the current one
    # still finds it.
    menu_entry = MenuEntry("🌐 Language / Idioma", position=50)
    intent_rule = IntentRule(
        precedence=5,  # the least: only a request about the language itself
        all_of=(words("language languages idioma idiomas lengua"),),
    )
    help_text = N_(
        "Choose the language I write in. Your choice is kept for your account, "
        "on every chat you use."
    )

    choosing = State(initial=True)
    chosen = State(final=True)

    choose = choosing.to(chosen, cond="supported", on="keep_choice") | choosing.to.itself(
        internal=True, on="explain_unsupported"
    )

    # -- guards -------------------------------------------------------------
    def supported(self, arg: str = "") -> bool:
        return language_of(arg) is not None

    # -- actions ------------------------------------------------------------
    async def keep_choice(self, arg: str = "") -> None:
        ctx = self.ctx
        language = language_of(arg) or ""
        await ctx.store.get(LANGUAGE).set_language(user_id=ctx.user.user_id, language=language)
        ctx.user = replace(ctx.user, language=language)
        ctx.speak(language)  # the answer, and the menu after it, in the new language
        ctx.note(_("✅ From now on I will write in {language}.").format(language=named(language)))

    def explain_unsupported(self) -> None:
        self.ctx.note(_("Please choose one of the languages below."))

    # -- screens --------------------------------------------------------------
    async def render_choosing(self) -> None:
        current = named(current_language())
        if self.ctx.user.language:
            text = _("🌐 I am writing in {language}.").format(language=current)
        else:
            text = _("🌐 I am writing in {language}, as your app is set up.").format(
                language=current
            )
        text += "\n" + _("Which language should I use?")
        options: list[Option] = [(name, f"choose.{code}") for code, name in LANGUAGES.items()]
        options.append((_("🏠 Menu"), "menu"))
        self.ctx.screen(text, options)
