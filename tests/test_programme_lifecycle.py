"""A programme's name and life (rename, archive, delete when it never had pairs), and the
facilitator's locks and rejections kept in the store, so the app and the command line match
around the same decisions; on SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from circles.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound, Refusals
from circles.services import pairing, pairs, people, programmes
from models.engine import sqlite_url
from models.store import Store
from tests import factories
from tests.test_cli import Cli
from tests.test_programmes import _mentoring, _people


def _names(store: Store, include_archived: bool = False) -> list[str]:
    with store.read() as db:
        return [s.programme.name for s in programmes.list_programmes(db, include_archived=include_archived)]


# -- rename, archive, delete -------------------------------------------------------------------


def test_a_renamed_programme_keeps_its_pairs_and_their_invites_change(store: Store) -> None:
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        programmes.add_programme(db, name="Buddies", kind="buddy")
        made = pairing.confirm(db, pid).pairs
    with store.write() as db:
        renamed = programmes.rename(db, pid, "Mentoring 2026")
    assert renamed.name == "Mentoring 2026" and renamed.version == 2
    with store.read() as db:
        after = pairs.list_pairs(db, pid)
    assert {p.id for p in after} == {p.id for p in made}
    assert all(p.programme_name == "Mentoring 2026" and p.ics_sequence == 1 for p in after)
    with pytest.raises(AlreadyExists, match="Buddies"), store.write() as db:
        programmes.rename(db, pid, "BUDDIES")


def test_a_new_programme_is_refused_with_every_problem_at_once(store: Store) -> None:
    """Each value is checked before any is refused: a form shows them all, each under its field
    (screens/form_screen.py), and the command line one a line. One problem is raised as it is."""
    with store.write() as db:
        programmes.add_programme(db, name="Buddies", kind="buddy")
    with pytest.raises(Refusals) as refused, store.write() as db:
        programmes.add_programme(
            db, name="BUDDIES", kind="mentoring", starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1),
            group_size=3, no_repeat_weeks=-1,
        )  # fmt: skip
    fields = [getattr(p, "field", None) for p in refused.value.problems]
    assert fields == ["to", "group size", "no repeat weeks", "name"]
    assert str(refused.value).splitlines()[-1] == "There is already a programme named 'Buddies'."
    with pytest.raises(AlreadyExists), store.write() as db:
        programmes.add_programme(db, name="buddies", kind="buddy")
    assert _names(store) == ["Buddies"]


def test_programme_names_are_one_whatever_their_case_even_beyond_ascii(store: Store) -> None:
    """As circles' are, on both backends: on SQLite the check compared lower(name), which folds
    ASCII only, and let 'ÄRZTE' in beside 'Ärzte'; on PostgreSQL the server's lower() may join
    names Python keeps apart ('İzmir', 'Izmir'), and the unique index refused without words."""
    with store.write() as db:
        programmes.add_programme(db, name="Ärzte Buddies", kind="buddy")
    with pytest.raises(AlreadyExists, match="'Ärzte Buddies'"), store.write() as db:
        programmes.add_programme(db, name="ÄRZTE BUDDIES", kind="buddy")
    assert "ÄRZTE BUDDIES" not in _names(store)


def test_programme_names_the_stores_lower_joins_are_one(store: Store) -> None:
    """A PostgreSQL server whose lower() folds 'İ' as 'i' (C.UTF-8) joins 'İzmir' and 'Izmir',
    which Python keeps apart: its unique index refused without words what the check let by."""
    with store.read() as db:
        folds_dotted_i = db.execute(sa.select(sa.func.lower("İzmir") == sa.func.lower("Izmir"))).scalar()
    if not folds_dotted_i:
        pytest.skip("this database's lower() keeps 'İzmir' and 'Izmir' apart, as Python does")
    with store.write() as db:
        programmes.add_programme(db, name="Izmir Coffee", kind="coffee")
        other = programmes.add_programme(db, name="Ankara Coffee", kind="coffee")
    with pytest.raises(AlreadyExists, match="'Izmir Coffee'"), store.write() as db:
        programmes.add_programme(db, name="İzmir Coffee", kind="coffee")
    with pytest.raises(AlreadyExists, match="'Izmir Coffee'"), store.write() as db:
        programmes.rename(db, other.id, "İZMIR COFFEE")


def test_an_archived_programme_is_hidden_and_kept_and_can_come_back(store: Store) -> None:
    pid, _, _mentees = _mentoring(store)
    with store.write() as db:
        made = pairing.confirm(db, pid).pairs
        programmes.archive(db, pid)
    assert _names(store) == [] and _names(store, include_archived=True) == ["Mentors"]
    with store.read() as db:
        assert programmes.find_programme(db, "mentors").archived
        assert len(pairs.list_pairs(db, pid)) == len(made)  # history kept
    newcomer = _people(store, 1, "Late")[0]
    for attempt in (
        lambda db: programmes.join(db, pid, newcomer, role="mentee"),
        lambda db: pairing.confirm(db, pid),
        lambda db: pairing.propose(db, pid),
    ):
        with pytest.raises(NotAllowed, match="archived"), store.write() as db:
            attempt(db)
    with store.write() as db:
        programmes.archive(db, pid, archived=False)
    assert _names(store) == ["Mentors"]


def test_a_programme_s_name_is_read_as_circles_and_people_s_names_are(store: Store) -> None:
    """Invisible characters, direction overrides and decomposed accents: a programme's name was
    checked as plain text, so 'Coffee roulette' and the same with a zero-width space at its end
    were two programmes that read as one, and an override could make a name read backwards."""
    with store.write() as db:
        first = programmes.add_programme(db, name="Coffee roulette", kind="coffee")
        accented = programmes.add_programme(db, name="Cafe\u0301 \u200bclub", kind="coffee")
    assert accented.name == "Caf\u00e9 club"
    taken = "There is already a programme named 'Coffee roulette'"
    with pytest.raises(AlreadyExists, match=taken), store.write() as db:
        programmes.add_programme(db, name="Coffee roulette\u200b", kind="coffee")
    with pytest.raises(AlreadyExists, match=taken), store.write() as db:
        programmes.rename(db, accented.id, "Coffee\u2060 roulette")
    overridden = r"^name 'Mentors \\u202eevil' contains a direction control"
    with pytest.raises(InvalidInput, match=overridden), store.write() as db:
        programmes.rename(db, first.id, "Mentors \u202eevil")
    with store.write() as db:
        assert programmes.rename(db, first.id, "Coffee\ufeff roulette 2").name == "Coffee roulette 2"


def test_archiving_an_archived_programme_says_it_already_was(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Archive of an archived programme, and unarchive of one that is not, change nothing and
    say so, as cancelling a cancelled session does: they said 'Archived Mentors' (or 'back in
    the list'), to a script run twice or a second facilitator, as if something had changed."""
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        programmes.archive(db, pid)
    with pytest.raises(NotAllowed, match=r"^Mentors is already archived\.$"), store.write() as db:
        programmes.archive(db, pid)
    with store.write() as db:
        assert programmes.archive(db, pid, archived=False).version == 3  # two changes, not three
    with pytest.raises(NotAllowed, match=r"^Mentors is not archived\.$"), store.write() as db:
        programmes.archive(db, pid, archived=False)
    if store.url.get_backend_name() != "sqlite":
        return  # the command line's part once: it only prints what the service says
    cli = Cli(store.url.render_as_string(hide_password=False), tmp_path / "home")
    tries = (("unarchive", "is not archived"), ("archive", ""), ("archive", "is already archived"))
    for command, said in tries:
        result = cli("program", command, "Mentors", ok=not said)
        if said:
            assert (result.returncode, result.stderr) == (1, f"circles: Mentors {said}.\n")


