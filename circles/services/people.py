"""People: members, facilitators and guest speakers, found by e-mail (case-insensitive) or id.

Everyone who is not a guest has an e-mail address; a guest may have none (a walk-in checked
in by name alone). Addresses are unique when given, and stored lower-cased.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import AlreadyExists, InvalidInput, NotFound, shown
from circles.folding import folded_words
from circles.services.sql import holds
from circles.services.versioned import UNCHANGED, Unchanged, given, save
from circles.views import PersonView
from models.tables import Person

_LABELS = {"is_guest": "guest", "active": "active"}


def _view(p: Person) -> PersonView:
    assert p.id is not None
    return PersonView(p.id, p.name, p.email, p.team, p.is_guest, p.active, p.version)


def address(value: str | None) -> str | None:
    """An e-mail address as stored (lower-cased), or None when none was given."""
    if value is None or not value.strip():
        return None
    return validate.email(value)


def person_name(value: str | None) -> str:
    """A person's name as stored, or InvalidInput: the one rule, for the service, its forms
    (where a bad name is told under the field before saving) and imports."""
    return validate.name(value, "name", max_length=120)


def team_name(value: str | None) -> str | None:
    """A person's team as stored (None when none is given), or InvalidInput: as person_name."""
    return validate.optional_name(value, "team", max_length=80)


def _clean(
    *,
    name: str | Unchanged = UNCHANGED,
    email: str | Unchanged | None = UNCHANGED,
    team: str | Unchanged | None = UNCHANGED,
) -> dict[str, Any]:
    """The columns to write for what was given: each as stored, and a name or team given is
    written with its folded form beside it (what the filter compares and the directory orders
    by: Person.name_folded), so the two never disagree."""
    values = given(name=name, email=email, team=team)
    if "name" in values:
        values["name"] = person_name(values["name"])
        values["name_folded"] = folded_words(values["name"])
    if "email" in values:
        values["email"] = address(values["email"])
    if "team" in values:
        values["team"] = team_name(values["team"])
        values["team_folded"] = None if values["team"] is None else folded_words(values["team"])
    return values


def _ensure_email_free(db: Session, email: str | None, *, except_id: int | None = None) -> None:
    if email is None:
        return
    other = db.exec(select(Person).where(Person.email == email)).first()
    if other is not None and other.id != except_id:
        raise AlreadyExists(f"{other.name} already uses the e-mail address {shown(email)}.", field="email")


def _ensure_reachable(email: str | None, is_guest: bool) -> None:
    # Members get invites and reminders by e-mail; only a guest can do without an address.
    if email is None and not is_guest:
        raise InvalidInput("email", "", "is required for anyone who is not a guest")


def add_person(
    db: Session, *, name: str, email: str | None = None, team: str | None = None, is_guest: bool = False
) -> PersonView:
    values = _clean(name=name, email=email, team=team)
    _ensure_reachable(values["email"], is_guest)
    _ensure_email_free(db, values["email"])
    person = Person(**values, is_guest=is_guest)
    db.add(person)
    db.flush()
    return _view(person)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_by_name(db: Session, name: str) -> list[PersonView]:
    """Everyone called ``name``, whatever its case ('grace HOPPER'), oldest record first."""
    wanted = _name_key(name)
    # Those whose folded name is the same (by its index; 'José' and 'Jose' both), then the
    # name itself compared here: accents tell two people apart.
    near = select(Person).where(col(Person.name_folded) == folded_words(wanted))
    found = [p for p in db.exec(near.order_by(col(Person.id))) if _name_key(p.name) == wanted]
    return [_view(p) for p in found]


def get_person(db: Session, person_id: int) -> PersonView:
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    return _view(person)


def find_person(db: Session, ref: str) -> PersonView:
    """A person by e-mail address (any case, any Unicode composition) or by id."""
    person_id = validate.id_in(ref)
    if person_id is not None:
        return get_person(db, person_id)
    if "@" not in ref:  # 'not-an-email' is no address anybody could have
        raise NotFound(f"{shown(ref.strip())} is not an e-mail address (nor a person's id).")
    person = db.exec(select(Person).where(Person.email == validate.email_key(ref))).first()
    if person is None:
        raise NotFound(
            f"Nobody has the e-mail address {shown(ref.strip())}; add them with 'circles person add'."
        )
    return _view(person)


