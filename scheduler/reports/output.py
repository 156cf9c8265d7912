"""A report as a terminal table, CSV, JSON or one self-contained HTML page (a year at a glance), and
the per-person view."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scheduler.reports.build import (
    DETAIL_COLUMNS,
    LATE,
    MISSING,
    ON_TIME,
    OUTCOMES,
    PENDING,
    WAIVED_OUTCOME,
    Line,
    Report,
    Tally,
    detail_row,
)
from scheduler.reports.cells import csv_row
from scheduler.reports.person import PersonView
from scheduler.reports.text import table, to_json, visible
from scheduler.store.chain import head_line
from workflows.i18n import Lang, t

LISTED_MISSING = 3  # per unit and obligation in the table; csv, json and xlsx list every task
COUNT_COLUMNS = ("col.required", *(f"col.{o}" for o in OUTCOMES))


def _counts(tally: Tally) -> list[int]:
    return [tally.required, *(tally.counts[o] for o in OUTCOMES)]


def render_table(report: Report, lang: Lang, org_name: str) -> str:
    """Per unit: one row per obligation with its counts, then the missing and waived keys."""
    if not report.lines:
        return t("report.empty", lang)
    names = report.unit_names
    root = names.get(report.root, org_name)
    out = [
        t(
            "report.heading",
            lang,
            unit=root,
            period=report.span.label,
            first=report.span.first,
            last=report.span.last,
        ),
        "",
    ]
    headers = [t("col.unit", lang), t("col.rule", lang), *(t(c, lang) for c in COUNT_COLUMNS)]
    rows = [[names.get(x.unit_id, x.unit_id), x.title, *_counts(x)] for x in report.tallies]
    rows += [[t("report.rollup", lang), x.title, *_counts(x)] for x in report.rollup]
    out.append(table(headers, rows))
    missing: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in report.lines:
        if line.outcome == MISSING:
            missing[line.unit_id, line.rule_id].append(line)
    if missing:
        out += ["", t("report.missing_list", lang)]
        for lines in missing.values():
            out += [f"  {line.key}  {t('col.due', lang)} {line.due_on}" for line in lines[:LISTED_MISSING]]
            if len(lines) > LISTED_MISSING:
                out.append("    " + t("tick.more", lang, count=len(lines) - LISTED_MISSING))
    waived = [line for line in report.lines if line.outcome == WAIVED_OUTCOME]
    if waived:
        out += ["", t("report.waived_list", lang)]
        out += [f"  {line.key}  {visible(line.reason or '')}" for line in waived]
    out += ["", footer(report, lang)]
    return "\n".join(out)


def footer(report: Report, lang: Lang) -> str:
    """The foot of every report: the history's heads, to check later with audit verify --head."""
    return t("report.heads", lang, heads=head_line(report.heads))


def render_csv(report: Report, lang: Lang) -> str:
    """One row per task — what Excel users filter and pivot."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([t(key, lang) for key in DETAIL_COLUMNS])
    for line in report.lines:
        row = detail_row(line, report.unit_names, lang)
        writer.writerow(csv_row(value.isoformat() if isinstance(value, date) else value for value in row))
    return stream.getvalue()


def render_json(report: Report) -> str:
    """Everything, for other programs."""
    return to_json(report.as_dict())


def _cell(outcomes: list[str]) -> str:
    """The colour of one month of one obligation: the worst outcome wins."""
    for outcome in (MISSING, LATE, PENDING, ON_TIME, WAIVED_OUTCOME):
        if outcome in outcomes:
            return outcome
    return ""


def grid(report: Report) -> list[dict[str, Any]]:
    """Per unit: rows of obligations × the months of the period, each cell with its outcome."""
    months = report.span.months()
    cells: dict[str, dict[str, dict[tuple[int, int], list[Any]]]] = defaultdict(lambda: defaultdict(dict))
    titles: dict[str, str] = {}
    for line in report.lines:
        titles[line.rule_id] = line.title
        slot = cells[line.unit_id][line.rule_id].setdefault((line.due_on.year, line.due_on.month), [])
        slot.append(line)
    units = []
    for ident, name, depth, _ in report.units:
        if ident not in cells:
            continue
        rows = []
        for rule_id, by_month in cells[ident].items():  # the report's (the config's) order
            row = []
            for ym in months:
                lines = by_month.get(ym, [])
                done = sum(1 for line in lines if line.outcome in (ON_TIME, LATE))
                row.append(
                    {
                        "outcome": _cell([line.outcome for line in lines]),
                        "text": f"{done}/{len(lines)}" if len(lines) > 1 else ("✓" if done else ""),
                        "missing_keys": [line.key for line in lines if line.outcome == MISSING][:8],
                    }
                )
            rows.append({"title": titles[rule_id], "cells": row})
        units.append({"id": ident, "name": name, "depth": depth, "rows": rows})
    return [{"months": months, "units": units}]


def render_html(report: Report, lang: Lang, org_name: str) -> str:
    """One self-contained page: a year-at-a-glance grid per unit, coloured done/late/missing."""
    template = report_templates().get_template("year.html")
    labels = {o: t(f"outcome.{o}", lang) for o in OUTCOMES}
    return template.render(
        lang=lang,
        org=org_name,
        report=report,
        grid=grid(report)[0],
        labels=labels,
        heading=t(
            "report.heading",
            lang,
            unit=report.unit_names.get(report.root, org_name),
            period=report.span.label,
            first=report.span.first,
            last=report.span.last,
        ),
        empty=t("report.empty", lang),
        footer=footer(report, lang),
    )


@cache
def report_templates() -> Environment:
    """The report pages' templates (scheduler/reports/templates), every value autoescaped."""
    return Environment(
        loader=PackageLoader("scheduler.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_person(view: PersonView, lang: Lang, period: str) -> str:
    """A member's own page: dues, talks, volunteering and what comes next."""
    out = [
        t("report.person_heading", lang, name=view.name, unit=view.unit_id, period=period),
        t(
            "report.dues",
            lang,
            monthly=view.dues_monthly if view.dues_monthly is not None else "—",
            paid=view.dues_paid,
            owed=view.dues_owed,
        ),
    ]
    out += [f"  {key}" for key in view.dues_missing]
    out.append(t("report.talks", lang, held=len(view.talks_held), missing=len(view.talks_missing)))
    out.append(t("report.volunteering", lang, done=view.volunteering_done, hours=view.volunteering_hours))
    if view.next_dates:
        out.append(t("report.next", lang))
        out += [f"  {key}  {t('col.due', lang)} {day}" for key, day in view.next_dates]
    return "\n".join(out)
