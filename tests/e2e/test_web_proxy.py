"""The task page behind a reverse proxy: with ``[web] trusted_proxy`` the rate limit counts each
visitor the proxy names in X-Forwarded-For, so one busy visitor does not lock out the rest; without
it, the header is ignored and every request counts against the address that connected. A real
page process (waitress) on loopback, real HTTP requests."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.service.web import PER_ADDRESS
from tests.conftest import edit_config
from tests.daemon_process import wait_until
from tests.receivers import free_port


def _status(url: str, forwarded_for: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


@pytest.fixture(params=["127.0.0.1", ""], ids=["trusted-proxy", "no-proxy"])
def page(request: pytest.FixtureRequest, example_config: Path) -> Iterator[tuple[str, bool]]:
    port = free_port()
    trusted = str(request.param)
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        f'\\1\n[web]\nlisten = "127.0.0.1:{port}"\nbase_url = "https://zhibu.example.org"\n'
        f'trusted_proxy = "{trusted}"\n',
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.service.web", "--config", str(example_config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _status(f"{base}/healthz", "") == 200, timeout=60), process
        yield base, bool(trusted)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_limit_counts_the_visitor_the_trusted_proxy_names(page: tuple[str, bool]) -> None:
    base, trusted = page
    # a different (forged) link each time: only the per-address limit can refuse
    answers = [_status(f"{base}/t/forged{n}", "203.0.113.7") for n in range(PER_ADDRESS)]
    assert answers == [403] * PER_ADDRESS  # a forged link is refused, not rate-limited
    assert _status(f"{base}/t/forged-busy", "203.0.113.7") == 429
    other = _status(f"{base}/t/forged-other", "198.51.100.20")
    # behind the trusted proxy another visitor is still served; without it, all share one address
    assert other == (403 if trusted else 429)


def test_a_trusted_proxy_that_is_not_an_address_is_refused(example_config: Path) -> None:
    edit_config(
        example_config,
        r'(tick_interval = "5m".*?\n)',
        '\\1\n[web]\nlisten = "127.0.0.1:8080"\nbase_url = "https://zhibu.example.org"\ntrusted_proxy = "nginx"\n',
    )
    result = subprocess.run(
        [sys.executable, "-m", "scheduler.cli", "--config", str(example_config), "check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "web.trusted_proxy" in result.stderr, result.stderr
    assert "'nginx' 不是 IP 地址" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