def test_only_a_programme_that_never_had_pairs_is_deleted(store: Store) -> None:
    pid, _, mentees = _mentoring(store)
    with store.write() as db:
        empty = programmes.add_programme(db, name="Coffee", kind="coffee")
        programmes.join(db, empty.id, mentees[0], role="member", avoid=[mentees[1]])
        programmes.join(db, empty.id, mentees[1], role="member")
        pairing.reject(db, empty.id, mentees[0], mentees[1])
    with store.write() as db:
        programmes.delete_programme(db, empty.id)
    assert _names(store, include_archived=True) == ["Mentors"]
    with store.read() as db, pytest.raises(NotFound):
        programmes.get_programme(db, empty.id)
    with store.write() as db:
        pairing.confirm(db, pid)
    with pytest.raises(NotAllowed, match="Archive it instead"), store.write() as db:
        programmes.delete_programme(db, pid)
    assert _names(store) == ["Mentors"]


# -- locks and rejections kept in the store ------------------------------------------------------


def test_locks_and_rejections_outlive_the_screen_and_confirm_honours_them(store: Store) -> None:
    pid, _mentors, _mentees = _mentoring(store)
    with store.read() as db:
        first = pairing.propose(db, pid, seed=3)
    keep = first.groups[0].ids
    never = first.groups[1].ids
    with store.write() as db:
        pairing.lock(db, pid, keep)
        pairing.reject(db, pid, *never)
    # Another unit of work (another screen, the CLI) sees both.
    for seed in (3, 4, 5):
        with store.read() as db:
            shown = pairing.propose(db, pid, seed=seed)
        assert keep in shown.signature and [g.locked for g in shown.groups if g.ids == keep] == [True]
        assert tuple(never) not in shown.signature
        assert [(a.person_id, b.person_id) for a, b in shown.rejected] == [tuple(sorted(never))]
    with store.write() as db:
        made = pairing.confirm(db, pid, seed=4)
    assert keep in [tuple(x.person_id for x in p.people) for p in made.pairs]
    assert tuple(never) not in [tuple(x.person_id for x in p.people) for p in made.pairs]
    with store.read() as db:
        from circles.services import decisions

        kept = decisions.stored(db, pid)
    assert kept.locked == () and kept.rejected == {frozenset(never)}  # locks became pairs


