"""ANSI styles for terminal reports, without Click: renderers are library code, and only ``cli.py``
knows Click. The CLI decides whether colour is wanted (a terminal, ``NO_COLOR`` unset)."""

from __future__ import annotations

from typing import Protocol

_FG = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


class Style(Protocol):
    def __call__(self, text: str, *, fg: str | None = None, bold: bool = False, dim: bool = False) -> str: ...


def styler(color: bool) -> Style:
    """``st(text, fg=..., bold=..., dim=...)`` that styles when ``color`` is true and is identity otherwise."""

    def st(text: str, *, fg: str | None = None, bold: bool = False, dim: bool = False) -> str:
        if not color:
            return text
        codes = [_FG[fg]] if fg else []
        codes += [1] * bold + [2] * dim
        return "".join(f"\x1b[{c}m" for c in codes) + text + "\x1b[0m"  # as click.style writes it

    return st
