"""The holes a second security audit found (issue 16), each reproduced from a shipped sample.

Each test here failed before its fix. A hole that aborted the process is tested in a subprocess, so
that a regression fails the test instead of taking pytest down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import one_line_exit_2, run

from rostercheck.errors import InputError
from rostercheck.safety import inspect

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def parts(path: Path = SAMPLE) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def far_cell(xml: bytes) -> bytes:
    """The sheet with one more row holding a cell at XFD1048576 (calamine aborts on it)."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row></sheetData>'
    return xml.replace(b"</sheetData>", far, 1)


def cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m rostercheck ARGS`` in its own process: an abort there cannot stop the test run."""
    return subprocess.run([sys.executable, "-m", "rostercheck", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=120)


def one_line_2(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr[-2000:]
    for n in needles:
        assert n in lines[0], (n, lines[0])


# ----------------------------------------------------------------------------- 1. sheets stored anywhere
def moved_sheet(tmp_path: Path, target: bytes = b"/xl/sheetX.xml", member: str = "xl/sheetX.xml") -> Path:
    p = parts()
    p[member] = far_cell(p.pop(SHEET))
    rels = p["xl/_rels/workbook.xml.rels"]
    assert b"worksheets/sheet1.xml" in rels
    p["xl/_rels/workbook.xml.rels"] = rels.replace(b"/xl/worksheets/sheet1.xml", target).replace(
        b"worksheets/sheet1.xml", target)
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(b"/xl/worksheets/sheet1.xml", b"/" + member.encode())
    return write(tmp_path / "moved.xlsx", p)


@pytest.mark.parametrize("command", ["check", "codes", "init"])
def test_a_sheet_stored_outside_worksheets_is_scanned(tmp_path, command):
    """calamine follows the relationship and aborted (exit 134, a Rust backtrace) on the far cell."""
    bad = moved_sheet(tmp_path)
    one_line_2(cli(command, str(bad)), "moved.xlsx", "XFD1048576", "limit")


@pytest.mark.parametrize("target", [b"sheetX.xml", b"../xl/sheetX.xml", b"./sheetX.xml"])
def test_relative_relationship_targets_are_resolved(tmp_path, target):
    with pytest.raises(InputError, match="XFD1048576"):
        inspect(moved_sheet(tmp_path, target=target))


def test_a_part_holding_a_sheet_is_scanned_whatever_names_it(tmp_path):
    """Worksheet markup in a part no relationship calls a worksheet is scanned all the same."""
    p = parts()
    p["xl/media/image9.bin"] = far_cell(p[SHEET])
    with pytest.raises(InputError, match="XFD1048576"):
        inspect(write(tmp_path / "hidden.xlsx", p))


def test_the_moved_sheet_is_still_read_when_it_is_honest(tmp_path):
    p = parts()
    p["xl/sheetX.xml"] = p.pop(SHEET)
    p["xl/_rels/workbook.xml.rels"] = p["xl/_rels/workbook.xml.rels"].replace(
        b"/xl/worksheets/sheet1.xml", b"/xl/sheetX.xml").replace(b"worksheets/sheet1.xml", b"/xl/sheetX.xml")
    inspect(write(tmp_path / "honest.xlsx", p))


# ----------------------------------------------------------------------------- 4. a DTD anywhere
@pytest.mark.parametrize("part", ["xl/styles.xml", SHEET, "docProps/app.xml"])
@pytest.mark.parametrize("spelling", [b"<!DOCTYPE x []>", b"<!doctype x []>", b'<!ENTITY e "x">'])
def test_a_dtd_after_a_long_comment_is_refused(tmp_path, part, spelling):
    """Only the first 64 KB were searched: a 70 KB comment hid the DTD."""
    p = parts()
    head, sep, rest = p[part].partition(b"?>")
    comment = b"<!--" + b"x" * 70_000 + b"-->"
    p[part] = head + sep + comment + spelling + rest if sep else comment + spelling + p[part]
    one_line_exit_2(*run("check", str(write(tmp_path / "dtd.xlsx", p))), "dtd.xlsx", part, "DTD")


def test_a_dtd_cut_by_a_piece_boundary_is_refused(tmp_path, monkeypatch):
    """The search runs piece by piece; a DTD split across two pieces is still seen."""
    monkeypatch.setattr("rostercheck.safety.xlsx.CHUNK", 4096)
    p = parts()
    for cut in range(4088, 4097):
        styles = p["xl/styles.xml"]
        p["xl/styles.xml"] = b"<!--" + b"x" * (cut - 7) + b"-->" + b"<!DOCTYPE x []>" + styles
        with pytest.raises(InputError, match="DTD"):
            inspect(write(tmp_path / f"cut{cut}.xlsx", p))
        p["xl/styles.xml"] = styles


# ----------------------------------------------------------------------------- 5. formulas however written
FORMULA_CELLS = {
    "single quotes": b"<c r='A60'><f>1+1</f></c>",
    "attribute order": b'<c s="0" r="A60"><f>1+1</f></c>',
    "spaces around =": b'<c r = "A60"><f>1+1</f></c>',
    "prefixed": b'<x:c r="A60"><x:f>1+1</x:f></x:c>',
    "no position": b"<c><f>1+1</f></c>",
    "empty value": b'<c r="A60"><f>1+1</f><v/></c>',
    "formula with attributes": b'<c r="A60"><f t="shared" ref="A60" si="0">1+1</f></c>',
}


@pytest.mark.parametrize("spelling", FORMULA_CELLS)
def test_a_formula_without_a_saved_value_is_refused_however_written(tmp_path, spelling):
    """calamine reads these as empty cells: a silent loss. Only ``<c r="...">`` was checked."""
    p = parts()
    row = b'<row r="60">' + FORMULA_CELLS[spelling] + b"</row></sheetData>"
    p[SHEET] = p[SHEET].replace(b"</sheetData>", row, 1)
    needles = ["f.xlsx", "never evaluates"] + (["A60"] if spelling != "no position" else [])
    one_line_exit_2(*run("check", str(write(tmp_path / "f.xlsx", p))), *needles)


@pytest.mark.parametrize("cell", [
    b"<c r='A60' t='str'><f>1+1</f><v>2</v></c>",
    b'<x:c r="A60"><x:f>1+1</x:f><x:v>2</x:v></x:c>',
    b'<c r="A60" t="inlineStr"><f>1</f><is><t>x</t></is></c>',
    b'<c r="A60"><v>2</v><f>1+1</f></c>',
])
def test_a_formula_with_its_saved_value_passes(tmp_path, cell):
    p = parts()
    p[SHEET] = p[SHEET].replace(b"</sheetData>", b'<row r="60">' + cell + b"</row></sheetData>", 1)
    inspect(write(tmp_path / "ok.xlsx", p))


# ----------------------------------------------------------------------------- 8. streamed, stopped early
def _rless_sheet(rows: int, cols: int, seed: int = 1) -> bytes:
    """A sheet whose cells carry no ``r``: random numbers, so it compresses like the audit's (about 4x)."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10**9, size=(rows, cols))
    body = b"".join(b"<row>" + b"".join(b"<c><v>%d</v></c>" % v for v in r) + b"</row>" for r in values.tolist())
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>")


