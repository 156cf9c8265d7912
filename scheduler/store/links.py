"""Signed links: a personal digest's line opens that task's page for that person.

A link carries the person and the task key, signed (itsdangerous, HMAC-SHA256) with a key kept
in the state folder beside the store (0600, made on first use) and stamped with when it was
made, so it expires after ``[web] link_days``; it carries no secret in clear, and a changed
character makes it invalid. Whoever holds the link acts as its person on its task — as a
digest in that person's mailbox is meant to.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "zhibu.task-link"
KEY_FILE = "web.key"


def key_of(folder: Path) -> bytes:
    """The signing key in ``folder``, created (0600) the first time."""
    path = folder / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(descriptor, "wb") as stream:
            key = secrets.token_bytes(32)
            stream.write(key)
        return key


@dataclass(frozen=True)
class Link:
    """Whose and which task a link is."""

    person_id: str
    key: str


class LinkError(Exception):
    """A link that is expired (``expired``) or not one zhibu made."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class Links:
    """Makes and reads the links of one store."""

    def __init__(self, folder: Path, base_url: str, days: int) -> None:
        self.serializer = URLSafeTimedSerializer(key_of(folder), salt=SALT)
        self.base_url, self.max_age = base_url.rstrip("/"), days * 86_400

    def token(self, person_id: str, key: str) -> str:
        """The signed token for ``person_id`` and the task ``key``."""
        return str(self.serializer.dumps({"p": person_id, "k": key}))

    def url(self, person_id: str, key: str) -> str:
        """The link a digest line carries."""
        return f"{self.base_url}/t/{self.token(person_id, key)}"

    def read(self, token: str) -> Link:
        """Whose and which task ``token`` is; raises :class:`LinkError` when expired or forged."""
        try:
            data = self.serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkError(expired=True) from None
        except BadSignature:
            raise LinkError(expired=False) from None
        if not isinstance(data, dict) or not isinstance(data.get("p"), str) or not isinstance(data.get("k"), str):
            raise LinkError(expired=False)
        return Link(data["p"], data["k"])

    def form_token(self, token: str) -> str:
        """The anti-forgery value a page's forms carry: derived from the link, so only someone who
        holds the link can post to it."""
        return str(self.serializer.dumps({"f": token[-32:]}, salt=SALT + ".form"))

    def check_form(self, token: str, value: str) -> bool:
        """Whether ``value`` is the form token of the link ``token``."""
        try:
            data = self.serializer.loads(value, salt=SALT + ".form", max_age=self.max_age)
        except BadSignature:
            return False
        return isinstance(data, dict) and data.get("f") == token[-32:]
