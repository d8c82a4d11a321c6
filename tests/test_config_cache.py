"""A batch loads the config beside its rosters once (``config.load`` caches by file identity):
each caller still gets a config of its own, and an edited file is read again."""

from __future__ import annotations

import os
from pathlib import Path

from rostercheck import config as cfgmod
from rostercheck.pipeline import load_config


def test_each_load_is_a_config_of_its_own_and_an_edit_is_seen(tmp_path: Path) -> None:
    toml = tmp_path / "rostercheck.toml"
    toml.write_text('preset = ["acgme"]\n[roster]\nsheet = ["July"]\n')
    roster = str(tmp_path / "july.xlsx")
    first = load_config(roster, {"sheet": ("Other",), "preset": "wellness"})
    assert first.roster.sheet == ["Other"] and first.presets == ["wellness"]
    second = cfgmod.load(roster)  # the options given to the first load changed only its copy
    assert second.roster.sheet == ["July"] and second.presets == ["acgme"]
    assert second is not first and second.roster is not first.roster
    toml.write_text('preset = ["none"]\n[roster]\nsheet = ["August"]\n')
    os.utime(toml, ns=(1, 1))  # an edit within the same clock tick still changes size or time
    third = cfgmod.load(roster)
    assert third.roster.sheet == ["August"] and third.presets == []


def test_a_bad_config_is_refused_every_time(tmp_path: Path) -> None:
    import pytest

    from rostercheck.errors import InputError

    toml = tmp_path / "rostercheck.toml"
    toml.write_text("preset = [1]\n")
    for _ in range(2):
        with pytest.raises(InputError):
            cfgmod.load(str(tmp_path / "july.xlsx"))
