"""A morning's digests composed and queued beside the HTML template rendered as many times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measure import SHANGHAI, Row, timed
from bench.orgs import Size, write_org

# what the synthetic tasks are called: the catalogue's aliases and titles, people with names


def with_mail_channel(config: Path) -> None:
    """Give the org's config an email channel (nothing listens there: digests are only queued)."""
    text = config.read_text(encoding="utf-8")
    channel = (
        '[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://127.0.0.1:9?from=zhibu@example.org"\n\n'
    )
    config.write_text(text.replace("[[units]]", channel + "[[units]]", 1), encoding="utf-8")


def bench_digests(size: Size, work: Path) -> Row:
    """Compose the org's digests for one morning (everyone with a due reminder), queued but not
    sent; the baseline renders the same template the same number of times with plain jinja2."""
    from scheduler.app import open_app
    from scheduler.engine.digests import compose_digests
    from scheduler.engine.materialize import sync
    from scheduler.engine.notices import fire_notices
    from scheduler.engine.sweep import sweep
    from scheduler.store.models import OutboxRow

    config = write_org(size, work / "org")
    with_mail_channel(config)
    app = open_app(config)
    morning = datetime(2026, 3, 30, 8, 31, tzinfo=SHANGHAI)  # Monday: a month's and a quarter's end near
    with app.store.writing() as session:
        sync(session, app.loaded, app.rules, app.workdays, morning - timedelta(days=1))
        sweep(session, morning)
        fire_notices(session, morning, app.unit_channels)
    with app.store.writing() as session:
        elapsed, report = timed(lambda: compose_digests(session, app, morning, "zh"))
        rows = session.query(OutboxRow).filter(OutboxRow.kind == "digest").all()
        contexts = [(row.title, row.items) for row in rows]
    from notifiers.render import Item, Section, environment
    from workflows.i18n import t

    template = environment().get_template("zh/digest.html")

    def label(key: str, **params: Any) -> str:
        return t(key, "zh", **params)

    item = Item("zb1/支委会/2026-03", "支部委员会会议", "第1支部", date(2026, 3, 31), "due_soon")
    sections = [Section("week", "本周到期", [item]), Section("today", "今天到期", [item])]
    baseline, _ = timed(
        lambda: [
            template.render(
                org="x",
                recipient="x",
                day=date(2026, 3, 30),
                sections=sections,
                total=items,
                news="",
                heads="",
                calendar="",
                lang="zh",
                t=label,
            )
            for _, items in contexts
        ]
    )
    app.store.close()
    rate = report.messages / elapsed if elapsed else 0.0
    return Row(
        "digests, one morning",
        f"{size.name}, {report.recipients:,} recipients",
        f"{report.messages:,} messages in {elapsed:.1f} s ({rate:,.0f}/s)",
        f"{baseline:.2f} s: the HTML template alone, as many times",
        f"{elapsed / baseline:.0f}×",
        "—",
        "zhibu: queries, sections, 4 renderings (subject, text, HTML, markdown) and the outbox insert",
    )
