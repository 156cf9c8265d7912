"""Email over SMTP connections that are reused: a morning's digests go through one connection per
sender thread instead of a connection, TLS handshake and login per message.

The channel URL is read by apprise's own email plugin (host, port, TLS mode, user, password,
sender), so ``mailto://`` and ``mailtos://`` mean exactly what they mean to apprise; the message
is built and sent with the standard library's ``smtplib`` and ``email``: a multipart message with
zhibu's own text part and its HTML part. Every network operation has a deadline (the socket
timeout), and a server that drops the connection is reconnected to once.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from notifiers.channels import Message, SendResult
from notifiers.plugins import parse_channel
from notifiers.redact import redact_text

PERMANENT_CODES = range(500, 600)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to send, as apprise read the channel URL."""

    host: str
    port: int
    mode: str  # "insecure" | "starttls" | "ssl"
    user: str | None
    password: str | None
    sender: str
    sender_name: str


def endpoint(url: str) -> Endpoint | None:
    """The SMTP endpoint of an email channel URL, None when apprise cannot read it as email."""
    plugin: Any = parse_channel(url)
    if plugin is None or not hasattr(plugin, "smtp_host"):
        return None
    name, address = plugin.from_addr if isinstance(plugin.from_addr, tuple) else ("", plugin.from_addr)
    return Endpoint(
        host=plugin.smtp_host,
        port=int(plugin.port or (465 if plugin.secure_mode == "ssl" else 587 if plugin.secure else 25)),
        mode=str(plugin.secure_mode or ("starttls" if plugin.secure else "insecure")),
        user=plugin.user or None,
        password=plugin.password or None,
        sender=str(address),
        sender_name=str(name or "zhibu"),
    )


def build(message: Message, sender: str, sender_name: str, to: str) -> EmailMessage:
    """A multipart/alternative email: zhibu's text part, then its HTML part."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = formataddr((sender_name, sender))
    mail["To"] = str(Address(addr_spec=to)) if "@" in to else to
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


class SmtpConnection:
    """One open connection to one endpoint, logged in, reused for many messages."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.target = endpoint(url)
        self.client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        assert self.target is not None
        target = self.target
        if target.mode == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
            if target.mode == "starttls":
                client.starttls(context=ssl.create_default_context())
        if target.user and target.password:
            client.login(target.user, target.password)
        return client

    def send(self, message: Message, to: str) -> SendResult:
        """Send ``message`` to ``to``; reconnects once when the server had closed the connection."""
        if self.target is None:
            return SendResult(False, redact_text(f"not an email channel URL: {self.url}", [self.url]), permanent=True)
        mail = build(message, self.target.sender, self.target.sender_name, to)
        for attempt in (1, 2):
            try:
                if self.client is None:
                    self.client = self._open()
                refused = self.client.send_message(mail, from_addr=self.target.sender, to_addrs=[to])
                if refused:
                    code, reason = next(iter(refused.values()))
                    return SendResult(
                        False, self._said(code, reason), permanent=code in PERMANENT_CODES, timed_out=False
                    )
                return SendResult(True, timed_out=False)
            except smtplib.SMTPServerDisconnected as error:
                self.close()
                if attempt == 2:
                    return SendResult(False, self._said(0, str(error)), timed_out=False)
            except smtplib.SMTPAuthenticationError as error:
                self.close()
                return SendResult(False, self._said(error.smtp_code, error.smtp_error), permanent=True, timed_out=False)
            except smtplib.SMTPResponseException as error:
                self.close()
                return SendResult(
                    False,
                    self._said(error.smtp_code, error.smtp_error),
                    permanent=error.smtp_code in PERMANENT_CODES,
                    timed_out=False,
                )
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                self.close()
                said = self._said(0, str(error) or type(error).__name__)
                return SendResult(False, said, timed_out=isinstance(error, TimeoutError))
        return SendResult(False, "unreachable")  # pragma: no cover - the loop returns

    def _said(self, code: int, reason: object) -> str:
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        return redact_text(f"SMTP {code} {text}".strip() if code else text, [self.url])

    def close(self) -> None:
        """Say goodbye (or just drop a connection that broke)."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
