"""Keep secrets out of logs, errors, ``status`` and the audit table.

Channel URLs carry passwords (``mailtos://user:PASSWORD@host``), tokens in the host or path
(``wecombot://KEY``, ``dingtalk://SECRET@TOKEN``) or in the query (``?key=…``). Anything that
prints a URL or a delivery error passes through :func:`redact_url` or :func:`redact_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "***"
# Schemes whose host and path are themselves the secret (bot tokens), not a server name.
TOKEN_SCHEMES = frozenset(
    {
        "wecombot",
        "dingtalk",
        "feishu",
        "lark",
        "wxpusher",
        "tgram",
        "discord",
        "slack",
        "workflow",
        "workflows",
        "msteams",
    }
)
SECRET_PARAMS = frozenset(
    {"key", "token", "secret", "password", "pass", "pwd", "apikey", "api_key", "access_token", "webhook", "sign"}
)


def secrets_of(url: str) -> list[str]:
    """The parts of ``url`` that must never be shown, longest first."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found: list[str] = []
    if parts.password:
        found.append(parts.password)
    scheme = parts.scheme.lower().rstrip("s") if parts.scheme.lower() not in ("mailtos",) else "mailto"
    if parts.scheme.lower() in TOKEN_SCHEMES or scheme in TOKEN_SCHEMES:
        if parts.username:
            found.append(parts.username)
        if parts.hostname:
            found.append(parts.netloc.rsplit("@", 1)[-1])
        found.extend(segment for segment in parts.path.split("/") if segment)
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() in SECRET_PARAMS and value:
            found.append(value)
    expanded = {s for s in found if len(s) >= 3} | {unquote(s) for s in found if len(s) >= 3}
    return sorted(expanded, key=len, reverse=True)


def redact_url(url: str) -> str:
    """``url`` with its secrets masked."""
    return redact_text(url, [url])


def redact_text(text: str, urls: Iterable[str]) -> str:
    """``text`` with every secret of ``urls`` masked, and any ``user:password@`` as well."""
    for url in urls:
        for secret in secrets_of(url):
            text = text.replace(secret, MASK)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", rf"\1{MASK}@", text)