def test_a_lock_or_rejection_of_one_person_twice_is_refused_in_words_not_ids(store: Store) -> None:
    """The refusals quoted the people's ids, '(46, 46)', words neither the app nor the command
    line (which takes e-mail addresses) ever showed."""
    pid, mentors, _mentees = _mentoring(store)
    one = mentors[0]
    said = {
        lambda db: pairing.lock(db, pid, (one, one)): (
            "pair names the same person twice; nobody is paired with themselves."
        ),
        lambda db: pairing.reject(db, pid, one, one): (
            "pair names the same person twice; nobody is paired with themselves."
        ),
        lambda db: pairing.lock(
            db, pid, (one,)
        ): "pair has 1 person; a lock names two (or three, for a trio).",
    }
    for refused, message in said.items():
        with store.write() as db, pytest.raises(InvalidInput) as told:
            refused(db)
        assert str(told.value) == message


def test_a_swap_is_kept_as_two_locks_and_a_lock_that_stops_holding_is_set_aside(store: Store) -> None:
    pid, _mentors, _mentees = _mentoring(store)
    with store.read() as db:
        shown = pairing.propose(db, pid, seed=1)

    def allowed(group: tuple[int, ...]) -> bool:
        try:
            with store.read() as db:
                pairing.check_group(db, pid, group)
        except NotAllowed:
            return False
        return True

    a, b = next(
        (x.ids, y.ids)
        for x in shown.groups
        for y in shown.groups
        if x.ids[0] != y.ids[0] and allowed((x.ids[0], y.ids[1])) and allowed((y.ids[0], x.ids[1]))
    )
    with store.write() as db:
        one, two = pairing.swap(db, pid, a, b)
    assert one == (a[0], b[1]) and two == (b[0], a[1])
    with store.read() as db:
        again = pairing.propose(db, pid, seed=1)
    assert {g.ids for g in again.groups if g.locked} == {one, two}
    with store.write() as db:
        programmes.leave(db, pid, one[1])
    with store.read() as db:
        later = pairing.propose(db, pid, seed=1)
    assert [g.ids for g in later.groups if g.locked] == [two]
    assert [(tuple(p.person_id for p in s.people), s.reason) for s in later.set_aside] == [
        (one, f"person {one[1]} is not in this programme now")
    ]
    with store.write() as db:
        pairing.unlock(db, pid, two)
    with store.read() as db:
        assert not [g for g in pairing.propose(db, pid, seed=1).groups if g.locked]


