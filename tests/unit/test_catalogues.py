"""The message catalogues: compiled as edited, the same keys and placeholders in both languages,
and every message the code asks for present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workflows.i18n import LANGS, t
from workflows.translations import catalogue_paths, compiled

ROOT = Path(__file__).resolve().parents[2]
# t("key"), cli.t("key"), Message("key", …), SomeError("key", …): a stable id with a dot
ASKED = re.compile(r"""(?:\bt|Message|Error)\(\s*"([a-z_]+\.[a-z0-9_]+)\"""")


KEY = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")  # zhibu's own messages; help and click's words are English msgids


def entries(lang: str) -> dict[str, str]:
    """The keyed messages of ``lang``'s catalogue."""
    source, _ = catalogue_paths(lang)
    with source.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and KEY.match(m.id)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGS)
def test_each_compiled_catalogue_is_its_source_compiled(lang: str) -> None:
    _, target = catalogue_paths(lang)
    assert target.read_bytes() == compiled(lang), "run: python -m workflows.translations"


def test_both_languages_have_the_same_messages_with_the_same_placeholders() -> None:
    zh, en = entries("zh"), entries("en")
    assert set(zh) == set(en)
    assert [key for key in zh if not zh[key] or not en[key]] == []
    assert [key for key in zh if placeholders(zh[key]) != placeholders(en[key])] == []


def test_every_message_the_code_asks_for_is_in_the_catalogues() -> None:
    known = set(entries("zh"))
    asked = {
        key
        for package in ("scheduler", "workflows", "notifiers")
        for path in (ROOT / package).rglob("*.py")
        for key in ASKED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(asked) > 100
    assert sorted(asked - known) == []


def test_a_message_renders_in_each_language() -> None:
    assert t("state.overdue", "zh") == "已逾期"
    assert t("state.overdue", "en") == "overdue"
    with pytest.raises(KeyError):
        t("no.such_message", "zh")
