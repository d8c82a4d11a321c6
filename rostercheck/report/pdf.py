"""The HTML report as a PDF, printed by a headless Chromium the machine already has.

Reports are printed and signed in programme meetings. The page's print stylesheet already lays
it out for a landscape sheet (summary and rules on page one, the calendar on as few pages as it
needs, findings broken between residents), so the PDF is exactly what *Print > Save as PDF*
gives. rostercheck ships no browser: it looks for Debian's ``chromium`` (or Chrome) on PATH and
says which package to install when there is none.

The browser opens the page from a file with a throwaway profile, no network features, and the
page's own Content-Security-Policy, which forbids every request.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from rostercheck.errors import InputError
from rostercheck.output import atomic_write

#: Browsers tried in order; the first on PATH prints.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Seconds the browser may take to print one report (a year of residents takes a few).
TIMEOUT = 120
PACKAGE_HINT = "install Debian's `chromium` package (apt-get install chromium) or Google Chrome"


def find_browser() -> str | None:
    """The path of a Chromium-family browser on PATH, or None."""
    override = os.environ.get("ROSTERCHECK_CHROMIUM")
    if override:
        return shutil.which(override) or (override if Path(override).is_file() else None)
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def require_browser(pdf_path: str) -> str:
    """Fail before any work when ``--pdf`` cannot be honoured."""
    browser = find_browser()
    if browser is None:
        raise InputError(f"--pdf needs a headless Chromium to print the report and none is installed: "
                         f"{PACKAGE_HINT}", file=pdf_path)
    return browser


def write_pdf(html_path: str, pdf_path: str, *, browser: str | None = None, timeout: float = TIMEOUT) -> None:
    """Print ``html_path`` to ``pdf_path`` (atomically: a temporary file renamed into place)."""
    exe = browser or require_browser(pdf_path)
    page = Path(html_path).resolve().as_uri()
    profile = tempfile.mkdtemp(prefix="rostercheck-pdf-")

    def run(tmp: str) -> None:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", page]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise InputError(f"{Path(exe).name} did not print the report within {timeout:g} s",
                             file=pdf_path) from None
        data = Path(tmp).read_bytes() if Path(tmp).is_file() else b""
        if not data.startswith(b"%PDF"):
            last = (done.stderr or done.stdout or "").strip().splitlines()
            why = f" ({last[-1][:200]})" if last else ""
            raise InputError(f"{Path(exe).name} exited {done.returncode} without writing a PDF{why}", file=pdf_path)

    try:
        atomic_write(pdf_path, run)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