def test_a_lock_that_breaks_a_rule_or_names_a_rejected_pair_is_refused(store: Store) -> None:
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring")
    ana, bo = _people(store, 2, "Data", teams=1)
    cy = factories.person(store, "Cy", "cy@example.org", team="Web").id
    with store.write() as db:
        programmes.join(db, p.id, ana, role="mentor")
        programmes.join(db, p.id, bo, role="mentee")
        programmes.join(db, p.id, cy, role="mentee")
    with pytest.raises(NotAllowed, match="same team"), store.write() as db:
        pairing.lock(db, p.id, [ana, bo])
    with pytest.raises(NotAllowed, match="a mentor, then a mentee"), store.write() as db:
        pairing.lock(db, p.id, [cy, ana])
    with store.write() as db:
        pairing.reject(db, p.id, ana, cy)
    with pytest.raises(NotAllowed, match="unreject"), store.write() as db:
        pairing.lock(db, p.id, [ana, cy])
    with store.write() as db:
        pairing.unreject(db, p.id, cy, ana)
        pairing.lock(db, p.id, [ana, cy])


@pytest.mark.slow
def test_the_cli_renames_archives_deletes_and_keeps_decisions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli = Cli(str(tmp_path / "c.db"), tmp_path / "home")
    for name, team in (("Ana", "Data"), ("Bo", "Web"), ("Cy", "Ops"), ("Di", "Ops")):
        cli("person", "add", name, "--email", f"{name.lower()}@example.org", "--team", team)
    cli("program", "add", "Mentors", "--kind", "mentoring")
    cli("program", "join", "Mentors", "ana@example.org", "--as", "mentor", "--offers", "Rust")
    cli("program", "join", "Mentors", "bo@example.org", "--as", "mentor", "--offers", "Go")
    cli("program", "join", "Mentors", "cy@example.org", "--as", "mentee", "--wants", "rust")
    cli("program", "join", "Mentors", "di@example.org", "--as", "mentee", "--wants", "go")
    # Against the topics: Ana with Di, and never Bo with Cy.
    cli("program", "lock", "Mentors", "ana@example.org", "di@example.org")
    cli("program", "reject", "Mentors", "bo@example.org", "cy@example.org")
    shown = cli("program", "match", "Mentors").stdout
    assert "Ana & Di  (ana@example.org, di@example.org)  [locked]" in shown
    assert "rejected: Bo & Cy (bo@example.org, cy@example.org): never proposed again here" in shown
    data = cli.json("program", "match", "Mentors")
    assert [(p["people"], p["locked"]) for p in data["pairs"]] == [  # type: ignore[call-overload]
        (["ana@example.org", "di@example.org"], True)
    ]
    assert data["rejected"] == [["bo@example.org", "cy@example.org"]]  # type: ignore[call-overload]
    # Confirm says why each pair was made, in match's words (it named the pairs alone).
    reasons = data["pairs"][0]["reasons"]  # type: ignore[call-overload]
    assert reasons
    confirmed = cli("program", "confirm", "Mentors").stdout.splitlines()
    assert confirmed[1:3] == ["  pair 1: Ana & Di", f"     {reasons}"], confirmed
    listed = cli.json("program", "pairs", "Mentors")
    assert [p["people"] for p in listed["pairs"]] == [["ana@example.org", "di@example.org"]]  # type: ignore[call-overload]

    cli("program", "add", "Coffee", "--kind", "coffee")
    cli("program", "rename", "Coffee", "Coffee roulette")
    refused = cli("program", "delete", "Coffee roulette", ok=False)
    assert refused.returncode == 1 and "add --yes" in refused.stderr
    assert [p["programme"]["name"] for p in cli.json("program", "list")] == ["Coffee roulette", "Mentors"]
    cli("program", "delete", "Coffee roulette", "--yes")
    refused = cli("program", "delete", "Mentors", "--yes", ok=False)
    assert refused.returncode == 1 and "Archive it instead" in refused.stderr
    cli("program", "archive", "Mentors")
    assert cli.json("program", "list") == []
    assert "archived" in cli("program", "list", "--all").stdout
    refused = cli("program", "match", "Mentors", ok=False)
    assert refused.returncode == 1 and "unarchive" in refused.stderr
    cli("program", "unarchive", "Mentors")
    assert [p["programme"]["name"] for p in cli.json("program", "list")] == ["Mentors"]


