"""The ``zhibu`` console script (and ``python -m scheduler.cli``).

A command run from a shell is short, and start-up is most of its cost (docs/performance.md).
Python's cyclic garbage collector is paused while the CLI and the command's module are
imported: they build tens of thousands of long-lived objects and no garbage worth a pass, yet
each pass walks them all (7% of a cold ``zhibu list``). Once the command is loaded,
``ZhibuGroup.get_command`` freezes what the imports made out of every later collection and turns
the collector back on, so ``zhibu run`` and the long commands collect as usual — over their own
objects only.
"""

from __future__ import annotations

import gc
import os
import sys

from workflows.i18n import LANGS, Lang


def main() -> None:
    """Run ``zhibu`` with the collector paused until the command's module is loaded."""
    from scheduler.cli.remote import forward, socket_for

    args = sys.argv[1:]
    through = socket_for(args)
    if through is not None:  # the store is the service's: it runs the command, as this user
        raise SystemExit(forward(through, args))
    gc.disable()
    from scheduler.cli import main as zhibu
    from scheduler.cli.translated import speak

    speak(_given_language(sys.argv[1:]))
    zhibu()


def _given_language(args: list[str]) -> Lang:
    """``--lang`` as typed, else ZHIBU_LANG, else Chinese: the language of click's own words
    until the config has been read (a usage error may come before)."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args) and args[index + 1] in LANGS:
            return "en" if args[index + 1] == "en" else "zh"
        if arg.startswith("--lang=") and arg[7:] in LANGS:
            return "en" if arg[7:] == "en" else "zh"
    return "en" if os.environ.get("ZHIBU_LANG") == "en" else "zh"
