"""The task page a digest's link opens, at city size: the median of many requests through the
real server (waitress on loopback) beside the median of the same request's SQL alone."""

from __future__ import annotations

import socket
import statistics
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from bench.measure import SHANGHAI, Row
from bench.orgs import Size, write_org

REQUESTS = 60


def _median_ms(action: object, count: int = REQUESTS) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_web(size: Size, work: Path) -> Row:
    """Serve the page for a branch secretary's meeting task; time GETs of it and its queries."""
    from sqlalchemy import select
    from waitress.server import create_server

    from scheduler.app import open_app
    from scheduler.engine.directory import load_roster
    from scheduler.engine.materialize import sync
    from scheduler.service.web import create_app
    from scheduler.store.lookup import find_task
    from scheduler.store.models import CompletionRow, PersonRow, TaskRow

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = write_org(size, work / "org")
    text = config.read_text(encoding="utf-8").replace(
        "[[units]]", f'[web]\nlisten = "127.0.0.1:{port}"\nbase_url = "http://127.0.0.1:{port}"\n\n[[units]]', 1
    )
    config.write_text(text, encoding="utf-8")
    app = open_app(config)
    morning = datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI)
    with app.store.writing() as session:
        sync(session, app.loaded, app.rules, app.workdays, morning - timedelta(days=1))
    with app.store.reading() as session:
        owned = select(TaskRow).where(
            TaskRow.assignee_id.is_not(None),
            TaskRow.rule_id.in_(["committee_meeting", "member_meeting", "party_lecture", "theme_day"]),
        )
        tasks = list(session.scalars(owned.order_by(TaskRow.id).limit(REQUESTS + 1)))
        targets = [(t.key, t.assignee_id or "", t.unit_id) for t in tasks]
    links = app.links
    assert links is not None
    # a link per branch: one link may be opened 30 times a minute, which many requests would pass
    urls = iter([links.url(owner, key) for key, owner, _ in targets])
    asked = iter(targets)
    server = create_server(create_app(app), host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()

    def page() -> None:
        with urllib.request.urlopen(next(urls), timeout=30) as response:
            assert response.status == 200
            response.read()

    def queries() -> None:
        key, owner, unit = next(asked)
        with app.store.reading() as session:
            found = find_task(session, key)
            load_roster(session, around=unit)
            session.query(CompletionRow).filter(CompletionRow.task_id == found.id).all()
            session.get(PersonRow, owner)

    page()  # warm: the templates compiled, the first connection made
    served = _median_ms(page)
    sql = _median_ms(queries, len(targets))
    server.close()
    app.store.close()
    met = "✓" if served <= 200 else "✗"
    return Row(
        "task page, one GET",
        f"{size.name}, branches' meeting tasks",
        f"{served:.0f} ms (median of {REQUESTS})",
        f"{sql:.0f} ms: the same request's SQL alone",
        f"{served / sql:.1f}×" if sql else "—",
        f"≤ 200 ms {met}",
        "zhibu: the link's signature checked, authority, the unit's roster, the template rendered",
    )
