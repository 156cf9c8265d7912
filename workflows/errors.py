"""The errors a user can act on, each rendered in zh or en, with the exit code the CLI contract
gives it (1 state or nothing matched, 2 bad input, 3 store, 4 not allowed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflows.i18n import Lang, Message, t


class ZhibuError(Exception):
    """An error a user can act on, rendered in zh or en; ``exit_code`` follows the CLI contract."""

    exit_code = 1

    def __init__(self, key: str, /, *, details: Sequence[str | Message] | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.details = list(details or [])

    def message(self, lang: Lang) -> str:
        """The whole message, with any detail lines below the headline."""
        lines = [t(self.key, lang, **self.params)]
        lines.extend(d if isinstance(d, str) else d.render(lang) for d in self.details)
        suggestions = self.params.get("suggestions")
        if suggestions:
            lines.append(t("task.suggest", lang))
            lines.extend(f"  {item}" for item in suggestions)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message("en")


class UsageError(ZhibuError):
    """Bad input on the command line (exit 2)."""

    exit_code = 2


class StateError(ZhibuError):
    """The request is well formed but the task's state refuses it (exit 1)."""

    exit_code = 1


class NotFoundError(ZhibuError):
    """Nothing matched (exit 1)."""

    exit_code = 1


class NotAllowedError(ZhibuError):
    """The operator may not do this here (exit 4); nothing was written."""

    exit_code = 4
