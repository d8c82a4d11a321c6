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


def test_the_config_beside_a_roster_is_found_through_links_and_relative_paths(
    tmp_path: Path, monkeypatch
) -> None:
    """``find_config`` looks beside the roster's real path (a linked folder finds the config of the
    folder it points to), then in the working directory, as ``Path.resolve`` found them."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "rostercheck.toml").write_text('preset = ["acgme"]\n')
    (real / "july.xlsx").write_bytes(b"")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for roster in (real / "july.xlsx", tmp_path / "link" / "july.xlsx"):
        found = cfgmod.find_config(str(roster), None)
        assert found == (Path(roster).resolve().parent / "rostercheck.toml", "")
    monkeypatch.chdir(real)
    assert cfgmod.find_config("july.xlsx", None) == (real.resolve() / "rostercheck.toml", "")
    assert cfgmod.find_config(None, None) == (real.resolve() / "rostercheck.toml", "")
    monkeypatch.chdir(elsewhere)
    assert cfgmod.find_config(str(elsewhere / "july.xlsx"), None) is None
    (elsewhere / "rostercheck.toml").write_text("")
    assert cfgmod.find_config(str(tmp_path / "nowhere" / "july.xlsx"), None) == (
        elsewhere.resolve() / "rostercheck.toml", "")
