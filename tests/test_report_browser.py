"""The HTML report in a real headless Chromium (Debian's package, driven by Selenium).

What a person sees: the page loads with no console error and no request of any kind, the grid has
one row per resident and one outline per flagged cell, hovering explains a cell, a hostile name
runs no script, the page prints to PDF, and a screenshot is taken.

Skipped with the reason when no browser is installed locally; under CI (``CI=true``) a missing
browser fails instead, because ``.ci/run`` installs it.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import days, make_xlsx

from rostercheck.cli import main

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1400,1000")
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
# Avery: call then a day shift, an error on two cells. Ben: seven nights then call: a warning on
# seven cells, an error on two (one of them shared). The hostile name is a clean resident.
ROWS = {
    "Avery Chen": "D D OFF C D OFF D D OFF D D OFF D D",
    "Ben Ito": "N N N N N N N C PC OFF D D OFF OFF",
    XSS: "OFF D D D OFF C PC D D OFF D D C PC",
}
FLAGGED = 2 + 8  # distinct (resident, date) cells named by the findings above


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: CI must run the browser test (.ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        _missing("no local Chromium and chromedriver (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install '.[test]')")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for downloads
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in FLAGS:
        opts.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="rostercheck-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def write_report(tmp_path: Path, rows: dict[str, str], *extra: str) -> Path:
    p = make_xlsx(tmp_path / "july.xlsx", {"July": [["Resident", "PGY", *days(14)],
                                                   *([n, 1, *c.split()] for n, c in rows.items())]})
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", str(p), "--html", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out


def open_page(driver, path: Path) -> list[dict]:
    driver.get_log("browser")  # drop anything left from a previous page
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    return driver.get_log("browser")


def count(driver, selector: str) -> int:
    return int(driver.execute_script("return document.querySelectorAll(arguments[0]).length", selector))


def test_page_loads_cleanly_and_shows_every_resident_and_flag(browser, tmp_path):
    log = open_page(browser, write_report(tmp_path, ROWS))
    assert [e for e in log if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert count(browser, 'table.grid[data-grid="before"] tbody tr') == len(ROWS)
    assert count(browser, 'table.grid[data-grid="before"] td.flag') == FLAGGED
    assert count(browser, 'table.grid[data-grid="before"] td.flag.sev-error') == 4
    assert count(browser, 'table.grid[data-grid="before"] tbody tr:first-child td') == 14
    # the hostile name is text on the page, and ran nothing
    assert browser.execute_script("return window.__xss") is None
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.grid tbody th .nm')).map(e => e.textContent)")
    assert names == list(ROWS)
    # an outlined cell is visibly outlined
    style = browser.execute_script(
        "var c = document.querySelector('td.flag.sev-error'); var s = getComputedStyle(c);"
        "return [s.outlineStyle, s.outlineWidth, s.outlineColor]")
    assert style[0] == "solid" and style[1] != "0px"


def test_hover_explains_a_cell(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    open_page(browser, write_report(tmp_path, ROWS))
    cell = browser.find_elements(By.CSS_SELECTOR, 'table.grid tbody tr:nth-child(2) td.flag.sev-error')[0]
    ActionChains(browser).move_to_element(cell).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert "shift-length (error)" in tip.text and "consecutive-nights (warning)" in tip.text
    assert "Ben Ito" in tip.text
    # the other cells of the same findings light up
    assert count(browser, "td.hl") >= 7


def test_screenshot_and_pdf(browser, tmp_path):
    open_page(browser, write_report(tmp_path, ROWS))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_repair_page_shows_both_grids(browser, tmp_path):
    cycle = ["C", "PC", "D", "OFF"]
    rows = {f"R{i + 1}": [cycle[(d + i) % 4] for d in range(14)] for i in range(4)}
    rows["R1"][5], rows["R2"][5] = rows["R2"][5], rows["R1"][5]
    out = write_report(tmp_path, {k: " ".join(v) for k, v in rows.items()}, "--repair", "--time-limit", "10",
                       "--seed", "1")
    log = open_page(browser, out)
    assert [e for e in log if e["level"] == "SEVERE"] == []
    assert count(browser, 'table.grid[data-grid="after"] tbody tr') == 4
    assert count(browser, 'table.grid[data-grid="after"] td.chg') == 2
    assert count(browser, 'table.grid[data-grid="before"] td.chg') == 2
    assert count(browser, 'table.grid[data-grid="after"] td.flag') == 0
    assert count(browser, "table.changes tbody tr") == 2
