"""``zhibu report`` and ``zhibu export ics``: what a secretary hands to an inspector, and a calendar
a phone can subscribe to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from scheduler.cli.context import Cli
from scheduler.cli.options import now_option, pass_cli
from scheduler.cli.translated import command, group
from scheduler.reports.build import SORTS, Span, build_report, parse_span, unit_tree
from scheduler.reports.files import write_atomically
from scheduler.reports.ics import calendar_bytes
from scheduler.reports.output import render_csv, render_html, render_json, render_person, render_table
from scheduler.reports.person import person_view
from scheduler.reports.text import to_json
from scheduler.store.models import UnitRow
from workflows.calendar import local_date
from workflows.errors import NotFoundError, UsageError

FORMATS = ("table", "csv", "xlsx", "html", "json")
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".json": "json", ".txt": "table"}


def _format(chosen: str | None, output: Path | None) -> str:
    if chosen:
        return chosen
    if output is not None:
        return SUFFIXES.get(output.suffix.lower(), "table")
    return "table"


def _deliver(cli: Cli, data: bytes | str, output: Path | None) -> None:
    if output is None:
        cli.echo(data if isinstance(data, str) else data.decode("utf-8"))
        return
    write_atomically(output, data.encode("utf-8") if isinstance(data, str) else data)
    cli.warn(cli.t("report.written", path=output))


@command()
@click.option("--period", "period_text", help="2026, 2026H1, 2026Q3, 2026-03 or 2026-01..2026-06 (default: this year)")
@click.option("--unit", help="A unit and the units below it (default: all)")
@click.option("--rule", "rule_names", multiple=True, help="Only these rules (id or alias)")
@click.option("--person", help="One person's view: dues, talks, volunteering, next dates")
@click.option("--summary", is_flag=True, help="A draft work report (工作汇报) from the records: -o FILE.docx or .md")
@click.option(
    "--format", "format_name", type=click.Choice(FORMATS), help="Output format (default: from -o, else table)"
)
@click.option("--sort", "sort_by", type=click.Choice(SORTS), help="Sort units (default: the unit tree, no ranking)")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file")
@now_option
@pass_cli
def report(
    cli: Cli,
    period_text: str | None,
    unit: str | None,
    rule_names: tuple[str, ...],
    person: str | None,
    summary: bool,
    format_name: str | None,
    sort_by: str | None,
    output: Path | None,
    now_text: str | None,
) -> None:
    """What each unit did of each obligation: required, on time, late, waived, missing.

    \b
    zhibu report --period 2026H1 --unit jgdw          # the 党委 and its branches, rolled up
    zhibu report --unit zb1 --period 2026 -o zb1-2026.xlsx   # the 台账 workbook
    zhibu report --period 2026 -o 2026.html           # a year at a glance
    zhibu report --person P0012 --period 2026         # one member's dues, talks, hours
    zhibu report --summary --period 2026H1 --unit jgdw -o 汇报.docx   # a draft 工作汇报
    """
    app = cli.app()
    now = cli.now(now_text)
    today = local_date(now, app.zone)
    span = parse_span(period_text or str(today.year))
    if summary:
        _summary(cli, span, unit, today, output)
        return
    chosen = _format(format_name, output)
    if chosen == "xlsx" and output is None:
        raise UsageError("report.bad_format", value="xlsx", choices="-o FILE.xlsx")
    rule_ids = app.rule_ids_named(rule_names)
    if rule_names and not rule_ids:
        known = "、".join(sorted({r.alias for r in app.rules}))
        raise NotFoundError("report.unknown_rule", rule=", ".join(rule_names), choices=known)
    with app.store.reading() as session:
        if person:
            if chosen not in ("table", "json"):
                raise UsageError("report.bad_format", value=chosen, choices="table, json")
            view = person_view(session, app, span, person, today=today)
            text = to_json(view.as_dict()) if chosen == "json" else render_person(view, cli.lang, span.label)
            _deliver(cli, text, output)
            return
        if unit is not None and session.get(UnitRow, unit) is None:
            unit_tree(session, unit)  # raises with the valid choices
        progress = cli.progress("progress.report")
        built = build_report(
            session, app, span, unit=unit, rule_ids=rule_ids, today=today, sort_by=sort_by, progress=progress
        )
        org = app.loaded.config.org.name
        if chosen == "xlsx":
            from scheduler.reports.ledgers import ledger_workbook  # openpyxl is loaded only for workbooks

            data: bytes | str = ledger_workbook(session, app, built)
        elif chosen == "csv":
            data = render_csv(built, cli.lang)
        elif chosen == "json":
            data = render_json(built)
        elif chosen == "html":
            data = render_html(built, cli.lang, org)
        else:
            data = render_table(built, cli.lang, org)
    _deliver(cli, data, output)


def _summary(cli: Cli, span: Span, unit: str | None, today: date, output: Path | None) -> None:
    """The draft work report: Word when -o names a .docx, else Markdown."""
    from scheduler.reports.summary import draft

    app = cli.app()
    wants_docx = output is not None and output.suffix.lower() == ".docx"
    if output is not None and output.suffix.lower() not in (".docx", ".md", ".txt"):
        raise UsageError("report.bad_format", value=output.suffix, choices="-o FILE.docx, -o FILE.md")
    with app.store.reading() as session:
        if unit is not None and session.get(UnitRow, unit) is None:
            unit_tree(session, unit)  # raises with the valid choices
        built = build_report(session, app, span, unit=unit, today=today, progress=cli.progress("progress.report"))
        written = draft(session, app, built, cli.lang)
    if wants_docx:
        from scheduler.reports.gongwen import docx_bytes

        _deliver(cli, docx_bytes(written), output)
    else:
        _deliver(cli, written.markdown(), output)


@group()
def export() -> None:
    """Files for other programs."""


@export.command("ics")
@click.option("--unit", help="A unit and the units below it")
@click.option("--person", help="Tasks a person owns or is about (id or name)")
@click.option("--todo", is_flag=True, help="VTODO items instead of all-day events")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file")
@now_option
@pass_cli
def export_ics(
    cli: Cli, unit: str | None, person: str | None, todo: bool, output: Path | None, now_text: str | None
) -> None:
    """Open tasks as iCalendar, one item per task with the task key as its UID."""
    app = cli.app()
    now = cli.now(now_text)
    with app.store.reading() as session:
        if unit is not None and session.get(UnitRow, unit) is None:
            unit_tree(session, unit)  # raises with the valid choices
        data = calendar_bytes(session, app, now, unit=unit, person=person, todo=todo)
    _deliver(cli, data, output)
