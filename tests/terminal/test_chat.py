"""``python -m bot chat`` as people run it: piped lines, a real process, a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def chat(
    database: Path, *lines: str, user: str = "owner@acme.example", options: tuple[str, ...] = ()
) -> str:
    """Run the terminal chat with ``lines`` piped in; what it printed."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    env.pop("BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", user, *options],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def acme_status(database: Path) -> str:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            status = connection.execute(
                text("SELECT status FROM accounts WHERE name = 'Acme Trading Ltd'")
            ).scalar_one()
    finally:
        engine.dispose()
    return str(status)


TYPED = ["close", "Acme Trading Ltd", "yes", "permanently", "Close Acme Tradng Ltd permanently"]


def test_typed_words_at_the_last_step_do_not_close_and_the_complete_label_does(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.db"
    # The report's reproduction first: the name, then "close" at the last step.
    printed = chat(database, "close my account", "1", "Acme Trading Ltd", *TYPED)
    assert printed.count(
        "Typing doesn't close the account: press “Close Acme Trading Ltd permanently”"
    ) == len(TYPED)
    assert "is now closed" not in printed
    assert acme_status(database) == "open"
    # In the terminal, the option's complete label (any case or spacing) is the press.
    printed = chat(database, "close acme trading ltd  PERMANENTLY")
    assert "✅ Acme Trading Ltd is now closed." in printed
    assert acme_status(database) == "closed"


def test_a_restart_resumes_the_flow_where_it_was(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    chat(database, "close my account", "1")  # up to the name step, then the chat ends
    printed = chat(database, "Acme Trading Ltd")
    assert "Welcome back. We were in the middle of this" in printed
    assert "type the account name as shown" in printed
    assert "Close Acme Trading Ltd permanently" in printed  # the name step went on
    assert acme_status(database) == "open"


def test_language_es_speaks_spanish_until_the_user_chooses(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    said = chat(database, "ayuda", "idioma", "English", user="admin@acme.example",
                options=("--language", "es"))
    assert "¡Hola, Adam! Está gestionando Acme Trading Ltd como administrador." in said
    assert "• atrás: retroceder un paso" in said
    assert "✅ From now on I will write in English." in said
    # The choice is stored: the next chat, still started with --language es, is English.
    again = chat(database, "menu", user="admin@acme.example", options=("--language", "es"))
    assert "Hi Adam!" in again
