"""The real web chat server for tests, started as ``python -m bot web`` starts it, over a
fresh demo database, and sign-in links for it."""

from __future__ import annotations

from typing import Any

from bot.charts import render_usage_chart
from bot.config import Settings
from bot.runtime import engine_settings
from bot.web.links import issue_sign_in_link
from bot.web.server import WebServer, start_web_server
from flows.engine import Engine
from storage.sandbox import FreshDatabase

HOST = "127.0.0.1"


def web_settings(**overrides: Any) -> Settings:
    """The defaults, whatever the environment of the test run says."""
    return Settings.model_construct(**overrides)


async def serve(db: FreshDatabase, **overrides: Any) -> WebServer:
    """The web chat on a free port of 127.0.0.1 over ``db`` (settings ``overrides``)."""
    settings = web_settings(**overrides)
    engine = Engine(db.stores, engine_settings(settings), charts={"web": render_usage_chart})
    return await start_web_server(engine, db.database, settings, host=HOST, port=0)


async def link_for(db: FreshDatabase, server: WebServer, email: str, ttl: int = 900) -> str:
    """A fresh one-time sign-in link for ``email`` (as ``link-code --channel web`` prints)."""
    return await issue_sign_in_link(db.database, email, server.url, ttl)


def base(server: WebServer) -> str:
    """The server's ``http://host:port``."""
    return f"http://{HOST}:{server.port}"