def test_a_huge_sheet_without_positions_is_refused_in_pieces(tmp_path, monkeypatch):
    """The audit's 122 MB file took 26.6 s and 1.7 GB: the part was unpacked whole, then scanned.

    Scaled down (the cell limit / 1,000, pieces / 128): the scan must stop at its first piece past
    the limit, having unpacked only that much. Measured at full size by hand (docs/security.md).
    """
    import rostercheck.safety.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_CELLS", 20_000)
    monkeypatch.setattr(xlsx, "CHUNK", 256 * 1024)
    p = parts()
    p[SHEET] = _rless_sheet(1_000, 200)  # 200,000 cells, ten times the limit, about 4.5 MB of XML
    bad = write(tmp_path / "rless.xlsx", p)
    read = []
    real_scan = xlsx.SheetScan._scan
    monkeypatch.setattr(xlsx.SheetScan, "_scan", lambda self, data, *a, **k: (read.append(len(data)),
                                                                              real_scan(self, data, *a, **k)))
    with pytest.raises(InputError, match="limit 20,000"):
        inspect(bad)
    assert sum(read) < len(p[SHEET]) / 5, (sum(read), len(p[SHEET]))  # stopped well before the end
    assert max(read) <= 256 * 1024 + 128


@pytest.mark.parametrize("chunk", [64 * 3, 1000, 4096, 65_536])
def test_pieces_measure_what_the_whole_part_measures(tmp_path, monkeypatch, chunk):
    """Streaming must not change a verdict: cut anywhere, the same sheets pass and the same fail."""
    import rostercheck.safety.xlsx as xlsx

    samples = [f for f in sorted((ROOT / "sample_rosters").rglob("*.xlsx"))]
    sheets = [parts(f)[n] for f in samples for n in parts(f) if n.startswith("xl/worksheets/sheet")]
    sheets += [far_cell(sheets[0]), _rless_sheet(40, 30)]
    sheets += [sheets[0].replace(b"</sheetData>", b'<row r="60">' + c + b"</row></sheetData>", 1)
               for c in FORMULA_CELLS.values()]
    monkeypatch.setattr(xlsx, "MAX_CELLS", 5_000)

    def verdict(data: bytes, size: int) -> str:
        monkeypatch.setattr(xlsx, "CHUNK", size)
        scan = xlsx.SheetScan("f.xlsx", "s")
        try:
            for i in range(0, len(data), size):
                scan.feed(data[i:i + size])
            scan.close()
        except InputError as e:
            return str(e).split(":")[0] + (" formula" if "formula" in str(e) else " box")
        return "ok"

    for data in sheets:
        assert verdict(data, chunk) == verdict(data, 1 << 30)


