"""The web chat: the bot in a page, over aiohttp and a WebSocket (see docs/web-chat.md)."""
