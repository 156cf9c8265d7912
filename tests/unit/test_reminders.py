"""Reminder schedules, delivery windows and redaction (pure)."""

from __future__ import annotations

from datetime import date, time

import pytest

from notifiers.redact import redact_text, redact_url
from notifiers.render import fit_markdown
from notifiers.windows import DeliveryWindow, parse_quiet_hours
from tests.conftest import SHANGHAI, beijing
from workflows.calendar import end_of_local_day, local_midnight, work_calendar
from workflows.reminders import Rung, reminder_schedule, working_day_after

CN = work_calendar("CN")


def schedule(
    due_on: date, opens_on: date, remind: tuple[str, ...], ladder: tuple[Rung, ...]
) -> list[tuple[str, str, tuple[str, ...]]]:
    steps = reminder_schedule(
        local_midnight(opens_on, SHANGHAI), end_of_local_day(due_on, SHANGHAI), due_on, remind, ladder, CN, SHANGHAI
    )
    return [(step.name, step.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), step.to) for step in steps]


def test_plan_and_ladder_in_working_days_around_qingming() -> None:
    ladder = (
        Rung(1, ("owner",)),
        Rung(3, ("owner", "role:secretary@parent")),
        Rung(7, ("role:secretary@committee",), repeat_every=5, max_repeats=2),
    )
    steps = schedule(date(2026, 3, 31), date(2026, 3, 1), ("open", "7d", "1d", "due"), ladder)
    assert steps == [
        ("open", "2026-03-01 00:00", ("owner",)),
        ("before:1w", "2026-03-24 00:00", ("owner",)),
        ("before:1d", "2026-03-30 00:00", ("owner",)),
        ("due", "2026-03-31 00:00", ("owner",)),
        ("escalate:1", "2026-04-01 00:00", ("owner",)),
        ("escalate:2", "2026-04-03 00:00", ("owner", "role:secretary@parent")),
        ("escalate:3", "2026-04-10 00:00", ("role:secretary@committee",)),  # 4-6 April is the Qingming break
        ("escalate:3:1", "2026-04-17 00:00", ("role:secretary@committee",)),
        ("escalate:3:2", "2026-04-24 00:00", ("role:secretary@committee",)),
    ]


def test_reminders_before_the_task_opens_are_dropped() -> None:
    steps = schedule(date(2026, 3, 13), date(2026, 3, 10), ("open", "7d", "1d"), ())
    assert [name for name, _, _ in steps] == ["open", "before:1d"]


def test_working_days_skip_the_spring_festival_and_count_tiaoxiu_saturdays() -> None:
    assert working_day_after(date(2026, 2, 13), 1, CN) == date(2026, 2, 14)  # a 调休 Saturday
    assert working_day_after(date(2026, 2, 14), 1, CN) == date(2026, 2, 24)
    assert working_day_after(date(2026, 2, 14), 0, CN) == date(2026, 2, 14)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-03-02 08:30", True),
        ("2026-03-02 07:59", False),  # quiet hours end at 08:00
        ("2026-03-02 21:00", False),
        ("2026-03-07 10:00", False),  # Saturday
        ("2026-02-14 10:00", True),  # a 调休 working Saturday
        ("2026-02-17 10:00", False),  # the first day of the Spring Festival
    ],
)
def test_delivery_window(moment: str, allowed: bool) -> None:
    window = DeliveryWindow(zone=SHANGHAI, workdays=CN, quiet=parse_quiet_hours("21:00-08:00"))
    assert window.allows(beijing(moment)) is allowed


