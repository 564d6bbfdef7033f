"""Every page in a real headless Chromium at a phone's and a laptop's width: nothing scrolls
sideways, axe-core finds no critical or serious violation, /me opens with its overview, and
the dashboard draws hidden values as hidden. The pages are `tests/rigs/pages.PAGES`: a page
added there is checked here too."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import Runtime
from tests.rigs.browser import live_server
from tests.rigs.pages import (
    PAGES,
    WIDTHS,
    Cast,
    Page,
    build_cast,
    described,
    horizontal_overflow,
    logout_in_view,
    serious_violations,
    set_width,
    unfold,
    visiting,
    wait_for,
)


@pytest.fixture
def cast(runtime: Runtime) -> Cast:
    return build_cast(runtime)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_its_width_and_axe_finds_nothing_serious(
        runtime: Runtime, chromium: Any, cast: Cast, width: int) -> None:
    problems: dict[str, Any] = {}
    with live_server(runtime) as base, visiting(chromium, runtime, base, cast) as visitor:
        set_width(chromium, width)
        for page in PAGES:
            visitor.open(page)
            unfold(chromium)
            if overflow := horizontal_overflow(chromium):
                problems[f"{page.name}: scrolls sideways"] = overflow
            expected = None if page.who == "anonymous" else True  # on screen with a session
            if logout_in_view(chromium) is not expected:
                problems[f"{page.name}: logout button"] = "missing or off screen"
            if violations := serious_violations(chromium):
                problems[f"{page.name}: axe"] = violations
    assert not problems, described(problems)
    assert len(PAGES) >= 11  # the list was walked, not emptied


def test_the_checks_catch_a_page_that_is_too_wide_or_inaccessible(
        runtime: Runtime, chromium: Any, cast: Cast) -> None:
    """The checks fail where they should: a wide element, an unlabelled image, a logout
    button pushed off screen."""
    with live_server(runtime) as base, visiting(chromium, runtime, base, cast) as visitor:
        set_width(chromium, 390)
        visitor.open(Page("login", "/login", "anonymous"))
        assert horizontal_overflow(chromium) is None
        assert serious_violations(chromium) == []
        chromium.execute_script(
            "const wide = document.createElement('div'); wide.style.width = '900px';"
            "wide.textContent = 'x'; document.querySelector('main').append(wide);"
            "const bad = document.createElement('img'); bad.src = 'data:,';"
            "document.querySelector('main').append(bad);")
        assert horizontal_overflow(chromium) is not None
        assert "image-alt" in {violation["id"] for violation in serious_violations(chromium)}
        visitor.open(Page("me", "/me", "participant", ready="#overview"))
        assert logout_in_view(chromium) is True
        chromium.execute_script("document.querySelector('form.logout').style.marginLeft = '600px'")
        assert logout_in_view(chromium) is False


OVERVIEW = """
const overview = document.getElementById('overview');
return {
  headings: [...overview.querySelectorAll('h3')].map(h => h.textContent.trim()),
  contract: document.getElementById('overview-contract').innerText,
  nudge: document.getElementById('overview-nudge').innerText,
  written: document.querySelectorAll('.heatmap .day.written').length,
  days: document.querySelectorAll('.heatmap .day').length,
  top: overview.getBoundingClientRect().top + window.scrollY,
  diary: document.getElementById('diary').getBoundingClientRect().top + window.scrollY,
  bold: document.querySelectorAll('#overview strong').length,
};
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_my_page_opens_with_the_overview(
        runtime: Runtime, chromium: Any, cast: Cast, width: int) -> None:
    page = next(page for page in PAGES if page.name == "me")
    with live_server(runtime) as base, visiting(chromium, runtime, base, cast) as visitor:
        set_width(chromium, width)
        visitor.open(page)
        found = chromium.execute_script(OVERVIEW)
    # The engine's home (as in Slack's App Home), then the contract and the next nudge
    for heading in ("Dagboek vandaag", "Weekplan", "Collegagesprek"):
        assert heading in found["headings"]
    assert any(heading.startswith("Focus in") for heading in found["headings"])
    assert cast.response in found["contract"] and cast.colleague in found["contract"]
    assert "geen herinnering" not in found["nudge"] and ":" in found["nudge"]
    assert found["days"] == 53 * 7 and found["written"] > 10  # the demo's diary year
    assert found["top"] < found["diary"]  # the overview before the timeline
    assert found["bold"] >= 1  # chat markup in the home's texts shows as formatting


HIDDEN = """
const result = {};
for (const holder of document.querySelectorAll('[data-chart]')) {
  const canvas = holder.querySelector('canvas');
  const chart = window.Chart.getChart(canvas);
  result[holder.dataset.chart] = {
    hidden: Number(holder.dataset.hiddenValues || 0),
    legend: chart ? chart.legend.legendItems.map(item => item.text) : [],
    height: canvas.getBoundingClientRect().height,
    width: canvas.getBoundingClientRect().width,
  };
}
return {
  charts: result,
  notes: document.querySelectorAll('.hidden-note').length,
  figures: [...document.querySelectorAll('.figure')].map(f => f.innerText),
  range: (document.getElementById('date-range') || {}).innerText || '',
  folded: document.querySelectorAll('details.table-fold:not([open]) table').length,
};
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_draws_hidden_values_as_hidden(
        runtime: Runtime, chromium: Any, cast: Cast, width: int) -> None:
    page = next(page for page in PAGES if page.name == "dashboard")
    with live_server(runtime) as base, visiting(chromium, runtime, base, cast) as visitor:
        set_width(chromium, width)
        visitor.open(page)
        wait_for(chromium, "[data-chart][data-drawn]", 6)
        found = chromium.execute_script(HIDDEN)
    charts = found["charts"]
    # The demo's team of four is hidden every week: its line is named hidden in the legend
    assert "Directie (te weinig deelnemers)" in charts["diary_response"]["legend"]
    # A bar chart hatches its hidden values and its legend says what the hatching means:
    # never drawn as a zero or an empty bar
    hatched = {key for key, chart in charts.items() if chart["hidden"]}
    assert hatched, charts
    for key in hatched:
        assert "verborgen (<5)" in charts[key]["legend"], key
    assert found["notes"] >= len(hatched)
    for key, chart in charts.items():
        if chart["legend"]:
            assert chart["height"] >= 200, key  # usable on a phone too
            assert chart["width"] <= width, key
    assert len(found["figures"]) == 4 and found["range"].startswith("Peildatum")
    assert found["folded"] >= 6  # tables folded under their charts