# ----------------------------------------------------------------------------- 3. every input protected
def _setup(tmp_path: Path) -> dict[str, Path]:
    import shutil

    d = tmp_path / "w"
    d.mkdir()
    r = d / "r.xlsx"
    shutil.copy(SAMPLE, r)
    shutil.copy(SAMPLE, d / "june.xlsx")
    cfg = d / "c.toml"
    cfg.write_text((SAMPLE.parent / "rostercheck.toml").read_text())
    (d / "rostercheck.toml").write_text(cfg.read_text())
    baseline = d / "b.json"
    assert run("baseline", str(r), "-o", str(baseline))[0] == 0
    return {"roster": r, "config": cfg, "found": d / "rostercheck.toml", "baseline": baseline,
            "previous": d / "june.xlsx"}


OVERWRITES = {
    "check -o config": ["check", "{roster}", "--config", "{config}", "-o", "{config}"],
    "check -o found config": ["check", "{roster}", "-o", "{found}"],
    "check -o baseline": ["check", "{roster}", "--baseline", "{baseline}", "-o", "{baseline}"],
    "check --annotate config": ["check", "{roster}", "--config", "{config}", "--annotate", "{config}"],
    "check -o previous": ["check", "{roster}", "--previous", "{previous}", "-o", "{previous}"],
    "repair -o config": ["repair", "{roster}", "--config", "{config}", "-o", "{config}"],
    "repair --changes found": ["repair", "{roster}", "--changes", "{found}"],
    "repair --annotate found": ["repair", "{roster}", "--annotate", "{found}"],
    "report --html config": ["report", "{roster}", "--config", "{config}", "--html", "{config}"],
    "report --html found": ["report", "{roster}", "--html", "{found}"],
    "baseline -o config": ["baseline", "{roster}", "--config", "{config}", "-o", "{config}"],
    "baseline -o found": ["baseline", "{roster}", "-o", "{found}"],
    "baseline -o previous": ["baseline", "{roster}", "--previous", "{previous}", "-o", "{previous}"],
    "report --pdf found": ["report", "{roster}", "--html", "{roster}.html", "--pdf", "{found}"],
    "swap -o found": ["swap", "{roster}", "A", "B", "2026-07-01", "-o", "{found}"],
    "fairness -o config": ["fairness", "{roster}", "--config", "{config}", "-o", "{config}"],
}


