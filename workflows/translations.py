"""Compiling the message catalogues: ``workflows/locale/<lang>/LC_MESSAGES/zhibu.po`` → ``.mo``.

The ``.po`` files are the source every sentence is edited in; the ``.mo`` files beside them are
what :mod:`workflows.i18n` loads (through the standard library's ``gettext``, so a command pays
nothing for a translation library). Run ``python -m workflows.translations`` after editing a
``.po`` file; a test fails while a ``.mo`` file is stale. Babel (a test extra) does the compiling.
"""

from __future__ import annotations

import io
from pathlib import Path

from workflows.i18n import DOMAIN, LANGS, LOCALE_DIR


def catalogue_paths(lang: str) -> tuple[Path, Path]:
    """The ``.po`` source and the compiled ``.mo`` file of ``lang``."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def compiled(lang: str) -> bytes:
    """The ``.mo`` bytes of ``lang``'s ``.po`` file as it is now."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source, _ = catalogue_paths(lang)
    with source.open("rb") as handle:
        catalogue = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    return buffer.getvalue()


def compile_all() -> list[str]:
    """Write every ``.mo`` file whose source changed; the languages written."""
    written: list[str] = []
    for lang in LANGS:
        _, target = catalogue_paths(lang)
        data = compiled(lang)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
            written.append(lang)
    return written


if __name__ == "__main__":
    print("compiled: " + (", ".join(compile_all()) or "nothing changed"))
