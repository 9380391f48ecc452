"""Draw the README's usage charts: the three demo accounts, today, as the bot sends them.

    .venv/bin/python docs/images/render_charts.py

Writes ``usage-<account>.png`` beside this file, reduced to a palette (the pictures
have a handful of colours) so they stay small in the repository.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bot.charts import chart_key, draw_usage_chart
from storage.models import Account
from storage.reads import usage_report
from storage.sandbox import fresh_demo_database

HERE = Path(__file__).parent


async def main() -> None:
    database = await fresh_demo_database("sqlite")
    today = datetime.now(UTC).date()
    try:
        async with database.database.reading() as connection:
            accounts = (await connection.execute(select(Account.id, Account.name))).all()
            for account_id, name in accounts:
                report = await usage_report(connection, account_id, today)
                picture = Image.open(io.BytesIO(draw_usage_chart(chart_key(report))))
                path = HERE / f"usage-{name.split()[0].lower()}.png"
                picture.convert("RGB").quantize(colors=48).save(path, optimize=True)
                print(path, path.stat().st_size)
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
