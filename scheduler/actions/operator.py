"""Who is acting: the operator of a human write, as the kernel says, and on whose behalf (代录).

The operator is the login of the calling uid — read with ``getpwuid(getuid())`` when the CLI
writes itself, from the peer's credentials (``SO_PEERCRED``) on the service's socket, or the
person a signed web link was issued to. Environment variables and ``--by`` never change it:
``--by`` names the person a record is made for, stored beside the operator.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Operator:
    """The login a write is attributed to, the person that login belongs to (once the store
    has said), and the person it was recorded on behalf of, if someone else."""

    login: str
    on_behalf_of: str | None = None
    person_id: str | None = None
    name: str | None = None
    via_link: bool = False  # the person a signed link was issued to (login is ``link:ID``)

    @property
    def label(self) -> str:
        """How the operator is shown: the person's name with the login, or the login alone."""
        return f"{self.name}（{self.login}）" if self.name else self.login

    def as_person(self, person_id: str, name: str) -> Operator:
        """The same operator, known as the person ``person_id`` named ``name``."""
        return replace(self, person_id=person_id, name=name)


def login_of_uid(uid: int) -> str:
    """The login name of ``uid`` from the system's user database (the uid itself if it has none)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


_peer_uid: int | None = None


def act_as_peer(uid: int) -> None:
    """Make the peer of the service's socket the operator of this process (called once by the
    process serving that connection, with the uid the kernel reported for it)."""
    global _peer_uid
    _peer_uid = uid


def kernel_operator(on_behalf_of: str | None = None) -> Operator:
    """The operator of this process: the login of its real uid — or, in a process serving the
    service's socket, of the peer's uid — whatever the environment says."""
    uid = _peer_uid if _peer_uid is not None else os.getuid()
    return Operator(login=login_of_uid(uid), on_behalf_of=on_behalf_of or None)


def link_operator(person_id: str) -> Operator:
    """The operator of a write made through a signed link: the person it was issued to."""
    return Operator(login=f"link:{person_id}", person_id=person_id, via_link=True)
