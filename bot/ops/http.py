"""``/healthz``, ``/readyz``, ``/metrics`` and ``POST /usage``: on the webhook server, or a
small side server.

- ``GET /healthz``: 200 ``ok`` while the process serves HTTP at all (liveness).
- ``GET /readyz``: 200 ``ready`` when the database answers and its schema is the latest
  migration; otherwise 503 with the reason in plain text (readiness: send no traffic).
  Also 503 once :meth:`Readiness.stop` was called (a worker shutting down).
- ``GET /metrics``: Prometheus' text format. With ``PROMETHEUS_MULTIPROC_DIR`` set (several
  worker processes), every scrape aggregates the files all workers write there, so
  whichever worker answers reports the whole service; otherwise this process's metrics.
- ``POST /usage``: the platform records usage (``bot.usage.http``; bearer ``USAGE_API_TOKEN``,
  503 while that is not set).
"""

from __future__ import annotations

import errno
import logging
import os
import socket

from aiohttp import web
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.aiohttp import make_aiohttp_handler
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.listening import listen
from bot.ops.readiness import unready_reason
from bot.startup.error import StartupError
from bot.usage.http import UsageEndpoint
from storage.unit_of_work import Database

__all__ = ["MULTIPROC_ENV", "Readiness", "add_ops_routes", "metrics_registry", "start_ops_server"]

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
TEXT = "text/plain"


def metrics_registry() -> Collector:
    """What ``/metrics`` shows: every worker's files when ``PROMETHEUS_MULTIPROC_DIR`` is
    set, else this process's default registry."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return REGISTRY
    registry = CollectorRegistry()
    # Reads the directory on every scrape. (prometheus-client leaves it unannotated.)
    MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return registry


class Readiness:
    """Answers ``/readyz`` for one database; :meth:`stop` makes it say no from then on."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.stopping: str | None = None

    def stop(self, reason: str = "shutting down") -> None:
        """Report not ready (the load balancer stops sending) while the process winds down."""
        self.stopping = reason

    async def reason(self) -> str | None:
        """None when ready, else why not."""
        if self.stopping is not None:
            return self.stopping
        return await unready_reason(self.database)

    async def handle(self, _request: web.Request) -> web.Response:
        reason = await self.reason()
        if reason is None:
            return web.Response(text="ready\n", content_type=TEXT)
        return web.Response(status=503, text=reason + "\n", content_type=TEXT)


async def _healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok\n", content_type=TEXT)


def add_ops_routes(
    app: web.Application, database: Database, *, usage_token: str | None = None
) -> Readiness:
    """Serve ``/healthz``, ``/readyz`` (about ``database``), ``/metrics`` and ``POST /usage``
    (recording into ``database``, for bearer ``usage_token``; switched off without one)
    on ``app``."""
    readiness = Readiness(database)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", readiness.handle)
    app.router.add_get("/metrics", make_aiohttp_handler(metrics_registry()))
    UsageEndpoint(database, usage_token).register(app)
    return readiness


async def start_ops_server(
    database: Database, host: str, port: int, *, usage_token: str | None = None
) -> web.AppRunner:
    """The ops endpoints on their own ``host:port`` (polling mode has no web server);
    ``runner.cleanup()`` stops it. Port 0 picks a free port (``runner.addresses``).

    A port in use or an address not of this machine raises a StartupError naming
    ``OPS_PORT`` / ``OPS_HOST``.
    """
    app = web.Application()
    add_ops_routes(app, database, usage_token=usage_token)
    try:
        runner = await listen(app, host, port)
    except OSError as error:
        raise _listen_problem(error, host, port) from error
    bound_host, bound_port = runner.addresses[0][:2]
    log.info("health and metrics on http://%s:%s (/healthz, /readyz, /metrics, /usage)",
             bound_host, bound_port)
    return runner


def _listen_problem(error: OSError, host: str, port: int) -> StartupError:
    if error.errno == errno.EADDRINUSE:
        return StartupError(
            "OPS_PORT",
            f"port {port} on {host} is already in use by another program.",
            "Stop that program (ss -ltnp shows it), choose a free port with OPS_PORT, "
            "or set OPS_PORT=0 to serve no health and metrics endpoints.",
        )
    detail = error.strerror or type(error).__name__
    if isinstance(error, socket.gaierror):
        detail = f"no such address: {error.strerror}"
    return StartupError(
        "OPS_HOST / OPS_PORT",
        f"cannot listen on {host}:{port} ({detail}).",
        "Use an address of this machine for OPS_HOST (e.g. 127.0.0.1 or 0.0.0.0) and a "
        "port of 1024 or above for OPS_PORT.",
    )
