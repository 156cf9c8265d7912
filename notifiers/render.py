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
from notifiers.escape import escaped, markdown_text, one_line
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
    fresh: bool = False  # new since the recipient's last digest
    link: str = ""  # the task's page, signed for the recipient (personal digests only)


@dataclass
class Section:
    """A titled group of lines in a digest; ``more`` tasks were left out, and ``command`` lists
    them all."""

    name: str
    title: str
    items: list[Item] = field(default_factory=list)
    more: int = 0
    command: str = ""
    new: int = 0  # tasks new since the recipient's last digest


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

    # what a person typed is made safe for each medium before it is interpolated (notifiers.escape)
    mediums = {"subject": one_line, "txt": one_line, "md": markdown_text}

    def one(suffix: str) -> str:
        values = escaped(context, mediums[suffix]) if suffix in mediums else context
        return env.get_template(f"{lang}/{name}.{suffix}").render(**values, t=lambda key, **p: t(key, lang, **p))

    return Message(title=one("subject").strip(), text=one("txt"), html=one("html"), markdown=one("md"))


def _tasks_on(line: str, more_prefix: str) -> int:
    """How many tasks a digest line stands for: one for a task line, N for a section's
    "…and N more" line (it starts with ``more_prefix``), none for the rest."""
    if line.lstrip().startswith("- "):
        return 1
    if line.startswith(more_prefix):
        count = line[len(more_prefix) :].split(" ", 1)[0]
        return int(count) if count.isdigit() else 0
    return 0


def fit_markdown(markdown: str, limit: int, lang: Lang) -> str:
    """Cut ``markdown`` to ``limit`` UTF-8 bytes at line ends, counting the task lines left out
    (in one pass: a digest may have hundreds of lines)."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    lines = markdown.splitlines()
    # what a section's "…and N more" line says before its N, in this language
    more_prefix = t("digest.section_more", lang, count="\0", command="").partition("\0")[0]
    left = [0] * (len(lines) + 1)  # tasks from each line on: its task lines and sections' "N more"
    for index in range(len(lines) - 1, -1, -1):
        left[index] = left[index + 1] + _tasks_on(lines[index], more_prefix)
    kept: list[str] = []
    size = 0  # UTF-8 bytes of "\n".join(kept)
    for index, line in enumerate(lines):
        note = t("digest.more", lang, count=left[index])
        line_size = len(line.encode("utf-8"))
        # the lines kept so far, this line, a blank line and the note
        if size + bool(kept) + line_size + 2 + len(note.encode("utf-8")) > limit:
            return "\n".join([*kept, "", note])
        size += bool(kept) + line_size
        kept.append(line)
    return "\n".join(kept)


def fit_for_channel(url: str, message: Message, lang: Lang) -> Message:
    """The message as the channel ``url`` takes it: IM markdown cut to the platform's limit."""
    if channel_kind(url) != "im":
        return message
    limit = im_limit(url, message.title)
    return Message(message.title, message.text, message.html, fit_markdown(message.markdown, limit, lang))
