"""Messages from jinja2 templates: ``templates/<lang>/<name>.{subject,txt,html,md}``.

A ``templates_dir`` in the config overrides any template by the same path. IM markdown is cut
to the platform's limit, dropping whole lines from the end and saying how many were left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape

from notifiers.channels import Message, channel_kind, im_limit
from workflows.i18n import Lang, t


@dataclass(frozen=True)
class Item:
    """One task line: the key to paste into ``zhibu done`` and what it is."""

    key: str
    title: str
    unit: str
    due_on: date
    state: str
    owner: str = ""
    count: str = ""


@dataclass
class Section:
    """A titled group of lines in a digest."""

    name: str
    title: str
    items: list[Item] = field(default_factory=list)


@functools.lru_cache(maxsize=8)
def environment(templates_dir: Path | None = None) -> Environment:
    """The template environment: the config's folder first, then the built-in templates. One per
    folder for the life of the process, so templates are compiled once (jinja2 still notices a
    template file that changed, by its modification time)."""
    loaders: list[Any] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(PackageLoader("notifiers", "templates"))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(env: Environment, lang: Lang, name: str, context: dict[str, Any]) -> Message:
    """Render the subject, text, HTML and markdown forms of template ``name``."""

    def one(suffix: str) -> str:
        return env.get_template(f"{lang}/{name}.{suffix}").render(**context, t=lambda key, **p: t(key, lang, **p))

    return Message(title=one("subject").strip(), text=one("txt"), html=one("html"), markdown=one("md"))


def fit_markdown(markdown: str, limit: int, lang: Lang) -> str:
    """Cut ``markdown`` to ``limit`` UTF-8 bytes at line ends, counting the task lines left out."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    lines = markdown.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = [item for item in lines[index:] if item.lstrip().startswith("- ")]
        note = t("digest.more", lang, count=len(rest))
        candidate = "\n".join([*kept, line, "", note])
        if len(candidate.encode("utf-8")) > limit:
            return "\n".join([*kept, "", note])
        kept.append(line)
    return "\n".join(kept)


def fit_for_channel(url: str, message: Message, lang: Lang) -> Message:
    """The message as the channel ``url`` takes it: IM markdown cut to the platform's limit."""
    if channel_kind(url) != "im":
        return message
    limit = im_limit(url, message.title)
    return Message(message.title, message.text, message.html, fit_markdown(message.markdown, limit, lang))
