"""Who is acting: the operator of a human write, and on whose behalf it is recorded (代录)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """The person a write is attributed to. ``login`` is who the caller is; ``on_behalf_of``
    names the person the record is made for when that is someone else (``--by``)."""

    login: str
    on_behalf_of: str | None = None

    @property
    def recorded_by(self) -> str:
        """The name the record carries: the person it was made for, else the operator."""
        return self.on_behalf_of or self.login
