"""What the fuzzed users do: typed text, forged button data and time passing.

Most texts are drawn as plain strings. Two kinds are drawn as small specs instead and
turned into text when the step runs: :class:`FromScreen` (a label of a button on the
chat's screen, one of its words, a typo of it, the account name...), because what is
on screen is only known then; and :class:`Long` (10–100 kB), because Hypothesis draws
strings character by character and a 100 kB draw would exhaust its buffer. Both keep a
short ``repr`` so a shrunk failing example stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

from bot.telegram.limits import MAX_CALLBACK_DATA
from tests.fuzz.world import EMAILS

KEYWORDS = (
    "menu", "back", "cancel", "help", "/menu", "/start", "/help", "/cancel", "stop", "quit",
    "exit", "?", "home", "main menu", "MENU", " Back ", "Cancel!", "helpp", "menü", "/logout",
    "/start not-a-code", "/unknown", "/", "/start@acme_accounts_bot",
)
# Words people type at a step that writes, hoping it acts like the button.
COMMIT_WORDS = (
    "close", "permanently", "close permanently", "Close it permanently", "yes", "y", "Yes!",
    "confirm", "ok", "save", "Save", "✅ Save", "save my changes", "keep", "continue",
    "proceed", "I confirm", "yes close it", "do it", "closee", "permanantly", "CLOSE",
    "close acme", "Acme Trading Ltd", "Initech Payments", "Globex Retail",
)
INTENTS = (
    "close my account", "delete my account", "cancel my account", "clsoe my acount",
    "terminate account please", "change my email", "chnage my email", "update my phone",
    "set my time zone", "change the country", "change currency", "edit my address",
    "show my usage", "what package am I on", "compare packages", "account details",
    "show details", "edit details", "how do I close", "who is the owner", "balance",
    "I want to shut down the account now", "remove account and subscriptions",
)
VALID_VALUES = (
    "billing@example.com", "Olivia.Owner+bills@acme.example", "+44 20 7946 0018",
    "+1 217 555 0134", "+49 30 901820", "Germany", "DE", "uk", "United States", "Europe/Paris",
    "America/New_York", "asia/tokyo", "EUR", "gbp", "Acme Trading Europe", "New Name Ltd",
    "Acme Trading Limited", "1 High Street, London EC1A 1AA", "HRB 999 B", "Mx Test Person",
)
INVALID_VALUES = (
    "not-an-email", "a@b", "@example.com", "+1 23", "+999 1234567", "12", "Narnia", "XX",
    "Mars/Base_One", "Europe/Londn", "XYZ", "US Dollar", "a", " ", "x" * 81, "x" * 201,
    "line one\nline two", "tab\there", "zero\u200bwidth", "right\u202eleft",
)
MARKUP = (
    "<b>close</b>", "<script>alert(1)</script>", "<a href=\"tg://user?id=1\">x</a>",
    "*bold* _italic_ `code` [link](http://example.com)", "```close```", "||spoiler||",
    "&lt;b&gt; &amp; &#x3C;", "</b></i></code>", "<pre><code class=\"x\">save</code></pre>",
    "\\*escaped\\* \\_md\\_", "# Heading\n- item\n> quote", "{{name}} ${name} %s %(name)s",
    "'; DROP TABLE accounts; --", "<tg-spoiler>close</tg-spoiler>",
)
UNICODE = (
    "ｃｌｏｓｅ", "Ｃｌｏｓｅ ａｃｃｏｕｎｔ", "закрыть аккаунт", "إغلاق الحساب", "关闭账户",
    "🛑", "🛑 Close account", "👨‍👩‍👧‍👦", "e\u0301", "ǅ", "ß", "İstanbul", "\ufeffmenu",
    "CLOSE\u0338", "Acme\u00a0Trading\u00a0Ltd", "ACME TRADİNG LTD", "acme  trading   ltd",
)
LONG_UNITS = ("close ", "a", "🛑", "menu ", "<b>x</b>", "Acme Trading Ltd ", "\n", "é")
LONG_TAILS = ("", " close", " Acme Trading Ltd", "\nmenu", " save")


@dataclass(frozen=True, slots=True)
class Long:
    """A long text: ``unit`` repeated to ``length`` characters, then ``tail``."""

    unit: str
    length: int
    tail: str = ""

    def render(self) -> str:
        body = self.unit * (self.length // len(self.unit) + 1)
        return body[: self.length] + self.tail

    def __repr__(self) -> str:
        tail = f" + {self.tail!r}" if self.tail else ""
        return f"Long({self.unit!r} x {self.length}{tail})"


ScreenSource = Literal["label", "word", "substring", "name", "other_name"]


@dataclass(frozen=True, slots=True)
class FromScreen:
    """Text taken from what the chat shows when the step runs, then maybe mangled.

    ``pick`` chooses which label / word / account (modulo how many there are);
    ``mangle`` chooses a change: 0 none, 1 upper case, 2 lower case, 3 extra spaces,
    4 swap two letters, 5 drop a letter, 6 double a letter, 7 add "!", 8 quotes,
    9 emoji and punctuation removed.
    """

    source: ScreenSource
    pick: int
    mangle: int

    def resolve(self, labels: list[str], account_name: str, other_names: list[str]) -> str:
        if self.source == "name" or (not labels and self.source != "other_name"):
            base = account_name
        elif self.source == "other_name":
            base = other_names[self.pick % len(other_names)] if other_names else account_name
        else:
            label = labels[self.pick % len(labels)]
            words = label.split() or [label]
            if self.source == "label":
                base = label
            elif self.source == "word":
                base = words[self.pick // len(labels) % len(words)]
            else:  # a run of characters from the middle of the label
                start = self.pick % max(1, len(label) - 3)
                base = label[start : start + 4 + self.pick % 9]
        return mangled(base, self.mangle, self.pick)


def mangled(text: str, how: int, at: int) -> str:
    """``text`` changed the way people get things slightly wrong (see :class:`FromScreen`)."""
    i = at % len(text) if text else 0
    changes = {
        1: lambda: text.upper(),
        2: lambda: text.lower(),
        3: lambda: "  " + "   ".join(text.split()) + " ",
        4: lambda: text[:i] + text[i + 1 : i + 2] + text[i : i + 1] + text[i + 2 :],
        5: lambda: text[:i] + text[i + 1 :],
        6: lambda: text[: i + 1] + text[i:],
        7: lambda: text + "!",
        8: lambda: f"“{text}”",
        9: lambda: "".join(ch for ch in text if ch.isalnum() or ch.isspace()).strip(),
    }
    result = changes.get(how % 10, lambda: text)()
    return result or text


TypedText = str | Long | FromScreen


def _controlled(word: str, control: str, where: int) -> str:
    """A word with control or format characters before, inside or after it."""
    middle = len(word) // 2
    return (control + word, word[:middle] + control + word[middle:], word + control)[where % 3]


def typed_texts() -> st.SearchStrategy[TypedText]:
    """Everything a person might type; screen-derived text is the most common kind,
    because the words on the current buttons are what tempts a wrong match."""
    control_chars = st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=6
    )
    from_screen = st.builds(
        FromScreen,
        source=st.sampled_from(["label", "word", "substring", "name", "other_name"]),
        pick=st.integers(0, 50),
        mangle=st.integers(0, 12),
    )
    return st.one_of(
        from_screen,
        st.sampled_from(KEYWORDS),
        st.sampled_from(COMMIT_WORDS),
        from_screen,
        st.sampled_from(INTENTS),
        st.sampled_from(VALID_VALUES + INVALID_VALUES),
        from_screen,
        st.sampled_from(MARKUP),
        st.builds(lambda tag, inner: f"<{tag}>{inner}</{tag}>",
                  st.sampled_from(["b", "i", "code", "a", "pre", "u"]),
                  st.sampled_from(COMMIT_WORDS + KEYWORDS)),
        st.sampled_from(UNICODE),
        st.text(min_size=1, max_size=40),
        st.builds(_controlled, st.sampled_from(COMMIT_WORDS + KEYWORDS + INTENTS),
                  control_chars, st.integers(0, 2)),
        control_chars,
        st.builds(
            Long,
            unit=st.one_of(st.sampled_from(LONG_UNITS), st.text(min_size=1, max_size=8)),
            length=st.integers(10_000, 100_000),
            tail=st.sampled_from(LONG_TAILS),
        ),
    )


TokenSource = Literal["current", "other_chat", "older", "invented", "empty"]
Shape = Literal["ours", "no_prefix", "no_action", "extra_part", "other_prefix"]
FORGED_ACTIONS = (
    "confirm", "save", "proceed", "keep", "back", "more", "discard", "review", "help",
    "menu", "cancel", "text", "start.close", "start.edit", "start.details", "start.package",
    "start.nowhere", "pick.name", "pick.billing_currency", "pick.status", "pick.version",
    "pick.__class__", "pick.", "compare", "confirm.now", "save.all", "activate",
    "render_confirming", "close_now", "store_changes", "close_account", "save_changes",
    "was_closed", "report_closure", "closing", "saving", "",
)


@dataclass(frozen=True, slots=True)
class Forged:
    """Callback data no menu of this chat handed out, or a copy of the current one.

    ``raw`` data is pressed as it is. Otherwise the data is built in our own
    ``m:<menu token>:<action>`` format (or broken variants of it) around a token taken
    from this chat's current menu, another chat's, an older menu of this chat, or
    invented. A forgery equal to the data of a button on screen is, to the bot,
    that button: the invariants treat it as a press of that button.
    """

    shape: Shape
    token: TokenSource
    action: str
    raw: str | None = None

    def resolve(self, current: str | None, other: str | None, older: str | None) -> str:
        if self.raw is not None:
            data = self.raw
        else:
            token = {
                "current": current, "other_chat": other, "older": older,
                "invented": "Zz9_Qq1x", "empty": "",
            }[self.token]
            token = "" if token is None else token
            data = {
                "ours": f"m:{token}:{self.action}",
                "no_prefix": f"{token}:{self.action}",
                "no_action": f"m:{token}",
                "extra_part": f"m:{token}:{self.action}:x",
                "other_prefix": f"n:{token}:{self.action}",
            }[self.shape]
        return _truncated(data) or "x"


def _truncated(data: str) -> str:
    encoded = data.encode()[:MAX_CALLBACK_DATA]  # no client can send longer data
    return encoded.decode(errors="ignore")


def forged_data() -> st.SearchStrategy[Forged]:
    shaped = st.builds(
        Forged,
        shape=st.sampled_from(["ours", "ours", "no_prefix", "no_action", "extra_part",
                               "other_prefix"]),
        token=st.sampled_from(["current", "other_chat", "older", "invented", "empty"]),
        action=st.one_of(st.sampled_from(FORGED_ACTIONS), st.text(max_size=12)),
    )
    raw = st.builds(
        lambda text: Forged("ours", "empty", "", raw=text), st.text(min_size=1, max_size=64)
    )
    return st.one_of(shaped, raw)


def wait_seconds() -> st.SearchStrategy[int]:
    """Time passing: a pause to think, or across the 3-minute close window and the
    10-minute flow timeout (less often, so that flows also get finished)."""
    return st.one_of(
        st.integers(0, 120),
        st.sampled_from([1, 30, 90, 179, 181, 240, 599, 601, 900, 3600, 86_400]),
        st.integers(0, 1_200),
        st.integers(0, 60),
    )


def users() -> st.SearchStrategy[str]:
    return st.sampled_from(EMAILS)


def advancing_users() -> st.SearchStrategy[str]:
    """Users for goal-directed steps: the owners who can close count twice, because a
    closure needs several of their steps before time or other input interrupts it."""
    closers = ("owner@acme.example", "owner@initech.example")
    return st.sampled_from(closers + EMAILS)


def button_picks() -> st.SearchStrategy[int | None]:
    """Which button of the current menu: None is the one that leads deeper (so final
    steps are reached often), a number any button (modulo how many there are)."""
    return st.one_of(st.none(), st.integers(0, 15))


Goal = Literal["close", "save"]


def goals() -> st.SearchStrategy[Goal]:
    return st.sampled_from(["close", "save"])