def test_the_cli_lists_a_proposal_with_a_guest_who_has_no_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Only a guest may lack an e-mail address; the app can add one to a programme.
    cli = Cli(str(tmp_path / "c.db"), tmp_path / "home")
    cli("person", "add", "Bo", "--email", "bo@example.org")
    cli("program", "add", "Coffee", "--kind", "coffee")
    store = Store.open(sqlite_url(tmp_path / "c.db"))
    try:
        with store.write() as db:
            guest = people.add_person(db, name="Gia Guest", is_guest=True)
            coffee = programmes.find_programme(db, "Coffee")
            programmes.join(db, coffee.id, guest.id, role="member")
            programmes.join(db, coffee.id, people.find_person(db, "bo@example.org").id, role="member")
    finally:
        store.close()
    shown = cli("program", "match", "Coffee").stdout
    assert "(bo@example.org, no e-mail)" in shown or "(no e-mail, bo@example.org)" in shown


# -- dates -------------------------------------------------------------------------------------


def test_a_programme_s_dates_change_after_it_is_made_but_not_past_its_rounds(store: Store) -> None:
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        made = pairing.confirm(db, pid, on=date(2026, 9, 1)).pairs
    with store.write() as db:
        changed = programmes.edit(db, pid, starts_on=date(2026, 8, 1), ends_on=date(2027, 6, 30))
    assert (changed.starts_on, changed.ends_on) == (date(2026, 8, 1), date(2027, 6, 30))
    with store.read() as db:  # the pairs' meetings now stop on the new last day
        assert {p.ics_sequence for p in pairs.list_pairs(db, pid)} == {1} and made
    refused_start = r"^from '2026-10-01' is after round 1, made on 01 Sep\."
    with pytest.raises(InvalidInput, match=refused_start), store.write() as db:
        programmes.edit(db, pid, starts_on=date(2026, 10, 1))
    refused_end = r"^to '2026-07-01' is earlier than the first day \(2026-08-01\)"
    with pytest.raises(InvalidInput, match=refused_end), store.write() as db:
        programmes.edit(db, pid, ends_on=date(2026, 7, 1))
    with store.write() as db:
        open_ended = programmes.edit(db, pid, ends_on=None, name="Mentors 26/27")
    assert (open_ended.name, open_ended.starts_on, open_ended.ends_on) == (
        "Mentors 26/27",
        date(2026, 8, 1),
        None,
    )
    # A new name and last day together: one change, so one new SEQUENCE for the pairs' invites.
    assert open_ended.version == changed.version + 1
    with store.read() as db:
        assert {p.ics_sequence for p in pairs.list_pairs(db, pid)} == {2}


def test_the_cli_edits_a_programme_s_dates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli = Cli(str(tmp_path / "c.db"), tmp_path / "home")
    cli("program", "add", "Buddies", "--kind", "buddy", "--from", "2026-01-05")
    assert cli("program", "edit", "Buddies", "--to", "2026-12-18").stdout == (
        "Saved Buddies (id 1): from 05 Jan 2026 to 18 Dec 2026.\n"
    )
    shown = cli("program", "edit", "Buddies", "--no-end", "--from", "2026-02-02").stdout
    assert shown == "Saved Buddies (id 1): from 02 Feb 2026 with no end.\n"
    refused = cli("program", "edit", "Buddies", "--to", "2025-12-31", ok=False)
    assert refused.returncode == 1 and "--to '2025-12-31' is earlier than the first day" in refused.stderr
    assert "Say what to change" in cli("program", "edit", "Buddies", ok=False).stderr
