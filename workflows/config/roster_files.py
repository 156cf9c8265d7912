"""The config's roster files: their bytes' digest (in the config's fingerprint) and their people,
read when asked for (see ``LoadedConfig.read_people``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter

from workflows.config.issues import ConfigError, ConfigIssue
from workflows.config.locate import Path as KeyPath
from workflows.config.schema import Config, PersonEntry
from workflows.errors import UsageError


@cache
def _person_adapter() -> TypeAdapter[PersonEntry]:
    return TypeAdapter(PersonEntry)


def roster_issues(config: Config, base: Path) -> tuple[list[PersonEntry], list[ConfigIssue], list[ConfigIssue]]:
    """The people of the ``[roster] files``, or every problem found in them (by file and row); and
    what is worth a warning (two people of one name in one branch)."""
    from workflows.roster_file import column_name, parse_roster, read_rows, unit_lookup

    units = unit_lookup((u.id, u.name) for u in config.units)
    people: list[PersonEntry] = []
    issues: list[ConfigIssue] = []
    warnings: list[ConfigIssue] = []
    own = {p.id for p in config.people}
    for index, name in enumerate(config.roster.files):
        where: KeyPath = ("roster", "files", index)
        file = base / name
        try:
            rows = read_rows(file)
            read = parse_roster(rows, units, into=_person_adapter().validate_python)
        except UsageError as error:
            issues.append(ConfigIssue(where, error.key, error.params))
            continue
        except (OSError, ValueError, KeyError) as error:
            reason = getattr(error, "strerror", None) or error
            issues.append(ConfigIssue(where, "config.env_file", {"path": file, "reason": reason}))
            continue
        for problem, kept in [*((e, issues) for e in read.errors), *((w, warnings) for w in read.warnings)]:
            params = {
                "file": name,
                "row": problem.row,
                "column": column_name(problem.column),
                "message": problem.message,
            }
            kept.append(ConfigIssue(where, "config.roster_row", params))
        if read.errors:
            continue
        for person in read.people:
            if person.id in own:
                issues.append(ConfigIssue(where, "config.roster_duplicate", {"file": name, "id": person.id}))
                continue
            own.add(person.id)
            people.append(person)
    return people, issues, warnings


def roster_digest(config: Config, path: Path, lines: Sequence[int | None]) -> bytes:
    """The SHA-256 of the roster files' bytes, each after its name (the config's fingerprint
    covers them without reading their people); a file that cannot be read is raised, at its
    entry's line of ``lines``."""
    digest = hashlib.sha256()
    issues: list[ConfigIssue] = []
    for index, name in enumerate(config.roster.files):
        file = path.parent / name
        try:
            with file.open("rb") as handle:
                digest.update(name.encode("utf-8") + b"\0" + hashlib.file_digest(handle, "sha256").digest())
        except OSError as error:
            where: KeyPath = ("roster", "files", index)
            said = {"path": file, "reason": error.strerror or error}
            issues.append(ConfigIssue(where, "config.env_file", said, lines[index]))
    if issues:
        raise ConfigError(path, issues)
    return digest.digest()
