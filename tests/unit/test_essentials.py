"""The settings light commands read without validating the config: same defaults as the schema,
same ``${VAR}`` substitution, and None (so the full check speaks) for anything doubtful."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.config.essentials import read_essentials
from workflows.config.schema import OrgSection, StoreSection


def test_defaults_are_the_schemas(tmp_path: Path) -> None:
    config = tmp_path / "zhibu.toml"
    config.write_text('[org]\nname = "某党委"\n', encoding="utf-8")
    found = read_essentials(config)
    assert found is not None
    assert found.store_url == StoreSection.model_fields["url"].default
    assert found.locale == OrgSection.model_fields["locale"].default
    assert found.timezone == OrgSection.model_fields["timezone"].default
    assert found.directory == tmp_path.resolve()


def test_environment_references_are_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBU_TEST_DB", "postgresql+psycopg://zhibu@db/zhibu")
    config = tmp_path / "zhibu.toml"
    config.write_text('[org]\nlocale = "en"\n\n[store]\nurl = "${ZHIBU_TEST_DB}"\n', encoding="utf-8")
    found = read_essentials(config)
    assert found is not None
    assert (found.store_url, found.locale) == ("postgresql+psycopg://zhibu@db/zhibu", "en")


@pytest.mark.parametrize(
    "text",
    [
        '[store]\nurl = "${ZHIBU_SURELY_UNSET}"\n',  # a missing variable
        '[org]\ntimezone = "Mars/Olympus"\n',  # not a zone
        '[org]\nlocale = "fr"\n',
        "[org\n",  # not TOML
        'org = "x"\n',
    ],
)
def test_anything_doubtful_is_left_to_the_full_check(tmp_path: Path, text: str) -> None:
    config = tmp_path / "zhibu.toml"
    config.write_text(text, encoding="utf-8")
    assert read_essentials(config) is None
    assert read_essentials(tmp_path / "missing.toml") is None