def named_by(db: Session, ref: str, field: str) -> PersonView | None:
    """The person a form's or option's text names: an e-mail address, an id, or a name only one
    person has (a guest may have no address); nobody for an empty text. A text that names
    nobody, or several people, is an InvalidInput of ``field``, shown beside it."""
    text = ref.strip()
    if not text:
        return None
    if "@" in text or validate.id_in(text) is not None:
        try:
            return find_person(db, text)
        except NotFound:
            raise InvalidInput(field, text, _NOBODY_HERE) from None
    found = find_by_name(db, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidInput(field, text, f"is the name of {len(found)} people: type their e-mail address")
    raise InvalidInput(field, text, _NOBODY_HERE)


_NOBODY_HERE = "is nobody in the directory: add them as a person first"


def _search(stmt: Any, search: str | None, person: Any = Person) -> Any:
    """``stmt`` narrowed to the people (``person``: the table, or a subquery of it) whose name,
    e-mail address or team holds ``search``, in any case and with or without accents: "jose"
    finds José, "EMILE" Émile (their folded forms, Person.name_folded and team_folded, as
    check-in's filter folds names). Neither database folds accents in SQL, and SQLite folds the
    case of ASCII letters alone."""
    if search:
        typed = unicodedata.normalize("NFC", search.strip())
        stmt = stmt.where(
            sa.or_(
                holds(col(person.name_folded), folded_words(typed)),
                # Stored lower-cased, accents kept: 'zoë@exämple.org' is found by "zoë@", which
                # folded ("zoe@") it was not.
                holds(col(person.email), typed.lower()),
                holds(col(person.team_folded), folded_words(typed)),  # no team: NULL, not a match
            )
        )
    return stmt


# A search's page is first looked for among this many pages' worth of people in the
# directory's order (see list_people).
WALKED_PAGES = 10


def list_people(
    db: Session,
    *,
    search: str | None = None,
    include_inactive: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[PersonView]:
    """People by name; ``search`` matches name, e-mail or team. Page with limit/offset."""
    if search and limit is not None:
        found = _found_early(db, search, include_inactive, limit, offset)
        if found is not None:
            return found
    stmt = _search(select(Person), search)
    if not include_inactive:
        stmt = stmt.where(col(Person.active).is_(True))
    # The directory's order is an index's (ix_person_name_folded): a page reads its rows alone.
    # A search that few people match reads every person (or, on PostgreSQL, its matches from
    # the trigram indexes of migrations 0220 and 0350): walking the index for its few matches
    # (or none) took 2 to 4 times a plain read and a sort, so it orders by a copy the index lacks.
    by_name: Any = col(Person.name_folded)
    if search:
        by_name = by_name.op("||")(sa.literal_column("''"))
    stmt = stmt.order_by(by_name, Person.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(p) for p in db.exec(stmt)]


def _found_early(
    db: Session, search: str, include_inactive: bool, limit: int, offset: int
) -> list[PersonView] | None:
    """A search's page when the first few pages' worth of the directory, read in its order from
    ix_person_name_folded, hold it whole (the same people a read of everyone finds: those come
    first in the same order); None when they do not. A text many people match ('a', 'an', the
    address's domain) has its page there: on the huge demo (100,000 people) reading everyone
    for it took 85 to 110 ms on PostgreSQL, where no index can help (no trigram in 'an', or
    most people match), where the first thousand people (ten pages of 100) take a few
    milliseconds: what a search few people match pays on top of its read of everyone."""
    first = select(Person)
    if not include_inactive:
        first = first.where(col(Person.active).is_(True))
    walked = (offset + limit) * WALKED_PAGES
    first = first.order_by(col(Person.name_folded), col(Person.id)).limit(walked)
    early = aliased(Person, first.subquery("early"))
    stmt = _search(select(early), search, early)
    stmt = stmt.order_by(col(early.name_folded), col(early.id)).offset(offset).limit(limit)
    found = [_view(p) for p in db.exec(stmt)]
    return found if len(found) == limit else None


def count_people(db: Session, *, search: str | None = None, up_to: int | None = None) -> int:
    """How many people ``search`` matches (everyone without one); with ``up_to``, counting
    stops there: a text most people match ('a', 'an') is not read to its last match to be
    counted (on the huge demo, 100,000 people, that was most of a keystroke's reading)."""
    found = _search(select(Person.id), search)
    if up_to is not None:
        found = found.limit(up_to)
    counted: int = db.exec(select(sa.func.count()).select_from(found.subquery("found"))).one()
    return counted


def update_person(
    db: Session,
    original: PersonView,
    *,
    name: str | Unchanged = UNCHANGED,
    email: str | Unchanged | None = UNCHANGED,
    team: str | Unchanged | None = UNCHANGED,
    is_guest: bool | Unchanged = UNCHANGED,
    active: bool | Unchanged = UNCHANGED,
) -> PersonView:
    values = _clean(name=name, email=email, team=team) | given(is_guest=is_guest, active=active)
    if "email" in values or "is_guest" in values:
        _ensure_reachable(values.get("email", original.email), values.get("is_guest", original.is_guest))
    if "email" in values:
        _ensure_email_free(db, values["email"], except_id=original.id)
    save(db, Person, original, values=values, what=f"{original.name}'s details", labels=_LABELS)
    return get_person(db, original.id)


@dataclass(frozen=True, slots=True)
class LookAlikes:
    """People whose e-mail addresses are one address once look-alike characters are set
    aside (case, how accents are composed, invisible characters)."""

    address: str
    people: list[PersonView]


def look_alikes(db: Session) -> list[LookAlikes]:
    """Every group of people that look like one person by e-mail address.

    New addresses cannot make one (validate.email stores one form and refuses invisible
    characters), but a store from before that rule can hold them: its upgrade leaves
    them as they are, for a person to decide, rather than merging anyone silently.
    """
    groups: dict[str, list[PersonView]] = defaultdict(list)
    for person in db.exec(select(Person).order_by(col(Person.id))):
        if person.email:  # a guest may have none (see the check-in's walk-ins)
            groups[validate.email_identity(person.email)].append(_view(person))
    return [LookAlikes(address, found) for address, found in sorted(groups.items()) if len(found) > 1]
