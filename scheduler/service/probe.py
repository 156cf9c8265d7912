"""``notify test``: a message sent now through each channel of a person (or one URL), each
channel's answer returned with every secret redacted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from notifiers.channels import send
from notifiers.plugins import parse_channel
from notifiers.redact import redact_text, redact_url
from notifiers.render import environment, render
from notifiers.routing import channel_url, targets_for
from scheduler.app import App
from scheduler.store.models import PersonRow
from workflows.errors import NotFoundError, UsageError
from workflows.i18n import Lang


@dataclass(frozen=True)
class Answer:
    """One channel's answer to the test message (``error`` redacted)."""

    channel: str
    ok: bool
    error: str = ""


def _attempts(app: App, who: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, URL) per channel to try, and the secrets to redact from their answers."""
    if "://" in who:
        if parse_channel(who) is None:
            raise UsageError("config.bad_channel_url", url=redact_url(who))
        return [(redact_url(who), who)], [who]
    configured = next((p for p in app.loaded.people() if who in (p.id, p.name)), None)
    if configured is not None:
        ident, email = configured.id, configured.email
    else:
        with app.store.reading() as session:
            stored = session.scalars(select(PersonRow).where(or_(PersonRow.id == who, PersonRow.name == who))).first()
        if stored is None:
            raise NotFoundError("notify.unknown", who=who)
        ident, email = stored.id, stored.email
    targets = targets_for(f"person:{ident}", app.loaded, email)
    if not targets:
        raise NotFoundError("notify.no_target", who=who)
    labels = [(t.channel + (f" ({t.address})" if t.address else ""), channel_url(app.loaded, t) or "") for t in targets]
    return labels, list(app.loaded.channel_urls.values())


def send_test(app: App, who: str, lang: Lang) -> list[Answer]:
    """Send the test message to ``who`` (a person's id or name, or a channel URL) now."""
    message = render(environment(app.templates_dir), lang, "test", {"org": app.loaded.config.org.name})
    attempts, secrets = _attempts(app, who)
    answers = []
    for label, url in attempts:
        result = send(url, message)
        answers.append(Answer(label, result.ok, "" if result.ok else redact_text(result.error, secrets)))
    return answers
