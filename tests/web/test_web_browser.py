"""End to end in a real headless Chromium: a diary through the web chat by clicking and
typing, and the dashboard's charts after `leercoach demo`; both saved as screenshots (the
test's tmp folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import demo
from bot.runtime import Runtime
from bot.storage.models import DiaryEntry, Identity
from tests.rigs.browser import (
    WAIT,
    live_server,
    log_in,
    login_token,
    screenshot,
    severe_console_errors,
    wait_for,
)


def test_a_diary_through_the_web_chat_by_clicking_and_typing(
        runtime: Runtime, chromium: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium
    with live_server(runtime) as base:
        log_in(driver, base, login_token(runtime, None))
        wait_for(driver, "#new-person-name")
        driver.find_element(By.ID, "new-person-name").send_keys("Alex Browser")
        driver.find_element(By.ID, "new-person-create").click()
        wait_for(driver, "#chat-input")

        def say(text: str) -> None:
            bot_messages = len(driver.find_elements(By.CSS_SELECTOR, ".msg.msg-bot"))
            box = driver.find_element(By.ID, "chat-input")
            box.send_keys(text)
            driver.find_element(By.ID, "chat-send").click()
            wait_for(driver, ".msg.msg-bot", bot_messages + 1)

        say("dagboek")
        say("Een klant vroeg iets lastigs.")
        say("Ik vroeg eerst door voor ik antwoordde.")
        say("Eerst vragen, dan adviseren.")
        scale = wait_for(driver, "button.scale[data-value]", 5)
        shown = [button.get_attribute("data-value") for button in scale[-5:]]
        assert shown == ["1", "2", "3", "4", "5"]
        bot_messages = len(driver.find_elements(By.CSS_SELECTOR, ".msg.msg-bot"))
        scale[-2].click()  # 4
        wait_for(driver, ".msg.msg-bot", bot_messages + 1)
        mine = [element.text for element in driver.find_elements(By.CSS_SELECTOR,
                                                                 ".msg.msg-me")]
        assert "Eerst vragen, dan adviseren." in mine
        screenshot(driver, tmp_path, "web-chat")
        assert severe_console_errors(driver) == []

    with runtime.database.connect() as connection:
        person_id = connection.execute(select(Identity.person_id).where(
            Identity.platform == "web")).scalar_one()
        entry = connection.execute(select(DiaryEntry).where(
            DiaryEntry.person_id == person_id)).one()
    assert entry.learning == "Eerst vragen, dan adviseren."
    assert entry.value == 4


CHARTS_DRAWN = """
const charts = [...document.querySelectorAll('[data-chart] canvas')];
return charts.map(canvas => {
  const blank = document.createElement('canvas');
  blank.width = canvas.width; blank.height = canvas.height;
  return {key: canvas.closest('[data-chart]').dataset.chart, width: canvas.width,
          height: canvas.height, drawn: canvas.toDataURL() !== blank.toDataURL()};
});
"""


def test_the_dashboard_draws_its_charts_after_the_demo(
        runtime: Runtime, chromium: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with runtime.database.begin() as connection:
        demo.build_demo(connection, now=runtime.engine.clock())
    driver = chromium
    driver.set_window_size(1280, 3600)
    with live_server(runtime) as base:
        log_in(driver, base, login_token(runtime, None))
        driver.get(f"{base}/dashboard")
        wait_for(driver, "[data-chart] canvas", 6)
        driver.implicitly_wait(0)
        # Chart.js draws after an animation frame: wait until every canvas has pixels
        from selenium.webdriver.support.ui import WebDriverWait

        charts = WebDriverWait(driver, WAIT).until(
            lambda d: result if all((result := d.execute_script(CHARTS_DRAWN)) and
                                    [chart["drawn"] for chart in result]) else False)
        keys = {chart["key"] for chart in charts}
        assert {"diary_response", "streaks", "peer_reviews", "focus", "contracts",
                "practice"} <= keys
        assert all(chart["width"] > 0 and chart["height"] > 0 for chart in charts)
        page = driver.find_element(By.TAG_NAME, "main").text
        assert "te weinig deelnemers" in page  # the demo's management team of four
        screenshot(driver, tmp_path, "dashboard")
        assert severe_console_errors(driver) == []
