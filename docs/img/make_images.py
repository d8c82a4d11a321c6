"""Redo the README's pictures from the sample rosters.

    python docs/img/make_images.py [ROSTER]

* ``report.png``: ``rostercheck report ROSTER --html`` (the internal-medicine sample, 31 days)
  opened in headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by Selenium)
  in a 1,400 px window, one flagged cell hovered.
* ``report-half-day.png``: the calendar of the family-medicine half-day block (28 days, two
  sessions a day) in the same 1,400 px window, one flagged cell hovered.
* ``report-print.png``: the calendar page of ``rostercheck report ROSTER --pdf`` (A4 landscape),
  rendered by ``pdftoppm`` (``poppler-utils``).
* ``annotated.png``: ``rostercheck check ROSTER --annotate`` printed by LibreOffice
  (``libreoffice-calc``) to PDF and turned into PNG by ``pdftoppm`` (``poppler-utils``): the roster
  sheet with one comment shown, above the Violations sheet, joined by ImageMagick's ``convert``.

Only a rendering copy is given print settings and a visible comment; the annotated file itself is
exactly what ``--annotate`` writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLE = ROOT / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
HALF_DAY = ROOT / "sample_rosters" / "family-medicine" / "block-3.xlsx"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def rostercheck(*args: str) -> None:
    """Run from the repository root, so the pictures show the roster's path as the README names it."""
    subprocess.run([sys.executable, "-m", "rostercheck", *args], check=False, stdout=subprocess.DEVNULL, cwd=ROOT)


def report_png(roster: Path, work: Path, out: Path, width: int = 1400, height: int = 1800,
               section: str | None = None) -> None:
    """A screenshot of the page (or of one ``section``) with a flagged cell hovered."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = work / "report.html"
    rostercheck("report", str(roster), "--html", str(page))
    os.environ.setdefault("SE_OFFLINE", "true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for f in (*FLAGS, f"--user-data-dir={work / 'profile'}"):
        opts.add_argument(f)
    driver = webdriver.Chrome(options=opts, service=Service(shutil.which("chromedriver")))
    try:
        driver.set_window_size(width, height)
        driver.get(page.as_uri())
        cells = driver.find_elements(By.CSS_SELECTOR, "table.grid td.flag.sev-error")
        if section:
            driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", section)
        if cells:
            ActionChains(driver).move_to_element(cells[len(cells) // 2]).perform()
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def print_png(roster: Path, work: Path, out: Path) -> None:
    """The calendar page (page 2: the summary and rules fill page 1) of the report's PDF."""
    pdf = work / "report.pdf"
    rostercheck("report", str(roster), "--html", str(work / "print.html"), "--pdf", str(pdf))
    subprocess.run(["pdftoppm", "-f", "2", "-l", "2", "-r", "110", "-png", "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)


def _show_comment(xlsx: Path, address: str) -> None:
    """Make the comment of ``address`` visible (and place it beside the cell) in a rendering copy."""
    col, row = coordinate_from_string(address)
    r, c = row - 1, column_index_from_string(col) - 1
    with zipfile.ZipFile(xlsx) as z:
        data = {n: z.read(n) for n in z.namelist()}

    def fix(m: re.Match) -> str:
        s = m.group(0)
        if re.search(rf"<\w+:Row>{r}</\w+:Row><\w+:Column>{c}</\w+:Column>", s):
            s = s.replace("visibility:hidden", "visibility:visible")
            left = c + 1 if c < 20 else c - 10  # beside the cell, on the side with room for the box
            anchor = f"{left}, 15, {max(r - 3, 0)}, 4, {left + 9}, 0, {r + 1}, 10"
            s = re.sub(r"(<(\w+):MoveWithCells ?/>)", rf"\1<\2:Anchor>{anchor}</\2:Anchor><\2:Visible/>", s, count=1)
        return s

    for n in data:
        if n.endswith(".vml"):
            data[n] = re.sub(r"<\w+:shape .*?</\w+:shape>", fix, data[n].decode(), flags=re.S).encode()
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in data.items():
            z.writestr(n, b)


def _sheet_png(src: Path, sheet: str, area: str, work: Path, name: str, show: str | None = None) -> Path:
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws.title == sheet else "hidden"
    wb.active = wb.sheetnames.index(sheet)
    ws = wb[sheet]
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.print_options.gridLines = ws.print_options.headings = True
    ws.print_area = area
    copy = work / f"{name}.xlsx"
    wb.save(copy)
    if show:
        _show_comment(copy, show)
    env = dict(os.environ, HOME=str(work))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(copy)], check=True,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["pdftoppm", "-r", "130", "-png", "-singlefile", str(work / f"{name}.pdf"), str(work / name)],
                   check=True)
    png = work / f"{name}.png"
    subprocess.run(["convert", str(png), "-trim", "+repage", "-bordercolor", "white", "-border", "12", str(png)],
                   check=True)
    return png


def annotated_png(roster: Path, work: Path, out: Path) -> None:
    xlsx = work / "annotated.xlsx"
    rostercheck("check", str(roster), "--annotate", str(xlsx))
    wb = openpyxl.load_workbook(xlsx)
    sheet = wb.sheetnames[1]
    ws = wb[sheet]
    # show the comment of the first cell flagged by a post-call-rest or shift-length error, else any
    commented = [c for row in ws.iter_rows() for c in row
                 if c.comment is not None and c.comment.text.startswith("rostercheck")]
    pick = next((c for c in commented if "post-call-rest (error)" in c.comment.text), None) or \
        next((c for c in commented if "(error)" in c.comment.text), commented[0] if commented else None)
    last_row = min(ws.max_row, 24)
    roster_png = _sheet_png(xlsx, sheet, f"A1:{ws.cell(1, ws.max_column).column_letter}{last_row}", work, "roster",
                            pick.coordinate if pick else None)
    v = wb["Violations"]
    violations_png = _sheet_png(xlsx, "Violations", f"A1:J{min(v.max_row, 16)}", work, "violations")
    subprocess.run(["convert", str(roster_png), str(violations_png), "-background", "white", "-gravity", "west",
                    "-append", "+repage", str(out)], check=True)


def main() -> None:
    roster = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else SAMPLE
    if roster.is_relative_to(ROOT):
        roster = roster.relative_to(ROOT)
    with tempfile.TemporaryDirectory(prefix="rostercheck-images-") as tmp:
        work = Path(tmp)
        report_png(roster, work, HERE / "report.png")
        report_png(HALF_DAY.relative_to(ROOT), work, HERE / "report-half-day.png", height=900, section="calendar")
        print_png(roster, work, HERE / "report-print.png")
        annotated_png(roster, work, HERE / "annotated.png")
    print(f"wrote report.png, report-half-day.png, report-print.png and annotated.png in {HERE}")


if __name__ == "__main__":
    main()
