"""Channels: apprise URLs, one send per URL so a failure belongs to one channel.

A channel is an entry of ``[channels]``. Email channels (``mailto://`` / ``mailtos://``) carry the
SMTP server; each person's address is added as ``to=``. IM channels (WeCom, DingTalk, Feishu/Lark
bots) get markdown cut to what the platform accepts; a JSON webhook gets plain text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import quote

from notifiers.plugins import EMAIL_SCHEMES, parse_channel, scheme_of
from notifiers.redact import redact_text

WEBHOOK_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
# Bytes of text each IM platform takes in one message (WeCom bots: 2,048 for the text type
# apprise sends; DingTalk: 20,000; Feishu/Lark cards: about 20,000 characters, 30 KB a request).
IM_LIMITS = {"wecombot": 2048, "dingtalk": 19500, "feishu": 19500, "lark": 19500}
DEFAULT_IM_LIMIT = 2048
# An answer that will not change by retrying: refused credentials, a missing or forbidden endpoint.
PERMANENT = re.compile(
    r"\b(?:530|534|535|550|553|554)\b|authenticat|credentials|error=40[0134]\b|unauthori[sz]ed|forbidden|not found",
    re.IGNORECASE,
)


def channel_kind(url: str) -> str:
    """``email``, ``webhook`` or ``im``: which rendering of a message the channel takes."""
    scheme = scheme_of(url)
    if scheme in EMAIL_SCHEMES:
        return "email"
    if scheme in WEBHOOK_SCHEMES:
        return "webhook"
    return "im"


def im_limit(url: str, title: str = "") -> int:
    """How many bytes of markdown fit in one message of the channel's platform, once apprise has
    put the title in front of the body."""
    return IM_LIMITS.get(scheme_of(url), DEFAULT_IM_LIMIT) - len(title.encode("utf-8")) - 4


ESCAPE_HINT = (
    "密码中的保留字符要写成百分号编码 / reserved characters in a password must be percent-encoded: "
    "@ → %40, / → %2F, # → %23, ? → %3F, : → %3A, % → %25 "
    "(python3 -c 'import urllib.parse,getpass; print(urllib.parse.quote(getpass.getpass(), safe=\"\"))')"
)


def channel_problem(url: str) -> str | None:
    """None when apprise can send through ``url``, else the URL redacted for an error message."""
    from notifiers.redact import password_needs_escaping, redact_url

    if password_needs_escaping(url):
        return redact_url(url) + " — " + ESCAPE_HINT
    return None if parse_channel(url) is not None else redact_url(url)


def with_recipient(url: str, address: str) -> str:
    """An email channel URL addressed to ``address``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}to={quote(address, safe='@')}"


@dataclass(frozen=True)
class SendResult:
    """What the channel answered: ok, or an error (redacted) and whether retrying can help."""

    ok: bool
    error: str = ""
    permanent: bool = False
    # whether the send waited out its own timeout; None where the sender cannot tell (apprise)
    timed_out: bool | None = None


@dataclass(frozen=True)
class Message:
    """One rendered message in the three forms channels take."""

    title: str
    text: str
    html: str
    markdown: str


def send(url: str, message: Message) -> SendResult:
    """Deliver ``message`` through the one channel ``url``; never raises for delivery problems."""
    notifier = parse_channel(url)
    if notifier is None:
        return SendResult(False, redact_text(f"apprise cannot use the channel URL {url}", [url]), permanent=True)
    import apprise

    kind = channel_kind(url)
    if kind == "email":
        body, body_format = message.html, apprise.NotifyFormat.HTML
    elif kind == "webhook":
        body, body_format = message.text, apprise.NotifyFormat.TEXT
    else:
        body, body_format = message.markdown, apprise.NotifyFormat.MARKDOWN
    sender = apprise.Apprise()
    sender.add(notifier)
    with apprise.LogCapture(level=logging.DEBUG) as captured:  # type: ignore[no-untyped-call]
        try:
            ok = bool(sender.notify(body=body, title=message.title, body_format=body_format))
        except Exception as crash:  # a plugin bug must not lose the message: record and retry
            ok = False
            logging.getLogger("apprise").warning("exception while sending: %r", crash)
    if ok:
        return SendResult(True)
    log = captured.getvalue() if hasattr(captured, "getvalue") else ""
    detail = " | ".join(
        line.split(" - ", 2)[-1].strip()
        for line in log.splitlines()
        if " - WARNING - " in line or " - ERROR - " in line or "Exception" in line or "Response Details" in line
    )
    error = redact_text(detail or "the channel refused the message", [url])
    return SendResult(False, error[:1000], permanent=bool(PERMANENT.search(detail)))


def with_timeouts(url: str, seconds: float) -> str:
    """An apprise URL whose HTTP connect and read timeouts are ``seconds`` (unless it sets them)."""
    if "cto=" in url or "rto=" in url:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}cto={seconds:g}&rto={seconds:g}"
