"""What an event shows a person, as one hash: two copies with the same hash look the same in a
calendar, so nothing needs to go again (DTSTAMP and the person's own PARTSTAT left out)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from circles.ics.build import description, summary
from circles.ics.model import Channel, Options, SessionInvite
from circles.ics.text import clean_line
from circles.views import CircleView

_ANY_STAMP = datetime(2000, 1, 1, tzinfo=UTC)


def fingerprint(circle: CircleView, invite: SessionInvite, *, person_id: int | None = None) -> str:
    """Time, length, title, place, link, status, and the DESCRIPTION (agenda, presenters, notes)
    as ``person_id`` sees them (their copy says when they present)."""
    s = invite.session
    opts = Options(Channel.REQUEST, _ANY_STAMP, None, for_person_id=person_id)
    parts = (
        s.starts_at.astimezone(UTC).isoformat(),
        s.minutes,
        summary(circle, invite, opts),
        description(invite, opts),
        clean_line(s.location),
        clean_line(s.video_url),
        s.status.value,
    )
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
