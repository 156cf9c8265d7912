"""Channel URLs read by apprise: the scheme, and the notifier apprise makes of a URL."""

from __future__ import annotations

from typing import Any

EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})


def scheme_of(url: str) -> str:
    """The URL's scheme, lower-case."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def parse_channel(url: str) -> Any:
    """The apprise notifier for ``url``, or None when apprise cannot read it."""
    if scheme_of(url) in EMAIL_SCHEMES:
        return _email_notifier(url)
    import apprise  # imported when a channel is used: most commands never need it

    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def _email_notifier(url: str) -> Any:
    """apprise's email notifier for ``url``, made by its email plugin as ``Apprise.instantiate``
    makes it, or None. Finding the plugin by scheme would first import all of apprise's ~600
    plugin modules: 17 MB more in every process that checks or sends through an email channel
    (the warm worker, each tick, each mail helper)."""
    from apprise.plugins.email import NotifyEmail

    fields = NotifyEmail.parse_url(url.replace("/#", "/%23"))  # type: ignore[no-untyped-call]
    if not fields:
        return None
    try:
        notifier = NotifyEmail(**fields)  # type: ignore[no-untyped-call]
    except Exception:  # what Apprise.instantiate(suppress_exceptions=True) answers with None
        return None
    return notifier if notifier.enabled else None
