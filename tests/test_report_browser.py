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
from workbooks import JULY_1, days, half_day_block, make_xlsx

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


# ------------------------------------------------------------------------------ real-sized months
# A program director reads a month at once: a 31-day roster (the internal-medicine sample, 30
# residents) and a 28-day half-day block (17 residents, codes in mixed case) must fit a 1,400 px
# window, show codes as the sheet writes them, and name cells as a few ranges.

SAMPLE = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
WIDTH = 1400
#: The page area of a landscape sheet with the report's 10 mm margins, in CSS pixels (96 per inch).
PRINT_WIDTH = {"a4": round((297 - 20) / 25.4 * 96), "letter": round((279.4 - 20) / 25.4 * 96)}


def report_of(roster: Path, out: Path, *extra: str) -> Path:
    r = CliRunner().invoke(main, ["report", str(roster), "--html", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture
def block(tmp_path: Path) -> Path:
    return half_day_block(tmp_path / "block-9.xlsx")


def overflow(driver) -> dict:
    """How far the page and each calendar stick out sideways (0 when they fit)."""
    return driver.execute_script(
        "var d = document.documentElement;"
        "return {page: d.scrollWidth - d.clientWidth,"
        " grids: Array.from(document.querySelectorAll('.gridwrap')).map(w => w.scrollWidth - w.clientWidth),"
        " right: Math.max(...Array.from(document.querySelectorAll('table.grid')).map("
        "   t => t.getBoundingClientRect().right)), width: d.clientWidth}")


@pytest.mark.parametrize("which", ["31-day sample", "28-day half-day block"])
def test_a_month_fits_1400_px_without_scrolling(browser, tmp_path, block, which):
    roster, days_shown = (SAMPLE, 31) if which == "31-day sample" else (block, 28)
    browser.set_window_size(WIDTH, 1000)
    log = open_page(browser, report_of(roster, tmp_path / "r.html"))
    assert [e for e in log if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return window.innerWidth") == WIDTH
    o = overflow(browser)
    assert o["page"] == 0 and o["grids"] == [0], o
    assert o["right"] <= o["width"]
    assert count(browser, "table.grid thead th.day") == days_shown
    # the resident column stays put when a narrow window does scroll
    assert browser.execute_script("return getComputedStyle(document.querySelector('th.name')).position") == "sticky"


def test_a_half_day_block_shows_codes_as_written_with_full_text_on_hover(browser, tmp_path, block):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.set_window_size(WIDTH, 1000)
    open_page(browser, report_of(block, tmp_path / "r.html"))
    texts = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.grid td .s')).map(s => s.textContent)")
    assert {"PedW", "C/LEC", "FMIT", "Clinic", "Post", "Call", "Off", "Vac"} <= set(texts)
    assert not {"PEDW", "CLINIC", "POST", "CALL", "OFF", "VAC"} & set(texts)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "PEDW" not in body and "C/LEC" in body
    # Chloe Dubois has PedW in the morning and C/LEC in the afternoon of Friday 02-06: stacked
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-resident="Chloe Dubois"]')
    cell = row.find_elements(By.CSS_SELECTOR, "td")[4]
    assert [s.text for s in cell.find_elements(By.CSS_SELECTOR, ".s")] == ["PedW", "C/LEC"]
    ActionChains(browser).move_to_element(cell).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert tip.text.splitlines() == ["Chloe Dubois, Friday 2026-02-06", "AM PedW", "PM C/LEC"]


@pytest.mark.parametrize("which", ["31-day sample", "28-day half-day block"])
def test_no_finding_lists_more_than_a_few_ranges(browser, tmp_path, block, which):
    roster = SAMPLE if which == "31-day sample" else block
    open_page(browser, report_of(roster, tmp_path / "r.html"))
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.findings td.cells')).map(c => c.textContent)")
    assert cells
    for text in cells:
        listed = text.split(" (")[0].split(" +")[0].split(", ")
        assert 1 <= len(listed) <= 4, text
    if roster == block:  # Rafael Ortiz works all 56 sessions: one range, not 56 addresses
        assert "Block 9!C4:BF4 (56 cells)" in cells


def test_a_longer_roster_pages_by_month(browser, tmp_path):
    start = JULY_1
    rows = [["Resident", "PGY", *days(62, start)]]
    rows += [[f"Resident {i}", 1, *(["D", "D", "D", "D", "D", "OFF", "OFF"] * 9)[:62]] for i in range(8)]
    p = make_xlsx(tmp_path / "two-months.xlsx", {"Summer": rows})
    browser.set_window_size(WIDTH, 1000)
    open_page(browser, report_of(p, tmp_path / "r.html"))
    pages = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.grid')).map(t => "
        "[t.dataset.page, t.querySelectorAll('thead th.day').length, t.querySelectorAll('tbody tr').length])")
    assert pages == [["1", 31, 8], ["2", 31, 8]]
    o = overflow(browser)
    assert o["page"] == 0 and o["grids"] == [0, 0], o


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_print_layout_keeps_every_column_on_the_sheet(browser, tmp_path, block, paper):
    """The print stylesheet, laid out at the width of a landscape sheet's page area: no calendar
    column is cut off, for the 31-day sample and the half-day block."""
    width = PRINT_WIDTH[paper]
    for roster in (SAMPLE, block):
        open_page(browser, report_of(roster, tmp_path / f"{roster.stem}.html", "--paper", paper))
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": 700, "deviceScaleFactor": 1, "mobile": False})
        try:
            o = overflow(browser)
            assert browser.execute_script("return matchMedia('print').matches")
            assert o["width"] == width
            assert o["page"] == 0 and set(o["grids"]) == {0} and o["right"] <= width, (roster.name, o)
            # the calendar starts a sheet of its own, after the summary and rules
            brk = browser.execute_script("return getComputedStyle(document.getElementById('calendar')).breakBefore")
            assert brk == "page"
            last = browser.execute_script(
                "var h = document.querySelectorAll('table.grid thead th.day'); return h[h.length - 1].textContent")
            assert last.endswith("31" if roster == SAMPLE else "1")  # the last date is on the sheet
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_pdf_of_the_sample_has_its_calendar_unclipped(tmp_path):
    """``report --pdf`` through the real Chromium: landscape pages, and the calendar page's ink
    stops inside the right margin (a table wider than the sheet would run to the paper's edge)."""
    if shutil.which("chromium") is None:
        _missing("no local Chromium (apt-get install chromium)")
    pdf = tmp_path / "report.pdf"
    report_of(SAMPLE, tmp_path / "r.html", "--pdf", str(pdf))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    if shutil.which("pdftoppm") is None:  # poppler-utils: the PDF is checked by its print layout above
        return
    import subprocess

    import numpy as np

    out = subprocess.run(["pdftoppm", "-f", "2", "-l", "2", "-r", "60", "-gray", str(pdf)], capture_output=True,
                         check=True).stdout
    # binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel
    head, rest = out.split(b"\n", 1)
    size, rest = rest.split(b"\n", 1)
    _, pixels = rest.split(b"\n", 1)
    w, h = map(int, size.split())
    img = np.frombuffer(pixels[: w * h], dtype=np.uint8).reshape(h, w)
    assert head == b"P5" and w > h  # landscape
    inked = np.flatnonzero((img < 200).any(axis=0))
    margin = w * 10 / 297  # 10 mm of a 297 mm sheet
    assert inked.size and inked[-1] < w - margin * 0.6, (inked[-1], w)
    assert inked[-1] - inked[0] > w * 0.8  # and the calendar spans the sheet: it was not shrunk away
