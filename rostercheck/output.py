"""Writing outputs safely: never over an input, never half a file.

Every file rostercheck writes goes to a temporary file beside the target and is renamed into
place, so a crash or a kill leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rostercheck.errors import InputError


def refuse_inputs(output: str | os.PathLike, inputs: Iterable[str | os.PathLike], *, option: str) -> None:
    out = Path(output).resolve()
    for i in inputs:
        if Path(i).resolve() == out:
            raise InputError(f"{option} must not be an input file; rostercheck never overwrites an input",
                             file=str(output))


def atomic_write(path: str | os.PathLike, write: Callable[[str], None] | bytes | str) -> None:
    """Write via a temp file in the same directory, then ``os.replace`` (atomic on one filesystem)."""
    target = Path(path)
    directory = target.resolve().parent
    if not directory.is_dir():
        raise InputError("the output's folder does not exist", file=str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
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
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
