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


def test_a_roster_file_of_several_batches_added_changed_and_removed(example_config: Path, pg_url: str) -> None:
    """A roster file is read and written a batch at a time (BATCH people): people changed and
    removed on either side of a batch's edge are updated and deactivated, each with its audit
    entry, on both stores."""
    from scheduler.engine.sweep import BATCH

    def write_roster(names: dict[str, str]) -> None:
        rows = ["编号,姓名,所在支部,人员类别"] + [f"{ident},{name},zb1,正式党员" for ident, name in names.items()]
        (example_config.parent / "big.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    count = 2 * BATCH + 17
    names = {f"R{n:05d}": f"同志{n}" for n in range(count)}
    text = example_config.read_text(encoding="utf-8")
    example_config.write_text(text.replace("[org]", '[roster]\nfiles = ["big.csv"]\n\n[org]', 1), encoding="utf-8")
    edge = [f"R{n:05d}" for n in (BATCH - 1, BATCH, 2 * BATCH)]
    write_roster(names)  # read when each store's app opens (the config's fingerprint covers it)
    for name, app in on_each_store(example_config, pg_url):
        write_roster(names)
        with app.store.writing() as session:
            first = sync_directory(session, app.loaded, beijing("2026-03-02 09:00"))
        assert first == len(app.loaded.config.units) + len(app.loaded.config.people) + count, name
        write_roster({**names, edge[0]: "改名甲", edge[1]: "改名乙"} | {f"N{n}": "新人" for n in range(3)})
        second = beijing("2026-03-03 09:00")
        with app.store.writing() as session:
            assert sync_directory(session, app.loaded, second) == 2 + 3, name  # two renamed, three added
        write_roster({k: v for k, v in names.items() if k not in edge[1:]})
        with app.store.writing() as session:
            third = sync_directory(session, app.loaded, beijing("2026-03-04 09:00"))
            active = dict(session.execute(select(PersonRow.id, PersonRow.active).where(PersonRow.id.in_(edge))).all())
            renamed = session.get(PersonRow, edge[0])
            said = session.execute(select(AuditRow.action, AuditRow.entity_id).where(AuditRow.at == second)).all()
            assert renamed is not None, name
            assert renamed.name == names[edge[0]], name
        app.store.close()
        assert third == 1 + 2 + 3, name  # one renamed back, two removed at the edges, the three new ones removed
        assert active == {edge[0]: True, edge[1]: False, edge[2]: False}, name
        expected = [("update", edge[0]), ("update", edge[1]), *(("create", f"N{n}") for n in range(3))]
        assert sorted(said) == sorted(expected), name
