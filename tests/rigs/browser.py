"""A real headless Chromium against the web pages served on a loopback port.

Uses Debian's `chromium` and `chromium-driver` through Selenium. Where they are missing the
browser tests are skipped, except under CI (`CI` set), where `.ci/run` installs them and a
missing browser is a failure, not a silent pass. A test's screenshots go to its tmp folder
(to look at when it fails); the README's are made by docs/take_screenshots.py into
docs/screenshots.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.people import web_access as access
from bot.runtime import Runtime

CHROMIUM = os.environ.get("LEERCOACH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LEERCOACH_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT = 20.0


def wait_for(driver: Any, css: str, count: int = 1) -> list[Any]:
    """The elements matching `css` once there are at least `count` of them."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(
        lambda d: found if len(found := d.find_elements(By.CSS_SELECTOR, css)) >= count
        else False)


def log_in(driver: Any, base: str, token: str) -> None:
    """Log in with the link's button, and wait for the page it lands on (the session's
    logout form), so the next page is not asked for before the cookie is set."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login/{token}")
    driver.find_element(By.ID, "login-button").click()
    wait_for(driver, "form.logout")


def severe_console_errors(driver: Any) -> list[str]:
    """The page's console errors (a missing favicon is no error of ours)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]


@contextmanager
def live_server(runtime: Runtime) -> Iterator[str]:
    """The HTTP app of `leercoach serve` (health check and web pages) on a free loopback
    port, served from its own event loop in a daemon thread; yields its base URL."""
    from adapters.http_server import create_app
    from adapters.web.app import WebAdapter

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="web-live", daemon=True)
    thread.start()
    app = create_app(runtime, adapters=[WebAdapter(runtime)])
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return int(runner.addresses[0][1])

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def login_token(runtime: Runtime, person_id: int | None) -> str:
    with runtime.database.begin() as connection:
        return access.issue_link(connection, person_id, runtime.engine.clock())


def _have_browser() -> bool:
    return bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists()) and Path(CHROMEDRIVER).exists()


@pytest.fixture
def chromium() -> Iterator[object]:
    """A headless Chromium driven by Selenium; closed after the test."""
    if not _have_browser():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium ({CHROMIUM}) or ChromeDriver ({CHROMEDRIVER}) is missing; "
                        ".ci/run installs Debian's chromium and chromium-driver")
        pytest.skip("no Chromium here (apt install chromium chromium-driver)")
    with headless_chromium() as driver:
        yield driver


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through its ChromeDriver (also for the screenshots
    script)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--no-first-run",
                 "--window-size=1280,1000", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--lang=nl-NL"):
        options.add_argument(flag)
    # A Dutch browser, as the product's default: the login page follows Accept-Language.
    options.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, tmp_path: Path, name: str) -> Path:
    """Save the window as PNG in the test's tmp folder."""
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
