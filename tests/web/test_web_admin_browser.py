"""The admin pages in a real headless Chromium at a phone's 390 px and a laptop's 1280 px:
an admin makes a team and a cohort, enrols people and previews a round, all by clicking and
typing; then makes a colleague facilitator and hands them a login link, after which the
colleague sees the dashboard. No page scrolls sideways at either width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from tests.rigs.admin_world import build_admin_world
from tests.rigs.browser import (
    live_server,
    log_in,
    login_token,
    screenshot,
    severe_console_errors,
    wait_for,
)

NO_SIDEWAYS_SCROLL = ("return document.documentElement.scrollWidth <= "
                      "document.documentElement.clientWidth")


def fits(driver: Any) -> None:
    """The page is no wider than the window (a wide table scrolls in its own box)."""
    assert driver.execute_script(NO_SIDEWAYS_SCROLL), driver.current_url


def choose(driver: Any, select_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, select_id)).select_by_visible_text(text)


def submit(driver: Any, css: str) -> None:
    """Click a form's button (or a link) and wait for the page it leads to: the old page's
    window carries a mark that a new page does not have."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.leercoachOldPage = true")
    button = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(driver, 15).until(lambda d: d.execute_script(
        "return window.leercoachOldPage === undefined && document.readyState === 'complete'"))


@pytest.mark.parametrize("width", [390, 1280])
def test_an_admin_runs_a_programme_through_the_pages(
        runtime: Runtime, chromium: Any, tmp_path: Path, width: int) -> None:
    from selenium.webdriver.common.by import By

    world = build_admin_world(runtime)
    driver = chromium
    driver.set_window_size(width, 1000)
    with live_server(runtime) as base:
        log_in(driver, base, login_token(runtime, world.admin))
        submit(driver, 'header nav a[href="/admin"]')
        assert driver.find_element(By.TAG_NAME, "h1").text == "Mensen"
        fits(driver)

        # a team, with three people in it
        submit(driver, '.admin-sections a[href="/admin/teams"]')
        driver.find_element(By.ID, "team-name").send_keys("Bakkers")
        submit(driver, "#team-new button[type=submit]")
        assert "Team Bakkers" in driver.find_element(By.TAG_NAME, "h1").text
        for name in ("Anna de Wit", "Bram Smit", "Cees Bos"):
            choose(driver, "member-person", f"{name} (#{_id_of(world, name)})")
            submit(driver, "#team-add button[type=submit]")
        members = driver.find_element(By.ID, "team-members").text
        assert all(name in members for name in ("Anna de Wit", "Bram Smit", "Cees Bos"))
        fits(driver)

        # a cohort with that team, one more person, and a preview of its first round
        submit(driver, '.admin-sections a[href="/admin/cohorts"]')
        driver.find_element(By.ID, "cohort-name").send_keys("Ochtendploeg")
        choose(driver, "cohort-mode", "elke ronde iemand anders")
        choose(driver, "cohort-weekday", "dinsdag")
        choose(driver, "cohort-team", "Bakkers")
        fits(driver)
        submit(driver, "#cohort-new button[type=submit]")
        assert "Cohort Ochtendploeg" in driver.find_element(By.TAG_NAME, "h1").text
        choose(driver, "enrol-person", f"Dewi Mol (#{_id_of(world, 'Dewi Mol')})")
        submit(driver, "#cohort-enrol button[type=submit]")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#cohort-members > li")) == 4
        submit(driver, "#cohort-preview")
        result = wait_for(driver, "#round-result")[0]
        assert "Zo ziet ronde 1 eruit" in result.text
        assert len(driver.find_elements(By.CSS_SELECTOR, ".round-group")) == 2
        fits(driver)
        if width > 1000:  # the README's pictures: the cohort on a laptop, people on a phone
            screenshot(driver, tmp_path, "admin-cohort")

        # Piet becomes facilitator and gets a login link
        submit(driver, '.admin-sections a[href="/admin/people"]')
        fits(driver)
        row = f"#person-{world.participant}"
        choose(driver, f"role-{world.participant}", "procesbegeleider")
        submit(driver, f"{row} form:first-of-type button[type=submit]")
        assert "De rol is aangepast." in driver.find_element(By.CSS_SELECTOR,
                                                             ".admin-notice").text
        submit(driver, f'{row} button[value="link"]')
        link = driver.find_element(By.ID, "link-url").get_attribute("value")
        fits(driver)
        if width < 1000:
            driver.execute_script("window.scrollTo(0, 0)")
            screenshot(driver, tmp_path, "admin-people-phone")
        for section in ("calendar", "goals", "competences"):
            driver.get(f"{base}/admin/{section}")
            fits(driver)
        assert severe_console_errors(driver) == []
        submit(driver, "form.logout button[type=submit]")

        token = link.rsplit("/login/", 1)[1]
        log_in(driver, base, token)
        assert driver.current_url.endswith("/dashboard")
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Dashboard")
        assert driver.find_elements(By.CSS_SELECTOR, 'header nav a[href="/dashboard"]')


def _id_of(world: Any, name: str) -> int:
    from tests.rigs.admin_world import COLLEAGUES

    return int(world.colleagues[COLLEAGUES.index(name)])
