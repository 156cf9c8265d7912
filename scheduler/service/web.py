"""The task page a digest's link opens: read the task, record it done (attendees, note, photos
or minutes), acknowledge, snooze, confirm a rectification — as the person the link was issued to,
through the same actions layer, authority, real-time stamp and audit chain as the CLI.

Flask (a WSGI app; zhibu's store is synchronous) served by waitress (pure Python, production
grade, no compiler needed) in a process of its own, started by ``zhibu run`` when ``[web] listen``
is set: the service's timer keeps working if the page does not. It is meant to sit behind the
organization's reverse proxy with TLS (docs/service.md). Writes are POST only and carry a form
token derived from the link; links and addresses are rate-limited; uploads are capped in size
and kind; a page shows one task to one person and nothing of anyone else's.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request

from scheduler.actions import recording
from scheduler.actions.authority import authorize_task
from scheduler.actions.operator import link_operator
from scheduler.actions.records import DoneRequest
from scheduler.app import App, open_app
from scheduler.engine.directory import load_roster
from scheduler.store import evidence
from scheduler.store.links import LinkError
from scheduler.store.lookup import find_task
from scheduler.store.models import CompletionRow, PersonRow
from scheduler.store.states import DONE_KIND
from workflows.errors import ZhibuError
from workflows.i18n import Lang, t
from workflows.quorum import Attendance

UPLOAD_KINDS = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".heic", ".doc", ".docx", ".xls", ".xlsx", ".txt"})
PER_LINK, PER_ADDRESS, WINDOW = 30, 120, 60.0  # requests per minute


class RateLimit:
    """At most ``limit`` hits per key in a sliding minute (kept in this process's memory)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.hits, self.lock = limit, dict[str, deque[float]](), threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            hits = self.hits.setdefault(key, deque())
            while hits and now - hits[0] > WINDOW:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


def create_app(zhibu: App) -> Flask:
    """The page's Flask application over an open zhibu app."""
    links = zhibu.links
    if links is None:
        raise ZhibuError("web.no_base_url")
    web = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    web.config["MAX_CONTENT_LENGTH"] = zhibu.loaded.config.web.max_upload_mb * 1024 * 1024
    by_link, by_address = RateLimit(PER_LINK), RateLimit(PER_ADDRESS)
    lang: Lang = zhibu.loaded.config.org.locale

    def say(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    def refuse(key: str, status: int, **params: Any) -> tuple[str, int]:
        return render_template("message.html", lang=lang, t=say, message=say(key, **params)), status

    @web.after_request
    def private(response: Any) -> Any:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'"
        )
        return response

    @web.get("/healthz")
    def healthz() -> str:
        return "ok"

    @web.route("/t/<token>", methods=["GET", "POST"])
    def task_page(token: str) -> Any:
        if not by_address.allow(request.remote_addr or "?") or not by_link.allow(token):
            return refuse("web.too_many", 429)
        try:
            link = links.read(token)
        except LinkError as error:
            return refuse("web.expired" if error.expired else "web.invalid", 410 if error.expired else 403)
        operator = link_operator(link.person_id)
        notice = ""
        if request.method == "POST":
            if not links.check_form(token, request.form.get("form_token", "")):
                return refuse("web.invalid", 403)
            try:
                notice = act(zhibu, operator, link.key, request.form, request.files.getlist("files"))
            except ZhibuError as error:
                notice = error.message(lang)
        return show(zhibu, operator, link.key, token, links.form_token(token), notice, say, lang)

    @web.errorhandler(413)
    def too_large(_: Any) -> Any:
        return refuse("web.too_large", 413, mb=zhibu.loaded.config.web.max_upload_mb)

    del healthz, task_page, too_large, private  # registered with Flask
    return web


def act(zhibu: App, operator: Any, key: str, form: Any, files: Sequence[Any]) -> str:
    """Carry out the form's action through the actions layer; what to tell the person."""
    from datetime import date

    from scheduler import clock

    now = clock.now()
    action = form.get("action", "")
    if action == "done":
        with tempfile.TemporaryDirectory(prefix="zhibu-upload-") as folder:
            kept = []
            for upload in files:
                if not upload or not upload.filename:
                    continue
                suffix = Path(upload.filename).suffix.lower()
                if suffix not in UPLOAD_KINDS:
                    raise ZhibuError("web.bad_upload", name=upload.filename)
                path = Path(folder) / Path(upload.filename).name
                upload.save(path)
                kept.append(evidence.keep(zhibu.evidence_dir, str(path)))
            present = [p for p in form.getlist("present") if p]
            on = date.fromisoformat(form["on"]) if form.get("on") else None
            request_ = DoneRequest(
                on=on, attendance=Attendance(present=present), note=(form.get("note") or None), attachments=kept
            )
            result = recording.done(zhibu, operator, now, key, request_)
        return t(
            "task.recorded",
            zhibu.loaded.config.org.locale,
            key=result.key,
            on=result.on,
            count=result.count_done,
            required=result.count_required,
        )
    if action == "ack":
        recording.ack(zhibu, operator, now, key)
        return t("task.acked", zhibu.loaded.config.org.locale, key=key)
    if action == "snooze":
        until = clock.parse_instant(form.get("until", ""), zhibu.zone)
        recording.snooze(zhibu, operator, now, key, until)
        return t(
            "task.snoozed",
            zhibu.loaded.config.org.locale,
            key=key,
            until=f"{until.astimezone(zhibu.zone):%Y-%m-%d %H:%M}",
        )
    if action == "sendback":
        reopened = recording.send_back(zhibu, operator, now, key, form.get("reason", ""))
        return t(
            "chain.sent_back",
            zhibu.loaded.config.org.locale,
            key=reopened.key,
            owner=reopened.owner,
            due=reopened.due_on,
        )
    if action == "confirm":
        recording.confirm(zhibu, operator, now, key, form.get("note") or None)
        return t("rectify.confirmed", zhibu.loaded.config.org.locale, key=key)
    raise ZhibuError("web.bad_action")


def show(zhibu: App, operator: Any, key: str, token: str, form_token: str, notice: str, say: Any, lang: Lang) -> Any:
    """The page of one task for the link's person: what it is, what it needs, what they may do."""
    with zhibu.store.reading() as session:
        task = find_task(session, key)
        try:
            authorize_task(session, zhibu, operator, task, "view")
        except ZhibuError:
            abort(403)
        rule = zhibu.rules_by_id.get(task.rule_id)
        roster = load_roster(session, around=task.unit_id)
        if rule is not None and rule.quorum == "committee":
            people = roster.committee_of(task.unit_id)
        else:
            people = roster.members_of(task.unit_id)
        records = [
            r
            for r in session.query(CompletionRow).filter(CompletionRow.task_id == task.id).order_by(CompletionRow.id)
            if r.kind == DONE_KIND
        ]
        names = dict(session.query(PersonRow.id, PersonRow.name).filter(PersonRow.id.in_([p.id for p in people])).all())
        me = session.get(PersonRow, operator.person_id)
        return render_template(
            "task.html",
            lang=lang,
            t=say,
            task=task,
            rule=rule,
            people=[(p.id, names.get(p.id, p.name)) for p in people],
            records=records,
            token=token,
            form_token=form_token,
            notice=notice,
            me=me.name if me else operator.person_id,
            zone=zhibu.zone,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the task page of the config named on the command line (``zhibu run`` starts this)."""
    parser = argparse.ArgumentParser(prog="python -m scheduler.service.web", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    from waitress import serve

    zhibu = open_app(args.config, os.environ.get("ZHIBU_DB") or None)
    web = zhibu.loaded.config.web
    host, _, port = web.listen.rpartition(":")
    # waitress believes X-Forwarded-For from the trusted proxy alone (the client the proxy saw
    # becomes the address the limit counts) and drops such headers from anyone else
    proxy = (
        {"trusted_proxy": web.trusted_proxy, "trusted_proxy_headers": "x-forwarded-for"} if web.trusted_proxy else {}
    )
    serve(create_app(zhibu), host=host or "127.0.0.1", port=int(port), threads=8, ident="zhibu", **proxy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