def test_next_allowed_moment() -> None:
    window = DeliveryWindow(zone=SHANGHAI, workdays=CN, quiet=(time(21), time(8)))
    assert window.next_allowed(beijing("2026-03-02 22:15")) == beijing("2026-03-03 08:00")
    assert window.next_allowed(beijing("2026-03-06 23:00")) == beijing("2026-03-09 08:00")
    assert window.next_allowed(beijing("2026-02-15 09:00")) == beijing("2026-02-24 08:00")
    assert window.next_allowed(beijing("2026-03-02 10:00")) == beijing("2026-03-02 10:00")


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("mailtos://zhibu:S3cr3t-pass@smtp.example.org?from=a@b.org", "S3cr3t-pass"),
        ("wecombot://693a91f6-7xxx-4bc4-97a0", "693a91f6-7xxx-4bc4-97a0"),
        ("dingtalk://SECRETabc@TOKENxyz/", "SECRETabc"),
        ("dingtalk://SECRETabc@TOKENxyz/", "TOKENxyz"),
        ("feishu://tok-12345", "tok-12345"),
        ("json://hooks.example.org/x?token=abcdef", "abcdef"),
    ],
)
def test_secrets_are_masked(url: str, secret: str) -> None:
    assert secret not in redact_url(url)
    assert secret not in redact_text(f"failed to reach {url}: {secret} refused", [url])


def test_fit_markdown_keeps_whole_lines_and_counts_the_rest() -> None:
    markdown = "\n".join(["**标题**", "", *[f"- `zb1/党费/2026Q1/m{i}` 缴纳党费" for i in range(50)]])
    fitted = fit_markdown(markdown, 600, "en")
    assert len(fitted.encode("utf-8")) <= 600
    shown = fitted.count("\n- ")
    assert fitted.endswith(f"… {50 - shown} more not shown; run zhibu list")
    assert fit_markdown(markdown, 100_000, "en") == markdown


def test_fit_markdown_counts_the_tasks_a_cut_section_had_left_out() -> None:
    def section(name: str, shown: int, more: int) -> list[str]:
        lines = [f"**{name}**", *[f"- `zb1/{name}/{i}` 缴纳党费" for i in range(shown)]]
        return [*lines, f"……另有 {more} 项，运行 `zhibu list --assignee lina` 查看全部", ""]

    markdown = "\n".join(["**标题**", "", *section("overdue", 20, 40), *section("week", 20, 10)])
    fitted = fit_markdown(markdown, 900, "zh")
    shown = fitted.count("\n- ")
    assert shown < 40  # cut inside the second section: its 10 more were cut with it
    kept_more = 40 if "……另有 40 项" in fitted else 0  # a section's line that was kept counts itself
    assert fitted.endswith(f"……另有 {40 + 20 + 10 + 20 - shown - kept_more} 项未列出，请运行 zhibu list 查看")


def test_ladder_rungs_in_months_for_dues_arrears() -> None:
    ladder = (
        Rung(5, ("owner",)),
        Rung(0, ("owner", "role:secretary"), after_months=3),
        Rung(0, ("role:secretary", "role:secretary@committee"), after_months=6),
    )
    steps = schedule(date(2026, 1, 30), date(2026, 1, 1), (), ladder)
    assert [(name, at) for name, at, _ in steps] == [
        ("escalate:1", "2026-02-06 00:00"),
        ("escalate:2", "2026-04-30 00:00"),  # three months unpaid
        ("escalate:3", "2026-07-30 00:00"),  # six months: the serious case, to the 党委
    ]
    # a month end on a rest day moves to the next working day
    assert schedule(date(2026, 7, 31), date(2026, 7, 1), (), ladder[1:2])[0][1] == "2026-11-02 00:00"


def test_only_role_and_leader_references_need_the_roster() -> None:
    from scheduler.engine.notices import needs_roster

    assert [
        needs_roster(ref)
        for ref in (
            "owner",
            "self",
            "person:zhangwei",
            "unit-channel",
            "role:secretary@parent",
            "leader-of",
            "leader-of:zb1",
        )
    ] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]


def test_the_listing_names_recipients_as_reminders_do() -> None:
    # `zhibu list --chased-by` matches notices by recipient without importing the config schema
    from scheduler.store import listing
    from workflows import recipients

    assert listing.PERSON == recipients.PERSON
