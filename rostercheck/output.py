"""Writing outputs safely: never over an input, never half a file, never over anything but a file.

Every file rostercheck writes goes to a temporary file beside the target and is renamed into
place, so a crash or a kill leaves either the old file or the new one. The temporary file is named
``.NAME.rostercheck-tmp-XXXXXXXX`` so that one left behind by a killed run says what it is, and the
next write in the same folder removes such leftovers once they are ``STALE_SECONDS`` old (only
ours: owned by this user, matching the pattern, a plain file).

One mechanism keeps outputs off inputs for every command: each file a command reads (rosters,
``--previous``, the config, whether given or found, a baseline) is recorded with ``reading``, by
the command before it starts (``claim``, which also checks every output at once) and by the
readers themselves as they open files; ``atomic_write`` refuses any recorded path. A command
starts with ``begin`` so that one command's inputs never constrain the next in the same process.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from rostercheck.errors import InputError

#: the temporary file's name between the target's name and the random part
TMP_MARK = ".rostercheck-tmp-"
#: age after which a temporary file of ours is a leftover of a killed run, not a write in progress
STALE_SECONDS = 15 * 60

_INPUTS: set[str] = set()  # real paths of every file the current command reads


def begin() -> None:
    """Forget the previous command's inputs (the CLI calls this as each command starts)."""
    _INPUTS.clear()


def reading(*paths: str | os.PathLike | None) -> None:
    """Record files the current command reads: no output may then be written over them."""
    for p in paths:
        if p is not None:
            _INPUTS.add(os.path.realpath(p))


def refuse_inputs(output: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), *,
                  option: str = "the output") -> None:
    """Raise if ``output`` is one of ``inputs`` or of the files recorded with ``reading``."""
    out = os.path.realpath(output)
    if out in _INPUTS or any(os.path.realpath(i) == out for i in inputs if i is not None):
        raise InputError(f"{option} must not be an input file; rostercheck never overwrites an input",
                         file=str(output))


def refuse_special(output: str | os.PathLike, *, option: str = "the output") -> None:
    """Raise if ``output`` exists and is not a plain file (a device, a fifo, a folder).

    The output is written by renaming a new file over it: over ``/dev/null`` that would replace the
    device itself (run as root, it did), over a fifo the reader at its other end would never see it.
    """
    try:
        st = os.stat(output)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as e:
        raise InputError(f"{option}: cannot use this path ({e.strerror or e})", file=str(output)) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a plain file (a device, a fifo or a socket)"
        raise InputError(f"{option} is {kind}; give the path of a file to write (or leave the option out "
                         "to print)", file=str(output))


def claim(outputs: Mapping[str, str | os.PathLike | None], inputs: Iterable[str | os.PathLike | None]) -> None:
    """Check a command's outputs before it does any work: each one a file of its own, none an input.

    ``outputs`` maps an option (``--output``) to its path or None; ``inputs`` are every file the
    command will read, recorded so that ``atomic_write`` refuses them too.
    """
    reading(*inputs)
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if not path:
            continue
        refuse_special(path, option=option)
        refuse_inputs(path, option=option)
        key = os.path.realpath(path)
        if key in seen:
            raise InputError(f"given for {seen[key]} and {option}; each output needs its own file", file=str(path))
        seen[key] = option


def clean_stale(directory: str | os.PathLike, now: float | None = None) -> list[str]:
    """Remove temporary files a killed run left in ``directory``; returns the names removed.

    Only files named like ours (``.NAME.rostercheck-tmp-XXXX``), plain files (not links), owned by
    this user and untouched for ``STALE_SECONDS``: a write in progress is never that old.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        if not (e.name.startswith(".") and TMP_MARK in e.name):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and now - st.st_mtime > STALE_SECONDS):
                os.unlink(e.path)
                removed.append(e.name)
        except OSError:
            continue
    return removed


def atomic_write(path: str | os.PathLike, write: Callable[[str], None] | bytes | str, *,
                 option: str = "the output") -> None:
    """Write via a temp file in the same directory, then ``os.replace`` (atomic on one filesystem)."""
    target = Path(path)
    directory = target.resolve().parent
    if not directory.is_dir():
        raise InputError("the output's folder does not exist", file=str(path))
    refuse_special(path, option=option)
    refuse_inputs(path, option=option)
    clean_stale(directory)
    try:
        import tempfile  # only when something is written: a check that prints does not load it

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write in this folder ({e.strerror or e})", file=str(path)) from None
    try:
        if callable(write):
            os.close(fd)
            write(tmp)
        else:
            data = write.encode("utf-8") if isinstance(write, str) else write
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        # mkstemp makes owner-only files; outputs are meant to be shared like any saved file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"cannot write the output ({e.strerror or e})", file=str(path)) from None
        raise
