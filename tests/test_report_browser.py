"""The diff report in a real headless browser (Debian's chromium driven by Selenium).

The analyst's use: open the e-mailed page, tick one status, pick a unit, and
see only those rows.  A screenshot of each filtered view is kept under
tests/artifacts/ for a human to look at.  Skips, saying why, where chromium,
chromedriver or selenium is missing (`apt-get install chromium chromium-driver`,
`pip install selenium`).
"""
import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest

from pipeline import diff as kd

from .conftest import RAW, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
# Flags that work in a sandboxed container with no network.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000")

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromedriver not installed "
                                       "(apt-get install chromium chromium-driver)")


def seed_doc_id(name: str) -> str:
    return hashlib.sha256((RAW / name).read_bytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def report(seed_dataset, tmp_path_factory) -> tuple[Path, kd.PlanDiff]:
    result = kd.diff(seed_doc_id("004_b6eea89596103d37.txt"), seed_doc_id("003_2baf105a9a0db1d8.txt"), seed_dataset)
    out = result.write(tmp_path_factory.mktemp("report"))
    return out / "report.html", result


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="kehoach-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def open_report(browser, page: Path) -> None:
    browser.get(page.resolve().as_uri())


def show_only(browser, *statuses: str) -> None:
    from selenium.webdriver.common.by import By

    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=status]"):
        if box.is_selected() != (box.get_attribute("value") in statuses):
            box.click()


def visible_rows(browser, table: str) -> list:
    from selenium.webdriver.common.by import By

    return [r for r in browser.find_elements(By.CSS_SELECTOR, f"#{table} tr.row") if r.is_displayed()]


def screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / name))


def test_every_row_shows_before_filtering(browser, report):
    page, result = report
    open_report(browser, page)
    assert len(visible_rows(browser, "tasks")) == len(result.tasks)
    assert len(visible_rows(browser, "targets")) == len(result.targets)


def test_status_filter_shows_only_dropped_tasks(browser, report):
    from selenium.webdriver.common.by import By

    page, result = report
    open_report(browser, page)
    show_only(browser, "dropped")
    rows = visible_rows(browser, "tasks")
    assert {r.get_attribute("data-status") for r in rows} == {"dropped"}
    assert len(rows) == result.counts()["dropped"] > 0
    assert visible_rows(browser, "targets") == []
    assert browser.find_element(By.ID, "shown-count").text == f"{len(rows)} rows shown"
    # A dropped row shows the parent's task and leaves the child's side empty.
    first = rows[0].find_elements(By.CSS_SELECTOR, "td.side")
    assert first[0].find_element(By.CSS_SELECTOR, ".path").text and first[1].text == "—"
    screenshot(browser, "diff_report_dropped.png")


def test_status_filter_combines_task_and_target_statuses(browser, report):
    page, result = report
    open_report(browser, page)
    show_only(browser, "adopted", "kept")
    assert len(visible_rows(browser, "tasks")) == result.counts()["adopted"]
    assert {r.get_attribute("data-status") for r in visible_rows(browser, "targets")} == {"kept"}
    screenshot(browser, "diff_report_adopted_kept.png")


def test_unit_filter_keeps_rows_naming_that_unit(browser, report):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page, result = report
    open_report(browser, page)
    unit = "Văn phòng UBND thành phố"
    Select(browser.find_element(By.ID, "unit-filter")).select_by_value(unit)
    rows = visible_rows(browser, "tasks")
    expected = [r for r in result.tasks if unit in
                result.parent.unit_names(r["parent_task_id"], "lead") + result.parent.unit_names(r["parent_task_id"], "support")
                + result.child.unit_names(r["child_task_id"], "lead") + result.child.unit_names(r["child_task_id"], "support")]
    assert 0 < len(rows) == len(expected) < len(result.tasks)
    assert all(unit in r.get_attribute("data-units").split("|") for r in rows)
    screenshot(browser, "diff_report_unit.png")


def test_rows_link_back_to_page_and_line(browser, report):
    from selenium.webdriver.common.by import By

    page, _ = report
    open_report(browser, page)
    link = browser.find_element(By.CSS_SELECTOR, "#tasks tr.row a.src")
    assert link.get_attribute("href").startswith("file://") and "#page=" in link.get_attribute("href")
    assert link.text.startswith("p. ") and "l. " in link.text
