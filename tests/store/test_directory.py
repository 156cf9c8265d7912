"""The config's units and people are copied into the store in batches: added, changed and
removed people each leave their row and their audit entry, and a session that had loaded a
person sees the change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from scheduler.app import open_app
from scheduler.engine.directory import sync_directory
from scheduler.store.models import AuditRow, PersonRow
from tests.conftest import beijing
from tests.store.helpers import on_each_store


def test_people_added_changed_and_removed(example_config: Path) -> None:
    app = open_app(example_config)
    now = beijing("2026-03-02 09:00")
    with app.store.writing() as session:
        created = sync_directory(session, app.loaded, now)
        assert created == len(app.loaded.config.units) + len(app.loaded.people())
    with app.store.writing() as session:
        assert sync_directory(session, app.loaded, now) == 0  # nothing changed
    app.store.close()

    text = example_config.read_text(encoding="utf-8")
    text = text.replace('name = "李娜"', 'name = "李娜娜"')  # changed
    text = text.replace('[[people]]\nid = "xumin"\nname = "徐敏"\nunit = "zb2"\n', "")
    assert "xumin" not in text  # removed
    text += '\n[[people]]\nid = "newp"\nname = "新同志"\nunit = "zb1"\n'  # added
    example_config.write_text(text, encoding="utf-8")
    app = open_app(example_config)
    later = beijing("2026-03-03 09:00")
    with app.store.writing() as session:
        loaded = session.get(PersonRow, "lina")  # an ORM row loaded before the batched writes
        assert loaded is not None
        assert loaded.name == "李娜"
        assert sync_directory(session, app.loaded, later) == 3
        assert loaded.name == "李娜娜"
        people = {row.id: row for row in session.scalars(select(PersonRow))}
        audits = session.execute(
            select(AuditRow.action, AuditRow.entity_id, AuditRow.after).where(AuditRow.at == later)
        )
        actions = {(action, ident): after for action, ident, after in audits}
    app.store.close()
    assert not people["xumin"].active
    assert people["newp"].active
    assert people["newp"].source == "config"
    assert people["newp"].contact_units == []
    assert people["lina"].name == "李娜娜"
    assert set(actions) == {("update", "lina"), ("deactivate", "xumin"), ("create", "newp")}
    assert actions[("update", "lina")]["name"] == "李娜娜"
    assert actions[("create", "newp")]["unit_id"] == "zb1"


def test_role_holders_alone_address_reminders_as_the_whole_roster_does(example_config: Path, pg_url: str) -> None:
    """Reminders addressed by role or by contact branch reach the same people when only the
    holders are read from the store (SQLite and PostgreSQL: json_array_length on both)."""
    from scheduler.engine.directory import load_roster
    from workflows.recipients import resolve

    for store, app in on_each_store(example_config, pg_url):
        with app.store.writing() as session:
            sync_directory(session, app.loaded, beijing("2026-03-02 09:00"))
        with app.store.reading() as session:
            whole, holders = load_roster(session), load_roster(session, holders_only=True)
        assert 0 < len(holders.people) < len(whole.people)
        roles = sorted({role for person in whole.people for role in person.roles})
        refs = [
            *(f"role:{r}" for r in roles),
            *(f"role:{r}@parent" for r in roles),
            "leader-of:",
            "role:书记@committee",
        ]
        reached = 0
        for unit in whole.units:
            for ref in refs:
                expected = resolve(ref, whole, unit)
                assert resolve(ref, holders, unit) == expected, (store, unit, ref)
                reached += len(expected)
        assert reached > len(whole.units)