@pytest.mark.parametrize("case", OVERWRITES)
def test_no_output_replaces_a_file_the_command_reads(tmp_path, case):
    """Each of these replaced the config (or baseline) with the report."""
    files = _setup(tmp_path)
    before = {k: v.read_bytes() for k, v in files.items()}
    args = [a.format(**files) for a in OVERWRITES[case]]
    one_line_exit_2(*run(*args), "never overwrites an input")
    assert {k: v.read_bytes() for k, v in files.items()} == before


def test_pyproject_config_is_protected(tmp_path, monkeypatch):
    files = _setup(tmp_path)
    files["found"].unlink()
    (tmp_path / "pyproject.toml").write_text('[tool.rostercheck]\npreset = "acgme"\n')
    monkeypatch.chdir(tmp_path)
    one_line_exit_2(*run("check", str(files["roster"]), "-o", "pyproject.toml"), "never overwrites an input")
    assert "[tool.rostercheck]" in (tmp_path / "pyproject.toml").read_text()


def test_the_writer_itself_refuses_what_was_read(tmp_path):
    """The claim is checked again where every output is written: a command that forgot is still safe."""
    from rostercheck.config import load
    from rostercheck.output import atomic_write, begin

    files = _setup(tmp_path)
    begin()
    load(str(files["roster"]))
    with pytest.raises(InputError, match="never overwrites an input"):
        atomic_write(files["found"], "report")
    begin()


# ----------------------------------------------------------------------------- 6. outputs that are not files
def test_a_fifo_output_is_refused_not_replaced(tmp_path):
    """As root, ``-o /dev/null`` replaced the device node with a plain file; a fifo shows it safely."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    one_line_exit_2(*run("check", str(SAMPLE), "-o", str(fifo)), "pipe", "not a plain file")
    assert fifo.is_fifo()


def test_proc_self_mem_is_refused_in_one_line():
    one_line_exit_2(*run("check", str(SAMPLE), "-o", "/proc/self/mem"), "/proc/self/mem")


def test_an_unwritable_folder_is_one_line(tmp_path, monkeypatch):
    """A read-only folder raised PermissionError ("unexpected"); root can write anywhere, so the
    refusal the operating system gives a user is played here."""
    import tempfile

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    one_line_exit_2(*run("check", str(SAMPLE), "-o", str(tmp_path / "out.txt")), "out.txt", "Permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_folder_is_one_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    one_line_exit_2(*run("check", str(SAMPLE), "-o", str(ro / "out.txt")), "out.txt", "Permission denied")


# ----------------------------------------------------------------------------- 9. leftovers of killed runs
def test_temp_files_say_what_they_are_and_stale_ones_are_cleaned(tmp_path):
    from rostercheck.output import STALE_SECONDS, TMP_MARK, atomic_write

    seen = []
    atomic_write(tmp_path / "report.txt", lambda tmp: (seen.append(Path(tmp).name), Path(tmp).write_text("x")))
    assert seen[0].startswith(".report.txt" + TMP_MARK)
    old = tmp_path / f".july.xlsx{TMP_MARK}k1lled00"  # a killed run's leftover
    fresh = tmp_path / f".july.xlsx{TMP_MARK}wr1t1ng0"  # another run writing right now
    other = tmp_path / ".july.xlsx.abcd.tmp"  # not ours: never touched
    for f in (old, fresh, other):
        f.write_text("half")
    past = time.time() - STALE_SECONDS - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    code, err = run("check", str(SAMPLE), "-o", str(tmp_path / "report.txt"))
    assert code in (0, 1), err
    assert not old.exists() and fresh.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name, "report.txt"])


# ----------------------------------------------------------------------------- 2. a worker that dies
CRASHING_RUN = """
import os, sys
import rostercheck.pipeline as pipeline

