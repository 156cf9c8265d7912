"""The config's roster files: their bytes' digest (in the config's fingerprint) and their people,
read when asked for (see ``LoadedConfig.read_people``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
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
    issues: list[ConfigIssue] = []
    warnings: list[ConfigIssue] = []
    people = list(roster_people(config, base, issues, warnings))
    return people, issues, warnings


def roster_people(
    config: Config, base: Path, issues: list[ConfigIssue], warnings: list[ConfigIssue]
) -> Iterator[PersonEntry]:
    """The people of the ``[roster] files`` one at a time, as their rows are read; every problem
    found in the files added to ``issues`` (complete once the last person is taken: what was
    taken before must then be discarded), what is worth a warning to ``warnings``."""
    from workflows.roster_file import RosterFile, column_name, read_rows, stream_roster, unit_lookup

    units = unit_lookup((u.id, u.name) for u in config.units)
    own = {p.id for p in config.people}
    for index, name in enumerate(config.roster.files):
        where: KeyPath = ("roster", "files", index)
        file = base / name
        read = RosterFile()
        repeated: list[ConfigIssue] = []  # said only of a file without a bad row, after its rows' errors
        try:
            for person in stream_roster(read_rows(file), units, read, into=_person_adapter().validate_python):
                if person.id in own:
                    repeated.append(ConfigIssue(where, "config.roster_duplicate", {"file": name, "id": person.id}))
                    continue
                own.add(person.id)
                if not read.errors:  # a file with a bad row gives no one
                    yield person
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
        issues.extend([] if read.errors else repeated)


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
