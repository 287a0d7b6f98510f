"""Sending invites to a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and PostgreSQL: one
message per person and session, then only what changed, with the send log true to what the server
accepted."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_string, policy

import pytest
from sqlmodel import select

from circles.delivery.model import SendPlan
from circles.delivery.send import TAKEN, send_plan
from circles.services import agenda, attendance, delivery, members, sessions, upkeep
from models.enums import InviteMethod, SendOutcome, SendReason
from models.store import Store
from models.tables import InviteExport, InviteSend
from tests.conftest import FixedClock
from tests.delivery_world import World, attendees, calendar_part, event_of, make_world, settings_for
from tests.smtp_sink import Sink, smtp_sink
from tests.statements import statements_sent


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as s:
        yield s


def _plan(store: Store, w: World) -> SendPlan:
    with store.read() as db:
        return delivery.plan_circle(db, w.circle.id)


def _send(store: Store, w: World, sink: Sink) -> SendPlan:
    plan = _plan(store, w)
    results = send_plan(store, plan, settings_for(sink.url))
    assert all(r.sent and r.logged for r in results), [r.detail for r in results if not r.sent]
    return plan


def _log(store: Store) -> list[InviteSend]:
    with store.read() as db:
        return list(db.exec(select(InviteSend).order_by(InviteSend.id)).all())


def _to(sink: Sink, start: int = 0) -> Counter[str]:
    return Counter(r.recipients[0] for r in sink.received[start:])


def test_a_circle_goes_out_once_per_person_and_session_and_a_second_send_sends_nothing(
    store: Store, sink: Sink
) -> None:
    w = make_world(store)
    plan = _send(store, w, sink)
    # Bo and Zoë get the four sessions, guest Cy the one she presents at; Ana sends.
    assert _to(sink) == {"bo@example.org": 4, "zoe@example.org": 4, "cy@guest.org": 1}
    assert {o.reason for o in plan.outgoing} == {SendReason.NEW}
    for received in sink.received:
        message = received.message
        event = event_of(message)
        assert attendees(event) == received.recipients  # the recipient, and only them
        (attendee,) = [event["ATTENDEE"]] if not isinstance(event["ATTENDEE"], list) else event["ATTENDEE"]
        assert attendee.params["RSVP"] == "TRUE"
        assert str(event["ORGANIZER"]) == "mailto:ana@example.org"
        assert message["From"].addresses[0].addr_spec == "ana@example.org"
        assert received.sender == "ana@example.org"
        assert calendar_part(message)[1] == "REQUEST"
    log = _log(store)
    assert len(log) == 9 and {r.outcome for r in log} == {SendOutcome.SENT}
    assert {(r.uid, r.sequence) for r in log} == {(s.ics_uid, 0) for s in w.sessions}

    connections = sink.sessions
    again = _plan(store, w)
    assert again.outgoing == () and again.up_to_date == 9
    assert send_plan(store, again, settings_for(sink.url)) == []
    assert len(sink.received) == 9 and sink.sessions == connections  # not even a connection


def test_a_moved_session_goes_again_to_its_people_only_with_a_higher_sequence(
    store: Store, sink: Sink
) -> None:
    w = make_world(store)
    _send(store, w, sink)
    with store.write() as db:
        sessions.move_session(db, w.sessions[1], starts_at=w.sessions[1].starts_at + timedelta(hours=2))
    plan = _send(store, w, sink)
    assert [(o.session.id, o.reason) for o in plan.outgoing] == [(w.sessions[1].id, SendReason.UPDATED)] * 2
    assert _to(sink, 9) == {"bo@example.org": 1, "zoe@example.org": 1}
    for received in sink.received[9:]:
        event = event_of(received.message)
        assert event["UID"] == w.sessions[1].ics_uid and event["SEQUENCE"] == 1
        assert event["DTSTART"].dt == w.sessions[1].starts_at + timedelta(hours=2)
    assert _plan(store, w).outgoing == ()


def test_a_cancelled_session_goes_as_cancel_to_everyone_who_had_it(store: Store, sink: Sink) -> None:
    w = make_world(store)
    _send(store, w, sink)
    with store.write() as db:
        sessions.cancel_session(db, w.sessions[2])
    plan = _send(store, w, sink)
    cancels = [o for o in plan.outgoing if o.method is InviteMethod.CANCEL]
    assert {(o.session.id, o.attendee.email) for o in cancels} == {
        (w.sessions[2].id, e) for e in ("bo@example.org", "zoe@example.org", "cy@guest.org")
    }
    for received in sink.received[9:]:
        event = event_of(received.message)
        if event["UID"] == w.sessions[2].ics_uid:
            assert calendar_part(received.message)[1] == "CANCEL"
            assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    # Zoë presented at the cancelled session: the rotation gives her the next one, whose invite
    # now names another presenter, so it goes again too (the same SEQUENCE: nothing moved).
    with store.read() as db:
        now_presenting = {s.id: s.presenter_id for s in (sessions.get_session(db, s.id) for s in w.sessions)}
    updates = [o for o in plan.outgoing if o.method is InviteMethod.REQUEST]
    assert all(o.reason is SendReason.DETAILS for o in updates)
    changed = {s.id for s in w.sessions if s.presenter_id != now_presenting[s.id]} - {w.sessions[2].id}
    assert {o.session.id for o in updates} == changed
    assert _plan(store, w).outgoing == ()
    # Sent again for the cancelled session alone: its three cancellations are up to date (the
    # line read 'Nothing to send: 0 already up to date').
    with store.read() as db:
        assert delivery.plan_session(db, w.sessions[2].id).up_to_date == 3


def test_a_member_who_left_gets_cancel_and_a_new_member_gets_the_upcoming_sessions(
    store: Store, sink: Sink, clock: FixedClock
) -> None:
    w = make_world(store)
    _send(store, w, sink)
    with store.write() as db:
        from circles.services import people

        dee = people.add_person(db, name="Dee New", email="dee@example.org")
        members.add_member(db, circle_id=w.circle.id, person_id=dee.id)
        members.remove_member(db, circle_id=w.circle.id, person_id=w.zoe)
    plan = _send(store, w, sink)
    got = Counter((o.attendee.email, o.method, o.reason) for o in plan.outgoing)
    assert got == {
        ("zoe@example.org", InviteMethod.CANCEL, SendReason.REMOVED): 4,
        ("dee@example.org", InviteMethod.REQUEST, SendReason.NEW): 4,
    }
    for received in sink.received[9:]:
        event = event_of(received.message)
        # RFC 5546: the cancellation names the person it removes, at the SEQUENCE they have.
        assert attendees(event) == received.recipients and event["SEQUENCE"] == 0
    assert _plan(store, w).outgoing == ()


def test_two_sends_made_at_the_same_time_send_each_message_once(store: Store, sink: Sink) -> None:
    """Two sends planned from the same send log (a co-facilitator's app and a script, a double
    press): each message goes once. The second one sent them all again: every person got every
    invite twice. Now each message is claimed in the log before it goes to the server."""
    w = make_world(store)
    first, second = _plan(store, w), _plan(store, w)
    assert len(first.outgoing) == len(second.outgoing) == 9
    assert all(r.sent for r in send_plan(store, first, settings_for(sink.url)))
    late = send_plan(store, second, settings_for(sink.url))
    assert len(sink.received) == 9  # not 18
    assert {r.detail for r in late} == {TAKEN} and all(r.taken and not r.sent for r in late)
    log = _log(store)
    assert len(log) == 9 and {r.outcome for r in log} == {SendOutcome.SENT}
    assert {r.detail for r in log} == {""}  # the claim became the answer
    assert _plan(store, w).outgoing == ()


def test_a_send_planned_while_another_is_sending_a_message_does_not_send_it_again(
    store: Store, sink: Sink
) -> None:
    """The second send is planned while the server is still taking the first send's first
    message (not logged as sent yet): that message is the other send's, the rest are its own."""
    w = make_world(store)
    sink.gate = gate = threading.Event()
    first = threading.Thread(target=send_plan, args=(store, _plan(store, w), settings_for(sink.url)))
    first.start()
    try:
        assert sink.held.wait(30)
        second = send_plan(store, _plan(store, w), settings_for(sink.url))
    finally:
        gate.set()
        first.join(30)
    # The first send's first message was with the server; the rest the second send sent itself.
    assert [r.taken for r in second] == [True] + [False] * 8
    assert all(r.sent for r in second[1:])
    assert len(sink.received) == 9
    assert Counter(r.recipients[0] for r in sink.received) == {
        "bo@example.org": 4,
        "zoe@example.org": 4,
        "cy@guest.org": 1,
    }
    assert _plan(store, w).outgoing == ()


