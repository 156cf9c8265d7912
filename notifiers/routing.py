"""Who is reached how: a recipient (``person:ID`` or ``channel:NAME``) → channels, and when.

The outbox stores only a channel's name and the address; the URL with its secrets is rebuilt
from the config at the moment of sending, so no secret ever sits in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notifiers.channels import with_recipient
from notifiers.windows import DeliveryWindow, parse_quiet_hours
from workflows.calendar import WorkCalendar
from workflows.config.load import LoadedConfig
from workflows.recipients import CHANNEL, PERSON


@dataclass(frozen=True)
class Target:
    """One channel to one recipient; ``address`` is the email address for email channels."""

    channel: str
    address: str | None = None


def targets_for(recipient: str, loaded: LoadedConfig, email: str | None) -> list[Target]:
    """Every channel that reaches ``recipient``: the email channel for people with an address,
    their own extra channels, or the named group channel."""
    config = loaded.config
    if recipient.startswith(CHANNEL):
        name = recipient.removeprefix(CHANNEL)
        return [Target(name)] if name in loaded.channel_urls else []
    targets = []
    if config.notify.email_channel and email:
        targets.append(Target(config.notify.email_channel, email))
    person = loaded.people_by_id.get(recipient.removeprefix(PERSON)) if recipient.startswith(PERSON) else None
    if person is not None:
        targets.extend(Target(name) for name in person.channels)
    return targets


def channel_url(loaded: LoadedConfig, target: Target) -> str | None:
    """The apprise URL to send through, with the recipient's address for email; None if the
    channel is no longer configured."""
    url = loaded.channel_urls.get(target.channel)
    if url is None:
        return None
    return with_recipient(url, target.address) if target.address else url


def window_for(recipient: str, loaded: LoadedConfig, zone: ZoneInfo, workdays: WorkCalendar) -> DeliveryWindow:
    """The delivery window of ``recipient``: the org's quiet hours unless the person has their own."""
    config = loaded.config
    quiet = config.notify.quiet_hours
    person = loaded.people_by_id.get(recipient.removeprefix(PERSON)) if recipient.startswith(PERSON) else None
    if person is not None and person.quiet_hours is not None:
        quiet = person.quiet_hours
    return DeliveryWindow(
        zone=zone, workdays=workdays, quiet=parse_quiet_hours(quiet), rest_days=config.notify.rest_days
    )
