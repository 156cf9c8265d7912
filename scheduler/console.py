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


def main() -> None:
    """Run ``zhibu`` with the collector paused until the command's module is loaded."""
    gc.disable()
    from scheduler.cli import main as zhibu

    zhibu()
