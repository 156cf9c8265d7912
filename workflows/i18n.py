"""Bilingual messages (Chinese first, English available) and the error base class.

Every sentence a secretary reads comes from the gettext catalogues in ``locale/`` (edited as
``.po`` files, compiled by ``python -m workflows.translations``), keyed by a stable id, so the
same error can be shown in zh or en and tests can assert on the key instead of the wording.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

Lang = Literal["zh", "en"]


LANGS: tuple[Lang, ...] = ("zh", "en")


DOMAIN = "zhibu"


LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(lang: Lang) -> gettext.NullTranslations:
    """The compiled message catalogue of ``lang`` (``locale/<lang>/LC_MESSAGES/zhibu.mo``)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


class Bilingual(NamedTuple):
    """A parameter value that differs by language."""

    zh: str
    en: str

    def render(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.zh if lang == "zh" else self.en


class Message(NamedTuple):
    """A message rendered when it is shown, in the reader's language (parameters may be
    messages or :class:`Bilingual` values themselves)."""

    key: str
    params: Mapping[str, Any]

    def render(self, lang: Lang) -> str:
        """The message in ``lang``."""
        return t(
            self.key,
            lang,
            **{n: v.render(lang) if isinstance(v, Message | Bilingual) else v for n, v in self.params.items()},
        )


def t(key: str, lang: Lang, /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` with ``params`` (str.format placeholders)."""
    template = catalogue(lang).gettext(key)
    if template == key:
        raise KeyError(f"message {key!r} is not in the {lang} catalogue")
    return template.format(**params)


def has_message(key: str) -> bool:
    """Whether ``key`` is a message of the catalogues."""
    return catalogue("en").gettext(key) != key