def test_a_claim_left_by_a_send_that_died_holds_its_message_back_only_for_a_while(
    store: Store, sink: Sink, clock: FixedClock
) -> None:
    """A send killed while the server had a message leaves its claim: the next send, soon after,
    leaves that message to it; once the claim is older than any SMTP timeout, it goes."""
    w = make_world(store)
    died = _plan(store, w).outgoing[0]
    with store.write() as db:
        assert delivery.claim(db, died) is not None
    soon = send_plan(store, _plan(store, w), settings_for(sink.url))
    assert [r.taken for r in soon] == [True] + [False] * 8
    clock.advance(seconds=delivery.CLAIM_LIFETIME.total_seconds() + 60)
    (late,) = send_plan(store, _plan(store, w), settings_for(sink.url))
    assert late.sent and late.outgoing.attendee.email == died.attendee.email
    assert len(sink.received) == 9 and _plan(store, w).outgoing == ()


def _join(store: Store, w: World, name: str, email: str) -> None:
    with store.write() as db:
        from circles.services import people

        person = people.add_person(db, name=name, email=email)
        members.add_member(db, circle_id=w.circle.id, person_id=person.id)


def test_addresses_that_are_not_ascii_go_out_and_a_server_without_smtputf8_refuses_only_theirs(
    store: Store,
) -> None:
    """The store takes 'zoë@exämple.org': its invite goes with the domain in ASCII (xn--) and the
    name before the @ in UTF-8 (SMTPUTF8). It raised NonASCIILocalPartDefect while the message
    was built, ending the send halfway with a traceback. A server without SMTPUTF8 refuses that
    one message (it goes again next time); an internationalised domain alone needs nothing."""
    w = make_world(store, weeks=1)
    _join(store, w, "Noé Ñandú", "noé@exämple.org")
    _join(store, w, "José", "jose@exämple.org")
    with smtp_sink() as sink:
        _send(store, w, sink)
        # Read as text: a message sent with SMTPUTF8 has its headers in UTF-8 (RFC 6532).
        by_rcpt = {
            r.recipients[0]: message_from_string(r.data.decode("utf-8"), policy=policy.default)
            for r in sink.received
        }
    assert set(by_rcpt) == {
        "bo@example.org",
        "zoe@example.org",
        "noé@xn--exmple-cua.org",
        "jose@xn--exmple-cua.org",
    }
    assert by_rcpt["noé@xn--exmple-cua.org"]["To"].addresses[0].addr_spec == "noé@xn--exmple-cua.org"
    assert str(by_rcpt["jose@xn--exmple-cua.org"]["To"]) == "José <jose@xn--exmple-cua.org>"
    # The invite names them as the store does: a REPLY from their calendar is matched to them.
    assert attendees(event_of(by_rcpt["noé@xn--exmple-cua.org"])) == ["noé@exämple.org"]

    with store.write() as db:
        sessions.move_session(db, w.sessions[0], starts_at=w.sessions[0].starts_at + timedelta(hours=1))
    with smtp_sink(smtputf8=False) as ascii_only:
        results = send_plan(store, _plan(store, w), settings_for(ascii_only.url))
        got = sorted(r.recipients[0] for r in ascii_only.received)
    assert got == ["bo@example.org", "jose@xn--exmple-cua.org", "zoe@example.org"]
    (refused,) = [r for r in results if not r.sent]
    assert refused.outgoing.attendee.email == "noé@exämple.org" and "SMTPUTF8" in refused.detail
    assert [o.attendee.email for o in _plan(store, w).outgoing] == ["noé@exämple.org"]


