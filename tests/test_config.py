"""The settings loader and the documented example config."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from linkaudit.config import Settings, load_settings
from linkaudit.exceptions import ConfigError
from linkaudit.verdicts import Verdict

EXAMPLE = Path(__file__).resolve().parents[1] / "linkaudit.example.toml"


def test_example_loads_and_equals_defaults() -> None:
    assert load_settings(EXAMPLE) == Settings()


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    written = set(re.findall(r"^#? ?([a-z_0-9]+) = ", text, flags=re.MULTILINE))
    written |= set(re.findall(r"^\[([a-z_]+)\]", text, flags=re.MULTILINE))
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields - written == set()
    for name in fields:
        # each key has a comment on the line above it
        match = re.search(rf"^(.*)\n#? ?\[?{name}\]?( =|$)", text, flags=re.MULTILINE)
        assert match and match.group(1).startswith("#"), name


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    config = tmp_path / "linkaudit.toml"
    config.write_text("timeout = 5\ntimout = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{re.escape(str(config))}: unknown key 'timout'"):
        load_settings(config)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('timeout = "fast"', "timeout"),
        ("retries = 2.5", "retries"),
        ("soft404 = 1", "soft404"),
        ('exclude = "x"', "exclude"),
        ('fail_on = ["deadish"]', "fail_on"),
        ("headers = 3", "headers"),
    ],
)
def test_wrong_type_names_key_and_file(tmp_path: Path, line: str, key: str) -> None:
    config = tmp_path / "linkaudit.toml"
    config.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{re.escape(str(config))}: key '{key}'"):
        load_settings(config)


def test_pyproject_table_is_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.linkaudit]\ntimeout = 5\nfail-on = ["dead"]\n',
        encoding="utf-8",
    )
    sub = tmp_path / "docs" / "briefs"
    sub.mkdir(parents=True)
    settings = load_settings(cwd=sub)
    assert settings.timeout == 5.0 and settings.fail_on == (Verdict.DEAD,)


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_settings(cwd=tmp_path).timeout == Settings().timeout


def test_linkaudit_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.linkaudit]\ntimeout = 5\n", encoding="utf-8")
    (tmp_path / "linkaudit.toml").write_text("timeout = 7\n", encoding="utf-8")
    assert load_settings(cwd=tmp_path).timeout == 7.0


def test_overrides_beat_the_file(tmp_path: Path) -> None:
    config = tmp_path / "linkaudit.toml"
    config.write_text("timeout = 7\nretries = 4\n", encoding="utf-8")
    settings = load_settings(config, overrides={"timeout": 1.5, "retries": None})
    assert (settings.timeout, settings.retries) == (1.5, 4)


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "linkaudit.toml"
    broken.write_text("timeout = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)
