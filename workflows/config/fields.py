"""The building blocks of the config schema: field validators, annotated types, and the base section."""

from __future__ import annotations

import difflib
import ipaddress
import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from workflows.calendar import ANCHOR_ALIASES, Anchor
from workflows.durations import parse_duration
from workflows.vocabulary import (
    ROLE_ALIASES,
    STATUS_ALIASES,
    UNIT_KIND_ALIASES,
    Status,
    UnitKind,
    normalize_role,
    normalize_status,
    normalize_unit_kind,
)

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")  # an OS account name
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-\u3400-\u9fff]+$")


def zhibu_error(key: str, **params: Any) -> PydanticCustomError:
    """A validation error carrying one of our message keys, rendered later in zh or en."""
    return PydanticCustomError("zhibu", key, {"key": key, **params})


def suggestion(value: str, choices: list[str]) -> str | None:
    """The closest choice to a mistyped ``value``, if any is close enough."""
    found = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _ident(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise zhibu_error("config.bad_id", value=value)
    return value


def _stage_name(value: str) -> str:
    if not value.strip() or "/" in value or len(value) > 40:
        raise zhibu_error("config.bad_stage_name", value=value)
    return value


def _clock_time(value: str) -> str:
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
        raise zhibu_error("config.bad_clock_time", value=value)
    return value


def _time_range(value: str) -> str:
    parts = value.split("-")
    if value and (len(parts) != 2 or not all(re.match(r"^([01]\d|2[0-3]):[0-5]\d$", p.strip()) for p in parts)):
        raise zhibu_error("config.bad_time_range", value=value)
    return value


def _remind_step(value: str) -> str:
    if value not in ("open", "due") and parse_duration(value) is None:
        raise zhibu_error("config.bad_remind_step", value=value)
    return value


def _duration(value: object) -> object:
    if isinstance(value, str):
        parsed = parse_duration(value)
        if parsed is None:
            raise zhibu_error("config.bad_duration", value=value)
        return parsed
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise zhibu_error("config.bad_timezone", value=value) from None
    return value


def _ip_address(value: str) -> str:
    if value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise zhibu_error("config.bad_ip_address", value=value) from None
    return value


def _normalizer(table: dict[str, Any], key: str, field: str) -> Any:
    def normalize(value: object) -> object:
        if not isinstance(value, str):
            return value
        found = table.get(value.strip())
        if found is not None:
            return found
        raise zhibu_error(key, **{field: value}, suggestion=suggestion(value, list(table)))

    return normalize


def _role(value: str) -> str:
    role = normalize_role(value)
    if role is None:
        raise zhibu_error("config.unknown_role", role=value, suggestion=suggestion(value, list(ROLE_ALIASES)))
    return role


RECIPIENT_PATTERN = re.compile(
    r"^(?:(role):([^@\s]+)(@parent|@committee)?|(person):(\S+)|(self)|(owner)|(leader-of)(?::(\S+))?|(unit-channel))$"
)


def _recipients(value: object) -> object:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    normalized: list[object] = []
    for item in items:
        if not isinstance(item, str):
            normalized.append(item)
            continue
        spelled = item.strip()
        if spelled in ("role:party-committee-secretary", "role:党委书记"):
            spelled = "role:secretary@committee"  # the secretary of the 党委 above, as the issue spells it
        match = RECIPIENT_PATTERN.match(spelled)
        if not match:
            raise zhibu_error("config.bad_recipient", value=item)
        if match.group(1):
            role = _role(match.group(2))
            normalized.append(f"role:{role}{match.group(3) or ''}")
        elif match.group(8):
            normalized.append(f"leader-of:{match.group(9)}" if match.group(9) else "leader-of")
        else:
            normalized.append(spelled)
    return normalized


def _logins(value: object) -> object:
    """One login or a list of them; each an OS account name."""
    logins = [value] if isinstance(value, str) else value
    if isinstance(logins, list):
        for login in logins:
            if isinstance(login, str) and not LOGIN_PATTERN.match(login):
                raise zhibu_error("config.bad_login", value=login)
    return logins


Ident = Annotated[str, AfterValidator(_ident)]
Logins = Annotated[list[str], BeforeValidator(_logins)]


Duration = Annotated[timedelta, BeforeValidator(_duration)]


Timezone = Annotated[str, AfterValidator(_timezone)]


IPAddress = Annotated[str, AfterValidator(_ip_address)]  # or "" for none


RoleId = Annotated[str, AfterValidator(_role)]


UnitKindField = Annotated[UnitKind, BeforeValidator(_normalizer(UNIT_KIND_ALIASES, "config.unknown_unit_kind", "kind"))]


StatusField = Annotated[Status, BeforeValidator(_normalizer(STATUS_ALIASES, "config.unknown_status", "status"))]


Recipients = Annotated[list[str], BeforeValidator(_recipients)]


AnchorField = Annotated[Anchor, BeforeValidator(_normalizer(ANCHOR_ALIASES, "config.unknown_anchor", "anchor"))]


ClockTime = Annotated[str, AfterValidator(_clock_time)]


StageName = Annotated[str, AfterValidator(_stage_name)]


TimeRange = Annotated[str, AfterValidator(_time_range)]


RemindStep = Annotated[str, AfterValidator(_remind_step)]


# Re-exported for the loader's typo suggestions and for the reference generator.
NORMALIZERS = {"role": normalize_role, "status": normalize_status, "kind": normalize_unit_kind}


def describe(zh: str, en: str, example: object = None) -> Any:
    """Field metadata: bilingual description plus an optional example for the reference."""
    extra: dict[str, Any] = {"zh": zh}
    if example is not None:
        extra["example"] = example
    return {"description": en, "json_schema_extra": extra}


def described(zh: str, en: str, example: object = None, **field: Any) -> Any:
    """A field with :func:`describe`'s metadata, spelt so that mypy's dataclass checks accept it."""
    return Field(**field, **describe(zh, en, example))


SECTION_CONFIG = ConfigDict(extra="forbid", validate_default=False)


class Section(BaseModel):
    """Base of every table: unknown keys are errors, never silently ignored."""

    model_config = SECTION_CONFIG


def schema_fields(owner: Any) -> dict[str, FieldInfo] | None:
    """The fields of a table's schema — a model, or the slotted dataclass of the people — or
    None when ``owner`` is not one."""
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return owner.model_fields
    fields = getattr(owner, "__pydantic_fields__", None) if isinstance(owner, type) else None
    return fields if isinstance(fields, dict) else None