def test_a_new_presenter_goes_again_at_the_same_sequence(store: Store, sink: Sink) -> None:
    """The DESCRIPTION names the presenter (and the presenter's copy says they present): a change
    of presenter is an update people need, sent at the same SEQUENCE with a newer DTSTAMP."""
    w = make_world(store)
    _send(store, w, sink)
    with store.write() as db:
        agenda.add_item(
            db, session_id=w.sessions[0].id, title="Lightning talk", presenter_id=w.bo, minutes=10
        )
    plan = _send(store, w, sink)
    assert {(o.session.id, o.reason) for o in plan.outgoing} == {(w.sessions[0].id, SendReason.DETAILS)}
    by_person = {r.recipients[0]: event_of(r.message) for r in sink.received[9:]}
    assert set(by_person) == {"bo@example.org", "zoe@example.org"}
    assert all(e["SEQUENCE"] == 0 for e in by_person.values())
    assert "(you present)" in str(by_person["bo@example.org"]["SUMMARY"])
    assert "Lightning talk (Bo Smith)" in str(by_person["zoe@example.org"]["DESCRIPTION"])


def test_an_rsvp_does_not_make_the_invite_go_again(store: Store, sink: Sink) -> None:
    w = make_world(store)
    _send(store, w, sink)
    with store.write() as db:
        attendance.set_rsvp(db, session_id=w.sessions[0].id, person_id=w.bo, rsvp="yes")
    assert _plan(store, w).outgoing == ()


