"""Acting from the message: a secretary opens her digest's link on a phone-sized browser, ticks
who came and records the meeting; the record says she made it. Replayed, forged and expired
links write nothing. A real ``zhibu run``, a real SMTP server, a real Chromium."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from scheduler.store.links import Links
from tests.conftest import REPO, edit_config
from tests.daemon_process import DaemonProcess, SteppedClock, wait_until, zhibu_executable
from tests.receivers import SmtpServer, free_port

KEY = "zb1/支委会/2026-03"
SCREENSHOT = REPO / "docs" / "task-page.png"


def browser() -> object:
    """Headless Chromium at a phone's width (Debian's chromium and chromium-driver)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    driver_path = shutil.which("chromedriver")
    if driver_path is None or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are not installed; .ci/run installs them")
        pytest.skip("chromium-driver is not installed")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=375,900", "--lang=zh-CN"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or ""
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)


@pytest.fixture
def served(example_config: Path, tmp_path: Path) -> Iterator[tuple[SmtpServer, str, Path]]:
    port = free_port()
    with SmtpServer() as smtp:
        edit_config(
            example_config,
            r'(tick_interval = "5m".*?\n)',
            f'\\1\n[notify]\nemail_channel = "mail"\n\n[channels.mail]\nurl = "mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org"\n\n'
            f'[web]\nlisten = "127.0.0.1:{port}"\nbase_url = "http://127.0.0.1:{port}"\n',
        )
        clock = SteppedClock(tmp_path, "2026-03-02T08:31+08:00")
        service = DaemonProcess(example_config, "--interval", "1d", env=clock.env)
        try:
            assert service.wait_for_line(lambda line: "task page at" in line), service.output
            assert wait_until(lambda: any(m.recipients == ["zhangwei@example.org"] for m in smtp.received), timeout=60)
            assert wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz")[0] == 200, timeout=30)
            yield smtp, f"http://127.0.0.1:{port}", example_config
        finally:
            service.signal(15)
            service.wait(timeout=60)
            service.kill()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except OSError:
        return 0, ""


def _post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _records(config: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(config.parent / "zhibu.db") as connection:
        return list(connection.execute("SELECT recorded_by, happened_on FROM completion ORDER BY id"))


def test_a_secretary_records_a_meeting_from_her_digest_on_a_phone(served: tuple[SmtpServer, str, Path]) -> None:
    smtp, base, config = served
    mail = next(m for m in smtp.received if m.recipients == ["zhangwei@example.org"])
    text = mail.part("plain").replace("\r\n", "\n")
    link = re.search(rf"- {re.escape(KEY)} .*\n  登记：(\S+)", text)
    assert link, text
    assert link.group(1).startswith(base + "/t/")
    driver: object = browser()
    try:
        driver.get(link.group(1))  # type: ignore[attr-defined]
        page = driver.page_source  # type: ignore[attr-defined]
        assert "支部委员会会议" in page
        assert "登记人：张伟" in page
        boxes = driver.find_elements("css selector", "input[name=present]")  # type: ignore[attr-defined]
        labels = [box.find_element("xpath", "..").text for box in boxes]
        assert set(labels) >= {"张伟", "李娜"}  # the committee, as checkboxes
        assert "王建国" not in labels  # nobody outside it
        for box, label in zip(boxes, labels, strict=True):
            if label in ("张伟", "李娜"):
                box.click()
        driver.find_element("name", "note").send_keys("研究发展党员工作")  # type: ignore[attr-defined]
        driver.save_screenshot(str(config.parent / "task-page.png"))  # type: ignore[attr-defined]
        kept = re.search(r'name="form_token" value="([^"]+)"', driver.page_source)  # type: ignore[attr-defined]
        form_token = kept.group(1) if kept else ""
        driver.find_element("id", "submit").click()  # type: ignore[attr-defined]
        assert wait_until(lambda: "已登记" in driver.page_source, timeout=20)  # type: ignore[attr-defined]
        after = driver.page_source  # type: ignore[attr-defined]
        if os.environ.get("ZHIBU_SCREENSHOTS"):  # refresh the one in docs/
            shutil.copy(config.parent / "task-page.png", SCREENSHOT)
    finally:
        driver.quit()  # type: ignore[attr-defined]
    assert 'id="done"' not in after  # done: no form to record it again

    assert _records(config) == [("link:zhangwei", "2026-03-02")]
    shown = os.popen(f"{zhibu_executable()} --config {config} show {KEY}").read()
    assert "张伟（link:zhangwei）" in shown
    assert "研究发展党员工作" in shown

    # replayed: the same form posted again writes nothing and shows the record
    status, page = _post(link.group(1), {"form_token": form_token, "action": "done", "note": "again"})
    assert status == 200
    assert "已完成" in page
    assert _records(config) == [("link:zhangwei", "2026-03-02")]

    # forged: one character changed
    forged = link.group(1)[:-2] + ("A" if link.group(1)[-2] != "A" else "B") + link.group(1)[-1]
    status, page = _post(forged, {"form_token": form_token, "action": "done"})
    assert status == 403
    assert "链接无效" in page

    # expired: a link made longer ago than [web] link_days
    with mock.patch("itsdangerous.timed.time.time", return_value=1_000_000_000.0):
        old = Links(config.parent, base, 14).url("zhangwei", "zb1/党课/2026Q1")
    status, page = _get(old)
    assert status == 410
    assert "已过期" in page
    assert _records(config) == [("link:zhangwei", "2026-03-02")]


def test_a_link_shows_only_its_person_s_task(served: tuple[SmtpServer, str, Path]) -> None:
    _smtp, base, config = served
    links = Links(config.parent, base, 14)
    status, page = _get(links.url("zhengyu", KEY))  # zb2's secretary holding a link to zb1's task
    assert status == 403
    assert "支部委员会会议" not in page


def test_a_link_snoozes_its_task(served: tuple[SmtpServer, str, Path]) -> None:
    _smtp, base, config = served
    url = Links(config.parent, base, 14).url("zhangwei", "zb1/党课/2026Q1")
    status, page = _get(url)
    assert status == 200
    form_token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert form_token
    status, page = _post(url, {"form_token": form_token.group(1), "action": "snooze", "until": "2026-03-20"})
    assert status == 200
    assert "之前不再提醒" in page
    with sqlite3.connect(config.parent / "zhibu.db") as connection:
        [(actor,)] = connection.execute("SELECT actor FROM audit WHERE action = 'snooze'").fetchall()
    assert actor == "link:zhangwei"
