"""Help and click's own words in the reader's language, from the same catalogue as every message.

Help texts are written in English in the code and translated when shown: a command's help, its
options' help and its subcommands' summaries are looked up in the catalogue of the language
``--lang``/``ZHIBU_LANG``/the config chose. Click's own words (``Usage:``, ``Options``,
``Missing option``…) come through the standard ``gettext`` domain, pointed at the same files.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import click

from workflows.i18n import DOMAIN, LANGS, LOCALE_DIR, Lang, catalogue

LANG_ENV = "ZHIBU_LANG"


def speak(lang: Lang) -> None:
    """Make click's own words (usage, errors) come in ``lang`` from zhibu's catalogue."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang


def help_language(ctx: click.Context) -> Lang:
    """The language of this command line: the chosen one once the global options are read, else
    ``--lang`` as typed (:func:`speak` was told it before click ran), else ZHIBU_LANG, else Chinese."""
    from scheduler.cli.context import Cli

    cli = ctx.find_object(Cli)
    if cli is not None:
        return cli.lang
    given = ctx.find_root().params.get("lang") or os.environ.get("LANGUAGE") or os.environ.get(LANG_ENV)
    return cast(Lang, given) if given in LANGS else "zh"


def translate(text: str | None, lang: Lang) -> str | None:
    """``text`` in ``lang`` (itself when the catalogue has no translation)."""
    return catalogue(lang).gettext(text) if text else text


@contextmanager
def translated(command: click.Command, lang: Lang) -> Iterator[None]:
    """For the duration of a help page: the command's and its options' help in ``lang``."""
    saved: list[tuple[Any, str, str | None]] = [(command, "help", command.help)]
    saved.extend((param, "help", param.help) for param in command.params if isinstance(param, click.Option))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            saved.append((sub, "short_help", sub.short_help))
    try:
        for owner, attribute, text in saved:
            if attribute == "short_help" and text is None:
                text = owner.help and owner.get_short_help_str(10_000)
            setattr(owner, attribute, translate(text, lang))
        yield
    finally:
        for owner, attribute, text in saved:
            setattr(owner, attribute, text)


class TranslatedCommand(click.Command):
    """A command whose help page is in the reader's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self, help_language(ctx)):
            super().format_help(ctx, formatter)


class TranslatedGroup(click.Group):
    """A group whose help page and subcommand list are in the reader's language."""

    command_class = TranslatedCommand

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self, help_language(ctx)):
            super().format_help(ctx, formatter)


TranslatedGroup.group_class = TranslatedGroup


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], TranslatedCommand]:
    """``click.command`` whose help is translated."""
    return click.command(name, cls=TranslatedCommand, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], TranslatedGroup]:
    """``click.group`` whose help is translated."""
    return click.group(name, cls=TranslatedGroup, **attrs)