real = pipeline.check_path


def check_path(path, kw, previous=None):
    if os.path.basename(path).startswith("bad"):
        os.abort()  # what calamine did on a crafted sheet: the whole worker process gone
    return real(path, kw, previous)


pipeline.check_path = check_path  # workers are forked from here, so they inherit it
from rostercheck.cli import main

main(sys.argv[1:], prog_name="rostercheck")
"""


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_a_worker_that_dies_costs_only_its_file(tmp_path, jobs):
    """A worker aborting made the batch exit 2 after 170 lines (BrokenProcessPool), reporting nothing."""
    import json
    import shutil

    d = tmp_path / "rosters"
    d.mkdir()
    names = ["a1.xlsx", "a2.xlsx", "bad.xlsx", "c1.xlsx", "c2.xlsx", "c3.xlsx", "d.xlsx"]
    for n in names:
        shutil.copy(SAMPLE, d / n)
    shutil.copy(SAMPLE.parent / "rostercheck.toml", d / "rostercheck.toml")
    script = tmp_path / "run.py"
    script.write_text(CRASHING_RUN)
    r = subprocess.run([sys.executable, str(script), "check", str(d), "--jobs", jobs, "--format", "json"],
                       capture_output=True, text=True, timeout=300)
    one_line_2(r, "bad.xlsx", "crashed")
    doc = json.loads(r.stdout)
    assert [Path(u["roster"]).name for u in doc["unusable"]] == ["bad.xlsx"]
    assert [Path(x).name for x in doc["rosters"]] == [n for n in names if n != "bad.xlsx"]  # all, in order


# ----------------------------------------------------------------------------- 6, 7. values that mean nothing
CONFIG_VALUES = {
    "kind list": ("[rules.x]\nkind = []\n", "rules.x.kind"),
    "kind table": ("[rules.x]\nkind = {}\n", "rules.x.kind"),
    "preset rule kind list": ("[rules.weekly-hours]\nkind = []\n", "rules.weekly-hours.kind"),
    "window-hours 1e12": ('[rules.w]\nkind = "max-rolling-hours"\nlimit = 72\nwindow-hours = 1e12\n',
                          "rules.w.window-hours"),
    "limit nan": ("[rules.weekly-hours]\nlimit = nan\n", "rules.weekly-hours.limit"),
    "limit inf": ("[rules.weekly-hours]\nlimit = inf\n", "rules.weekly-hours.limit"),
    "limit -inf": ("[rules.weekly-hours]\nlimit = -inf\n", "rules.weekly-hours.limit"),
    "per huge": ("[rules.weekly-hours]\nper = 99999999999999\n", "rules.weekly-hours.per"),
    "header-row huge": ("[roster]\nheader-row = 1000000000000\n", "roster.header-row"),
    "shift hours nan": ('[shifts]\nZZ = { start = "07:00", hours = nan, kind = "work" }\n', "shifts.ZZ"),
    "shift hours huge": ('[shifts]\nZZ = { start = "07:00", hours = 1e300, kind = "work" }\n', "shifts.ZZ"),
    "repair time-limit nan": ("[repair]\ntime-limit = nan\n", "repair.time-limit"),
    "repair time-limit inf": ("[repair]\ntime-limit = inf\n", "repair.time-limit"),
    "repair seed huge": ("[repair]\nseed = 9223372036854775807\n", "repair.seed"),
    "repair workers huge": ("[repair]\nworkers = 9223372036854775807\n", "repair.workers"),
    "repair max-changes huge": ("[repair]\nmax-changes = 9223372036854775807\n", "repair.max-changes"),
}


@pytest.mark.parametrize("case", CONFIG_VALUES)
def test_config_values_that_mean_nothing_are_refused_naming_the_key(tmp_path, case):
    """Each was a traceback ("unexpected"), a silently disabled rule, or blamed on the workbook."""
    import shutil

    toml, key = CONFIG_VALUES[case]
    shutil.copy(SAMPLE, tmp_path / "r.xlsx")
    (tmp_path / "rostercheck.toml").write_text('preset = "acgme"\n' + toml)
    args = ["repair", str(tmp_path / "r.xlsx")] if case.startswith("repair") else ["check", str(tmp_path / "r.xlsx")]
    one_line_exit_2(*run(*args), "rostercheck.toml", key)


@pytest.mark.parametrize("args, needle", [
    (["repair", str(SAMPLE), "--time-limit", "nan"], "--time-limit"),
    (["repair", str(SAMPLE), "--time-limit", "inf"], "--time-limit"),
    (["report", str(SAMPLE), "--html", "x.html", "--repair", "--time-limit", "nan"], "--time-limit"),
    (["repair", str(SAMPLE), "--seed", "99999999999999999999999"], "--seed"),
    (["repair", str(SAMPLE), "--workers", "99999999999999999999999"], "--workers"),
    (["repair", str(SAMPLE), "--max-changes", "99999999999999999999999"], "--max-changes"),
    (["check", str(SAMPLE), "--header-row", "1000000000000"], "--header-row"),
])
def test_options_that_mean_nothing_are_refused(tmp_path, monkeypatch, args, needle):
    """``nan`` passed FloatRange; a 23-digit seed reached the solver (a 4-line signature dump)."""
    from click.testing import CliRunner

    from rostercheck.cli import main

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output
    assert f"Invalid value for '{needle}'" in r.stderr and "unexpected" not in r.stderr, r.stderr
    assert not (tmp_path / "x.html").exists()


def test_a_preset_list_naming_no_preset_is_refused():
    """``--preset ',,,'`` ran no rule and said "no rule broken"."""
    for p in (",,,", " , ", ""):
        one_line_exit_2(*run("check", str(SAMPLE), "--preset", p), "--preset", "names no preset")


def test_every_number_option_of_every_rule_kind_is_bounded():
    """nan, infinities and absurd sizes are refused for every number a rule takes, naming the key."""
    from rostercheck import rules as registry
    from rostercheck.config import parse

    for kind in registry.KINDS:
        for name, o in registry.options(kind).items():
            if o.type not in ("int", "number"):
                continue
            bad = [float("nan"), float("inf"), float("-inf"), 10**30, -(10**30), 1e12]
            for v in bad:
                if o.type == "int" and isinstance(v, float):
                    continue
                with pytest.raises(InputError) as e:
                    parse({"preset": "none", "rules": {"x": {"kind": kind, name: v}}}, path="c.toml")
                assert e.value.key == f"rules.x.{name}" or e.value.key == "rules.x", (kind, name, v, str(e.value))


def test_an_encrypted_zip_entry_is_one_line(tmp_path):
    """A part flagged encrypted raised RuntimeError ("unexpected") inside the zip reader."""
    data = bytearray(SAMPLE.read_bytes())
    # set the "encrypted" bit (bit 0 of the flags) in every local and central directory header
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            data[at + off] |= 1
            at = data.find(sig, at + 4)
    bad = tmp_path / "locked.xlsx"
    bad.write_bytes(bytes(data))
    one_line_exit_2(*run("check", str(bad)), "locked.xlsx", "encrypted")


def test_a_dtd_in_an_image_is_not_a_reason_to_refuse(tmp_path):
    """Only parts a reader parses as XML are searched: an SVG image may carry a DTD, and is never parsed."""
    p = parts()
    p["xl/media/image1.svg"] = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'
    inspect(write(tmp_path / "picture.xlsx", p))


def test_a_zip_needing_a_newer_zip_version_is_one_line(tmp_path):
    """The fuzz suite found it: a central-directory entry asking for zip version 8.4 made the
    standard library raise NotImplementedError, reported as 'unexpected'."""
    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "family-medicine" / "block-3.xlsx"
    data = bytearray(sample.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = (84).to_bytes(2, "little")  # version needed to extract
    p = tmp_path / "block-3.xlsx"
    p.write_bytes(bytes(data))
    code, err = run("check", str(p))
    one_line_exit_2(code, err, "zip container cannot be read")
