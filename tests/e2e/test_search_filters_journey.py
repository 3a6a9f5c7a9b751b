"""Search filters on a phone: a closed 筛选 panel above the results (results first), options that wrap
instead of being cut; on a desktop the same filters are an open sidebar. Choosing a filter shows it
as a removable chip above the results."""

from playwright.sync_api import expect

QUERY = "监督"


def test_search_filters_fit_the_screen_and_results_come_first(journey):
    page = journey.page
    journey.login("D0005")
    journey.goto(f"/search/?q={QUERY}")
    panel = page.locator("details.search-filters")
    results = page.locator(".search-hit")
    expect(results.first).to_be_visible()
    first_result_top = results.first.bounding_box()["y"]
    journey.assert_no_horizontal_scroll()
    journey.shot("results")

    if journey.viewport == "phone":
        expect(panel).not_to_have_attribute("open", "")
        assert first_result_top < 600, f"the first result starts {first_result_top:.0f}px down"
        page.locator("details.search-filters > summary").click()
        expect(panel).to_have_attribute("open", "")
    else:
        expect(panel).to_have_attribute("open", "")
        assert first_result_top < 400
        # A sidebar: left of the results, its top level with theirs.
        assert panel.bounding_box()["x"] + panel.bounding_box()["width"] <= results.first.bounding_box()["x"]

    options = page.locator(".facet a")
    expect(options.first).to_be_visible()
    # No option is cut: each one's text fits inside its box and the box inside the screen.
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.facet a')].filter(a =>
            a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().right > document.documentElement.clientWidth + 1
        ).map(a => a.textContent.trim())"""
    )
    assert not cut, f"cut filter labels: {cut}"
    journey.assert_no_horizontal_scroll()
    journey.shot("filters-open")

    facet = page.locator(".facet").first
    facet_name = facet.locator("h2").inner_text()
    option = facet.locator("a").first
    label = option.evaluate("a => a.firstChild.textContent.trim()")
    option.click()
    page.wait_for_load_state("load")
    chip = page.locator(".chosen-filters a.chosen")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(f"{facet_name}：{label}")
    expect(page.locator("details.search-filters > summary")).to_contain_text("已选 1 项")
    if journey.viewport == "phone":
        expect(panel).not_to_have_attribute("open", "")
        assert page.locator(".chosen-filters").bounding_box()["y"] < 600
    journey.assert_no_horizontal_scroll()
    journey.shot("filtered")

    chip.click()
    page.wait_for_load_state("load")
    expect(page.locator(".chosen-filters")).to_have_count(0)
    expect(results.first).to_be_visible()
