"""The M&E report page in Chromium (issue 11), on a 360 px phone and a 1280 px screen: an
M&E officer signs in, opens Reports from the menu, chooses a figure, rows and columns,
and reads the table and its chart; nothing but the boxes of the table and the chart
scrolls sideways, and the browser reports no error."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in, submit
from tests.fixtures.users import PASSWORD
from tests.report_fixture import build_report_fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Everything wider than the window, other than what sits inside the scroll boxes of the
# table and the chart.
OVERFLOW = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.me-table-wrap, .me-chart-wrap'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""


@pytest.mark.parametrize("width", [360, 1280])
def test_an_me_officer_reads_a_report_in_chromium(db, live_server, browser, make_user,
                                                  width):
    build_report_fixture()
    officer = make_user("me_officer", name="M&E Officer")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, live_server, officer.email, PASSWORD)
    submit(page, page.get_by_role("navigation", name="Main").get_by_role("link",
                                                                         name="Reports"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Monitoring and evaluation reports")
    expect(page.locator("caption")).to_have_text("Enrolled by Sex, All time")

    page.get_by_label("Figure").select_option("completed")
    page.get_by_label("Rows").select_option("country")
    page.get_by_label("Columns").select_option("sex")
    page.get_by_label("Period").select_option("2025")
    submit(page, page.get_by_role("button", name="Show the report"))

    assert "figure=completed" in page.url and "cols=sex" in page.url
    expect(page.locator("caption")).to_have_text("Completed: Country × Sex, Year 2025")
    table = page.get_by_role("table", name="Completed: Country × Sex, Year 2025")
    expect(table.get_by_role("rowheader", name="Thailand")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Female")).to_be_visible()
    assert table.locator("td", has_text="<5").count() > 0
    chart = page.get_by_role("img", name="Completed: Country × Sex, Year 2025")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["width"] >= 450, box  # labels stay readable: 30rem at least
    if width == 1280:
        assert box["x"] + box["width"] <= width, box
    # A suppressed cell is drawn as its mark, without a bar.
    small = page.locator('svg.me-chart g.bar[data-state="small"]')
    assert small.count() > 0 and small.locator("rect").count() == 0

    region = page.get_by_role("region", name="Completed: Country × Sex, Year 2025")
    assert region.get_attribute("tabindex") == "0"
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, (width, page_width)
    assert page.evaluate(OVERFLOW) == [], width
    if width == 360:  # the wide table and the chart scroll inside their boxes
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
        chart_box = page.get_by_role("region", name="Chart")
        assert chart_box.get_attribute("tabindex") == "0"
        assert chart_box.evaluate("e => e.scrollWidth > e.clientWidth")

    submit(page, page.get_by_role("link", name="How every figure is defined"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How the reports count")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == [], errors
    context.close()
