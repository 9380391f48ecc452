"""``python -m testkit.botapi [--port 8081] [--token 123:abc]``: run the test server by hand."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from testkit.botapi.server import BotApiServer


async def serve(host: str, port: int, token: str) -> None:
    server = await BotApiServer(token=token).start(host, port)
    print(f"Bot API server for token {token} at {server.url}  (control: {server.url}/_emulator)",
          flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Also when started in the background, where SIGINT is ignored by default.
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m testkit.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:abc")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
