"""Fixtures for delivery tests: real SMTP and HTTP receivers, and the example config wired to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App, open_app
from tests.conftest import edit_config
from tests.e2e.year import Year, simulate
from tests.receivers import HttpReceiver, SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[HttpReceiver]:
    with HttpReceiver() as receiver:
        yield receiver


def wire_channels(config: Path, smtp_url: str, webhook_port: int) -> None:
    """Give the example org an email channel and a JSON webhook (lina's, and zb2's group bot)."""
    edit_config(
        config,
        r'(tick_interval = "5m".*?\n)',
        "\\1\n[notify]\n"
        'email_channel = "mail"\n\n'
        "[channels.mail]\n"
        f'url = "{smtp_url}"\n\n'
        "[channels.hook]\n"
        f'url = "json://127.0.0.1:{webhook_port}/zhibu"\n',
    )
    edit_config(config, r'(id = "lina"\nname = "李娜"\nunit = "zb1"\n)', '\\1channels = ["hook"]\n')


@pytest.fixture
def notifying(example_config: Path, smtp: SmtpServer, webhook: HttpReceiver) -> Iterator[App]:
    """The example org whose reminders reach the loopback SMTP server and webhook."""
    wire_channels(example_config, f"mailto://127.0.0.1:{smtp.port}?from=zhibu@example.org", webhook.port)
    app = open_app(example_config)
    yield app
    app.store.close()


@pytest.fixture(scope="session")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Year]:
    """2026 simulated day by day on the realistic example (built once, read by many tests)."""
    simulated = simulate(tmp_path_factory.mktemp("year"))
    yield simulated
    simulated.app.store.close()
