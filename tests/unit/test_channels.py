"""An email channel is read by apprise's email plugin alone, exactly as apprise reads it."""

from __future__ import annotations

import subprocess
import sys

import apprise
import pytest

from notifiers.plugins import parse_channel

URLS = [
    "mailto://user:p%40ss@smtp.example.org:465?from=zhibu@example.org&name=党委",
    "mailtos://u:p@example.org",
    "mailtos://u:p@example.org:2525?mode=ssl&to=a@example.org",
    "mailto://127.0.0.1:9?from=zhibu@example.org&to=liu@example.org",
    "mailto://u:p@example.org/#ops",
    "mailto://",
    "mailto://u:p@/#x",
    "mailto://example.org?from=not-an-address",
]


@pytest.mark.parametrize("url", URLS)
def test_an_email_url_reads_as_apprise_reads_it(url: str) -> None:
    ours, theirs = parse_channel(url), apprise.Apprise.instantiate(url, suppress_exceptions=True)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert type(ours) is type(theirs)
        assert ours.url(privacy=False) == theirs.url(privacy=False)
        assert (ours.smtp_host, ours.port, ours.targets) == (theirs.smtp_host, theirs.port, theirs.targets)


def test_checking_an_email_channel_imports_no_other_plugin() -> None:
    probe = (
        "import sys\n"
        "from notifiers.channels import channel_problem\n"
        "assert channel_problem('mailto://u:p@example.org?from=z@example.org') is None\n"
        "print(sorted(m for m in sys.modules if m.startswith('apprise.plugins.') and m.count('.') == 2))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['apprise.plugins.base', 'apprise.plugins.email']"