def test_one_session_sends_only_that_session(store: Store, sink: Sink) -> None:
    w = make_world(store)
    with store.read() as db:
        plan = delivery.plan_session(db, w.sessions[2].id)
    send_plan(store, plan, settings_for(sink.url))
    assert {r.recipients[0] for r in sink.received} == {"bo@example.org", "zoe@example.org", "cy@guest.org"}
    assert [o.session.id for o in _plan(store, w).outgoing].count(w.sessions[2].id) == 0


def test_a_presenter_change_after_a_send_is_told_as_after_an_export(store: Store, sink: Sink) -> None:
    """The send records that the invite went out (services/invites.py note_invites_left), so the
    rotation's upkeep tells the facilitator when a change moves the presenter it named."""
    w = make_world(store)
    zoes = {s.id for s in w.sessions if s.presenter_id == w.zoe}
    assert zoes
    _send(store, w, sink)
    with store.write() as db:
        members.remove_member(db, circle_id=w.circle.id, person_id=w.zoe)
    changes = upkeep.presenter_changes(db)
    told = {c.session.id: c.exported_presenter for c in changes}
    assert zoes <= set(told) and {told[sid] for sid in zoes} == {"Zoë Ñandú"}
    assert "whose invite already went out" in upkeep.describe(changes)


def test_a_send_notes_each_sessions_invite_as_gone_once_not_once_per_person(store: Store, sink: Sink) -> None:
    """Each message's send-log row is written as the server answers it, but the note that the
    session's invite went out (for the presenter-change warning) is written once per session:
    it was a second write with every person's message, a fifth of a large send."""
    w = make_world(store)
    with statements_sent(store.engine) as sent:
        plan = _send(store, w, sink)
    noted = [s for s, _ in sent if "invite_export" in s and s.lstrip().upper().startswith("INSERT")]
    sessions_sent = {o.session.id for o in plan.outgoing}
    assert len(plan.outgoing) > len(sessions_sent) > 1
    assert len(noted) == len(sessions_sent)
    with store.read() as db:
        assert set(db.exec(select(InviteExport.session_id)).all()) == sessions_sent
