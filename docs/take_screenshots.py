"""Take the README's screenshots: the demo organisation's pages in headless Chromium, at a
phone's width (390 px) and a laptop's (1280 px), into docs/screenshots/.

    .venv/bin/python docs/take_screenshots.py

The clock stands still at LEERCOACH_NOW (11 March 2026, 15:00 UTC, unless set), so the
same code gives the same pictures. Needs Debian's `chromium` and `chromium-driver`. The
database is a new SQLite file in a temporary folder, gone afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LEERCOACH_NOW", "2026-03-11T15:00:00Z")  # before the clock is read
sys.path.insert(0, str(ROOT))  # the test rigs build the world and drive the browser

from bot.config import Settings  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from tests.rigs.browser import SCREENSHOTS, headless_chromium, live_server  # noqa: E402
from tests.rigs.pages import PAGES, WIDTHS, build_cast, set_width, visiting  # noqa: E402

SHOWN = ("login", "chat", "me", "dashboard", "dashboard-small-team")  # of tests/rigs/pages
HEIGHTS = {390: 844, 1280: 900}  # an iPhone 14's screen, a laptop's


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        runtime = open_runtime(Settings(database_url=f"sqlite:///{folder}/leercoach.db"))
        try:
            cast = build_cast(runtime)
            with headless_chromium() as driver, live_server(runtime) as base, \
                    visiting(driver, runtime, base, cast) as visitor:
                for width in WIDTHS:
                    set_width(driver, width, HEIGHTS[width])
                    for page in PAGES:
                        if page.name not in SHOWN:
                            continue
                        visitor.open(page)
                        driver.execute_script("window.scrollTo(0, 0)")
                        path = SCREENSHOTS / f"{page.name}-{width}.png"
                        driver.save_screenshot(str(path))
                        print(path.relative_to(ROOT))
        finally:
            runtime.database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
