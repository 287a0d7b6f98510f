"""Matching people into pairs: mentors with mentees, and rounds of coffee or buddy pairs.

Pure: plain dataclasses in, a proposal with reasons out; no database and no screen here (the
services build a :class:`Pool` from the store and write what the facilitator confirms).

Hard rules (a pair that breaks one is never proposed): not yourself; not someone either asked
not to be paired with; not the same team unless the programme allows it; no repeat inside the
window; a proposal the facilitator rejected stays rejected; mentor capacity. Pauses, away
periods and "already has an active mentor" come in as ``Candidate.unavailable``.

The score rewards what a mentee wants and a mentor offers (shared interests for coffee and
buddies), different teams (when both are known), overlapping working hours (09:00-17:00 on
each person's clock), people who have waited longest, the right way round of seniority, and
pairs that never met.
A seeded jitter far below every other weight breaks ties, so the same pool and seed give the
same proposal and another seed may pick another of several equally good ones.

Mentoring is one ``scipy.optimize.linear_sum_assignment``: mentees are rows, each mentor is as
many columns as they have free places. The cost puts the number of pairs first and the total
score second, so nobody is left out who could have been matched.

Coffee and buddy rounds pair everyone. Small pools follow a round-robin schedule (the circle
method over an order fixed per programme): of its rounds, the one whose pairs are all allowed
and that leaves most rounds still possible is taken, so 16 people meet everyone exactly once in
15 rounds, which no round-by-round optimiser guarantees (its leftovers can form odd cycles
with no pairing). When no scheduled round is allowed, an assignment over the pool (a cycle
cover from ``linear_sum_assignment``, its cycles cut into pairs) finds the best pairs; large
pools are cut into chunks of a few hundred first. An odd count makes one trio.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from circles.days import day_said
from circles.folding import topic_key
from circles.words import count
from models.enums import ParticipantRole, ProgrammeKind

# Weights of the score; see the module's docstring.
TOPIC_MENTORING = 10.0
TOPIC_SHARED = 3.0
DIFFERENT_TEAMS = 3.0
PER_SHARED_HOUR = 0.5  # up to 8 hours: 4 points
WAITED = 2.0  # for waiting half a year or more
WAITED_FULL_DAYS = 180
SENIORITY = 2.0
NEVER_MET = 5.0  # a repeat earns less the more recent it is
REPEAT_FORGOTTEN_DAYS = 365
JITTER = 1e-3
WORK_HOURS = 8.0

# Puts the number of pairs before their score: larger than any total of scores.
_MORE_PAIRS = 1e6
# Pools above these sizes are cut into chunks (dense cost matrices grow with the square).
DENSE_CELLS = 4_500_000
COFFEE_CHUNK = 300
ROUND_ROBIN_LIMIT = 200
LOOKAHEAD_LIMIT = 24
SEARCH_LIMIT = 64
SEARCH_STEPS = 20_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone who may be matched in this run, as the service found them in the store."""

    id: int
    name: str
    role: ParticipantRole
    team: str | None = None
    capacity: int = 1  # mentors: free places now (their capacity less their active pairs)
    offers: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()
    utc_offset: float = 0.0  # hours, on the round's date
    years: float = 0.0  # seniority: years here
    waited_days: int = 0  # since their last pair ended, or since they joined
    avoid: frozenset[int] = frozenset()
    unavailable: str | None = None  # why they sit this one out (paused, away, ...)


@dataclass(frozen=True, slots=True)
class Rules:
    kind: ProgrammeKind
    group_size: int = 2
    allow_same_team: bool = False
    # None: a pair may not meet again until one of them has met everyone else eligible.
    no_repeat_days: int | None = None

    @property
    def mentoring(self) -> bool:
        return not self.kind.has_rounds


@dataclass(frozen=True, slots=True)
class Review:
    """What the facilitator decided about earlier proposals: kept as they are, or never again."""

    locked: tuple[tuple[int, ...], ...] = ()  # mentor first
    rejected: frozenset[frozenset[int]] = frozenset()


@dataclass(frozen=True, slots=True)
class Pool:
    people: tuple[Candidate, ...]
    rules: Rules
    on: date
    # Pairs that met (only meetings that happened count), with the last day they did.
    met: Mapping[frozenset[int], date] = field(default_factory=dict)
    review: Review = field(default_factory=Review)
    seed: int = 0
    schedule_key: int = 0  # the programme: fixes the round-robin order across its rounds


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[int, ...]  # the mentor first
    score: float
    reasons: tuple[str, ...]
    locked: bool = False

    @property
    def text(self) -> str:
        return " · ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class Unmatched:
    person_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Proposal:
    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]

    def people(self) -> list[tuple[int, ...]]:
        return [g.members for g in self.groups]


# -- the tie-breaking jitter: a hash of the seed and the two people ----------------------------

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def _jitter(seed: int, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.float64]:
    # In place where it can be: a 2,000 x 1,000 matrix is 2 million cells a step.
    lo = np.minimum(a, b).astype(np.uint64)
    hi = np.maximum(a, b).astype(np.uint64)
    with np.errstate(over="ignore"):
        lo *= _M2
        hi += np.uint64(1)
        hi *= _M3
        x = lo
        x ^= hi
        x ^= np.uint64(seed & 0xFFFFFFFFFFFFFFFF) * _M1
        for shift, factor in ((30, _M2), (27, _M3), (31, None)):
            np.right_shift(x, np.uint64(shift), out=hi)
            x ^= hi
            if factor is not None:
                x *= factor
        x >>= np.uint64(11)
    out = x.astype(np.float64)
    out /= float(1 << 53)
    out *= JITTER
    return out


_MASK = (1 << 64) - 1


def _jitter_one(seed: int, a: int, b: int) -> float:
    """``_jitter`` for one pair, in plain integers (numpy's per-call cost is 100 times this)."""
    lo, hi = min(a, b), max(a, b)
    m1, m2, m3 = int(_M1), int(_M2), int(_M3)
    x = ((seed & _MASK) * m1 & _MASK) ^ ((lo & _MASK) * m2 & _MASK) ^ (((hi + 1) & _MASK) * m3 & _MASK)
    x ^= x >> 30
    x = x * m2 & _MASK
    x ^= x >> 27
    x = x * m3 & _MASK
    x ^= x >> 31
    return float(x >> 11) / float(1 << 53) * JITTER


def _overlap_hours(a: float, b: float) -> tuple[float, float]:
    apart = abs(a - b) % 24
    apart = min(apart, 24 - apart)
    return apart, max(0.0, WORK_HOURS - apart)


def _tenure(years: float) -> str:
    """Seniority in words: "new" under half a year, else "here 3 years"."""
    whole = round(years)
    if whole == 0:
        return "new"
    return f"here {count(whole, 'year')}"


def _hours(value: float) -> str:
    return f"{value:g} h"


# -- the rules and the score, for one pair and for a whole matrix ------------------------------


_MENTOR, _MENTEE, _MEMBER = 0, 1, 2
_ROLE_CODE = {
    ParticipantRole.MENTOR: _MENTOR,
    ParticipantRole.MENTEE: _MENTEE,
    ParticipantRole.MEMBER: _MEMBER,
}


class Scorer:
    """The hard rules and the score of a pool; ``matrix`` computes the same as ``score``, at once.

    What ``matrix`` needs is kept per person in arrays built once per pool: topics as bit sets
    (the topics two people share are the bits of an AND), teams as integer codes, the working
    hours two people share from a small table over the offsets present, and the few pairs with
    history, a do-not-pair or a rejection as arrays of positions. A Python loop over 2,000 x 1,000
    pairs takes seconds, and a float matrix product for topics waits on BLAS threads on a busy
    machine.
    """

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.rules = pool.rules
        people = pool.people
        self.by_id = {c.id: c for c in people}
        self.keys = {
            c.id: ({topic_key(t) for t in c.offers}, {topic_key(t) for t in c.wants}) for c in people
        }
        self.met_with: dict[int, set[int]] = {}
        for pair in pool.met:
            if len(pair) == 2:
                a, b = tuple(pair)
                self.met_with.setdefault(a, set()).add(b)
                self.met_with.setdefault(b, set()).add(a)
        self.available = [c for c in people if c.unavailable is None]
        self._exhausted: NDArray[np.bool_] | None = None
        # -- per person, by position in pool.people
        self._pos = {c.id: i for i, c in enumerate(people)}
        teams: dict[str, int] = {}
        # Someone without a team is in a team of their own (a negative code).
        self._team = np.array(
            [teams.setdefault(c.team, len(teams)) if c.team else -1 - i for i, c in enumerate(people)],
            dtype=np.int64,
        )
        self._team_count = len(teams)
        zones = sorted({c.utc_offset for c in people})
        zone_at = {z: k for k, z in enumerate(zones)}
        self._zone = np.array([zone_at[c.utc_offset] for c in people], dtype=np.intp)
        # The points for shared working hours between each two offsets present.
        self._hours = np.array(
            [[PER_SHARED_HOUR * _overlap_hours(a, b)[1] for b in zones] for a in zones], dtype=np.float64
        ).reshape(len(zones), len(zones))
        self._waited = np.array([c.waited_days for c in people], dtype=np.int64)
        self._years = np.array([c.years for c in people], dtype=np.float64)
        self._role = np.array([_ROLE_CODE[c.role] for c in people], dtype=np.int8)
        self._free = np.array([c.unavailable is None for c in people], dtype=bool)
        self._ids = np.array([c.id for c in people], dtype=np.int64)
        self._offers, self._wants = self._topic_bits()
        # -- pairs of positions (the lower first): that met, with the days since; never to pair
        met = [
            (self._pos[a], self._pos[b], (pool.on - last).days)
            for pair, last in pool.met.items()
            if len(pair) == 2
            for a, b in [sorted(pair)]
            if a in self._pos and b in self._pos
        ]
        self._met = np.array(met, dtype=np.int64).reshape(len(met), 3)
        never = sorted(
            {
                (min(self._pos[a], self._pos[b]), max(self._pos[a], self._pos[b]))
                for a, b in self._never_paired()
                if a != b and a in self._pos and b in self._pos
            }
        )
        self._never = np.array(never, dtype=np.int64).reshape(len(never), 2)

    def _never_paired(self) -> Iterable[tuple[int, int]]:
        """Pairs of ids that may never be paired: rejected by the facilitator, or a do-not-pair."""
        for pair in self.pool.review.rejected:
            if len(pair) == 2:
                a, b = tuple(pair)
                yield a, b
        for c in self.pool.people:
            for other in c.avoid:
                yield c.id, other

    def _topic_bits(self) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        """Each person's offers and wants as rows of 64-bit words, one bit per topic."""
        vocab: dict[str, int] = {}
        for offers, wants in self.keys.values():
            for k in (*offers, *wants):
                vocab.setdefault(k, len(vocab))
        # Which bit a topic gets does not matter: only how many two people share.
        masks = [
            (sum([1 << vocab[k] for k in offers]), sum([1 << vocab[k] for k in wants]))
            for offers, wants in (self.keys[c.id] for c in self.pool.people)
        ]
        words = max(1, -(-len(vocab) // 64))
        shape = (len(masks), words)
        offer_bits = np.array(
            [[(o >> (64 * w)) & _MASK for w in range(words)] for o, _ in masks], dtype=np.uint64
        )
        want_bits = np.array(
            [[(x >> (64 * w)) & _MASK for w in range(words)] for _, x in masks], dtype=np.uint64
        )
        return offer_bits.reshape(shape), want_bits.reshape(shape)

    def _partner_role(self) -> NDArray[np.int8] | None:
        """For mentoring, the role each person's partners have; None for rounds (anyone else)."""
        if not self.rules.mentoring:
            return None
        return np.where(self._role == _MENTOR, _MENTEE, _MENTOR).astype(np.int8)

    def _may_pair(self, p: NDArray[np.int64], o: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether ``o`` could be ``p``'s partner at all (available, the other role, not the same
        person, not the same team unless allowed), cell by cell; history and do-not-pair aside."""
        ok: NDArray[np.bool_] = self._free[o] & (p != o)
        partner_role = self._partner_role()
        if partner_role is not None:
            ok &= self._role[o] == partner_role[p]
        if not self.rules.allow_same_team:
            ok &= self._team[p] != self._team[o]
        return ok

    def _exhausted_all(self) -> NDArray[np.bool_]:
        """``exhausted`` for everyone at once: their partners (as ``_partners`` and
        ``_blocked_without_history`` find them) counted, against how many of them they met."""
        if self._exhausted is not None:
            return self._exhausted
        n = len(self._ids)
        free, team, role = self._free, self._team, self._role
        partner_role = self._partner_role()
        # Everyone they could be paired with, counted by role and team rather than pair by pair.
        own_team = team >= 0
        if partner_role is None:
            partners = np.full(n, int(free.sum()), dtype=np.int64) - free
            if not self.rules.allow_same_team:
                per_team = np.bincount(team[free & own_team], minlength=max(self._team_count, 1))
                partners -= np.where(own_team, per_team[np.maximum(team, 0)] - free, 0)
        else:
            by_role = np.bincount(role[free], minlength=3)
            partners = by_role[partner_role].astype(np.int64)
            if not self.rules.allow_same_team:
                per_team = np.zeros((3, max(self._team_count, 1)), dtype=np.int64)
                np.add.at(per_team, (role[free & own_team], team[free & own_team]), 1)
                partners -= np.where(own_team, per_team[partner_role, np.maximum(team, 0)], 0)
        never_keys = self._never[:, 0] * n + self._never[:, 1]
        for p, o in ((self._never[:, 0], self._never[:, 1]), (self._never[:, 1], self._never[:, 0])):
            np.subtract.at(partners, p[self._may_pair(p, o)], 1)
        met = np.zeros(n, dtype=np.int64)
        a, b = self._met[:, 0], self._met[:, 1]
        allowed_pair = ~np.isin(a * n + b, never_keys)
        for p, o in ((a, b), (b, a)):
            np.add.at(met, p[self._may_pair(p, o) & allowed_pair], 1)
        has_met = np.array([c.id in self.met_with for c in self.pool.people], dtype=bool)
        self._exhausted = has_met & (met == partners)
        return self._exhausted

    def exhausted(self, person_id: int) -> bool:
        """Whether they have met everyone else they could be paired with (then repeats may start)."""
        return bool(self._exhausted_all()[self._pos[person_id]])

    def _blocked_without_history(self, a: Candidate, b: Candidate) -> str | None:
        if a.id == b.id:
            return "is the same person"
        if frozenset((a.id, b.id)) in self.pool.review.rejected:
            return "rejected by the facilitator"
        if b.id in a.avoid or a.id in b.avoid:
            return "asked not to be paired"
        if not self.rules.allow_same_team and a.team and a.team == b.team:
            return f"same team ({a.team})"
        return None

    def blocked(self, a_id: int, b_id: int) -> str | None:
        """Why ``a`` and ``b`` may not be paired now, or None. ``a`` is the mentor, if any."""
        a, b = self.by_id[a_id], self.by_id[b_id]
        why = self._blocked_without_history(a, b)
        if why is not None:
            return why
        last = self.pool.met.get(frozenset((a_id, b_id)))
        if last is not None:
            if self.rules.no_repeat_days is not None:
                if (self.pool.on - last).days < self.rules.no_repeat_days:
                    return f"met on {day_said(last, self.pool.on)}, inside the no-repeat window"
            elif not (self.exhausted(a_id) or self.exhausted(b_id)):
                return f"met on {day_said(last, self.pool.on)}; both still have people to meet"
        return None

    def _topics(self, a: Candidate, b: Candidate) -> list[str]:
        offers_a, wants_a = self.keys[a.id]
        offers_b, wants_b = self.keys[b.id]
        if self.rules.mentoring:
            common, shown = wants_b & offers_a, b.wants
        else:
            common, shown = (offers_a | wants_a) & (offers_b | wants_b), (*a.offers, *a.wants)
        # Each topic once, as the first of them typed it.
        found: dict[str, str] = {}
        for t in shown:
            if topic_key(t) in common:
                found.setdefault(topic_key(t), t)
        return list(found.values())

    def score(self, a_id: int, b_id: int) -> float:
        return self._score(self.by_id[a_id], self.by_id[b_id])[0]

    def reasons(self, a_id: int, b_id: int) -> list[str]:
        return self._score(self.by_id[a_id], self.by_id[b_id])[1]

    def _score(self, a: Candidate, b: Candidate) -> tuple[float, list[str]]:
        total = 0.0
        why: list[str] = []
        topics = list(dict.fromkeys(self._topics(a, b)))
        if topics:
            total += (TOPIC_MENTORING if self.rules.mentoring else TOPIC_SHARED) * len(topics)
            why.append(("topics: " if self.rules.mentoring else "both: ") + ", ".join(topics))
        # Only two known teams are "different": someone with no team is not known to work
        # elsewhere, so they earn no bonus (and no penalty) with anyone.
        if a.team and b.team:
            total += DIFFERENT_TEAMS if a.team != b.team else 0.0
            why.append(f"same team ({a.team})" if a.team == b.team else "different teams")
        apart, shared = _overlap_hours(a.utc_offset, b.utc_offset)
        total += PER_SHARED_HOUR * shared
        if apart == 0:
            why.append("same working hours")
        else:
            why.append(f"{_hours(apart)} apart" + ("" if shared else ", no shared working hours"))
        if self.rules.mentoring:
            waited = b.waited_days
            if self.rules.kind is ProgrammeKind.REVERSE_MENTORING:
                if a.years < b.years:
                    total += SENIORITY
                    why.append(
                        f"junior teaches senior (mentor {_tenure(a.years)}, mentee {_tenure(b.years)})"
                    )
            elif a.years > b.years:
                total += SENIORITY
                why.append(f"mentor {_tenure(a.years)}, mentee {_tenure(b.years)}")
        else:
            waited = (a.waited_days + b.waited_days) // 2
        total += WAITED * min(waited, WAITED_FULL_DAYS) / WAITED_FULL_DAYS
        if waited >= 30:
            why.append(f"waited {waited} days")
        last = self.pool.met.get(frozenset((a.id, b.id)))
        if last is None:
            total += NEVER_MET
            if not self.rules.mentoring:
                why.append("never met")
        else:
            days = max(0, (self.pool.on - last).days)
            total += NEVER_MET * min(days, REPEAT_FORGOTTEN_DAYS) / REPEAT_FORGOTTEN_DAYS
            why.append(f"met before, last on {day_said(last, self.pool.on)}")
        total += _jitter_one(self.pool.seed, a.id, b.id)
        return total, why

    def matrix(
        self, rows: Sequence[Candidate], cols: Sequence[Candidate]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Scores and allowed cells of every (row, col) pair: the same figures as ``score`` and
        ``blocked``, computed in arrays. For mentoring, rows are mentees and columns mentors."""
        pos = self._pos
        r = np.fromiter((pos[c.id] for c in rows), dtype=np.int64, count=len(rows))
        c = np.fromiter((pos[x.id] for x in cols), dtype=np.int64, count=len(cols))
        # A mentor with several places is several columns: scored once, then repeated.
        r_once, r_back = np.unique(r, return_inverse=True)
        c_once, c_back = np.unique(c, return_inverse=True)
        score, allowed = self._matrix(r_once, c_once)
        if np.array_equal(r_once, r) and np.array_equal(c_once, c):
            return score, allowed
        # Back to the order (and the repeats) asked for: np.unique sorted them.
        return score[np.ix_(r_back, c_back)], allowed[np.ix_(r_back, c_back)]

    def _matrix(
        self, r: NDArray[np.int64], c: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        n, m = len(r), len(c)
        mentoring = self.rules.mentoring
        # topics: mentee wants x mentor offers, or all of both for rounds
        if mentoring:
            left, right, weight = self._wants[r], self._offers[c], TOPIC_MENTORING
        else:
            left, right = self._offers[r] | self._wants[r], self._offers[c] | self._wants[c]
            weight = TOPIC_SHARED
        shared = np.zeros((n, m), dtype=np.uint16)
        for w in range(left.shape[1]):
            if left[:, w].any() and right[:, w].any():
                shared += np.bitwise_count(left[:, w, None] & right[None, :, w])
        score: NDArray[np.float64] = np.multiply(shared, weight, dtype=np.float64)
        # teams
        team_r, team_c = self._team[r][:, None], self._team[c][None, :]
        same = team_r == team_c
        # No team is a negative code: never "same", and no bonus either (as ``_score``).
        score += np.where(~same & (team_r >= 0) & (team_c >= 0), DIFFERENT_TEAMS, 0.0)
        # working hours: a row of the table per row, then its columns
        score += self._hours[self._zone[r]][:, self._zone[c]]
        # waiting and seniority
        if mentoring:
            waited = np.minimum(self._waited[r], WAITED_FULL_DAYS)[:, None]
            years_r = self._years[r][:, None]  # mentees
            years_c = self._years[c][None, :]  # mentors
            if self.rules.kind is ProgrammeKind.REVERSE_MENTORING:
                score += np.where(years_c < years_r, SENIORITY, 0.0)
            else:
                score += np.where(years_c > years_r, SENIORITY, 0.0)
        else:
            waited = np.minimum((self._waited[r][:, None] + self._waited[c][None, :]) // 2, WAITED_FULL_DAYS)
        score += WAITED * waited / WAITED_FULL_DAYS
        # history: never met earns the most
        score += NEVER_MET
        score += _jitter(self.pool.seed, self._ids[r][:, None], self._ids[c][None, :])
        allowed = r[:, None] != c[None, :]
        if not self.rules.allow_same_team:
            allowed &= ~same
        # The few cells with history, a do-not-pair or a rejection, found by position.
        row_at = np.full(len(self._ids), -1, dtype=np.int64)
        col_at = np.full(len(self._ids), -1, dtype=np.int64)
        row_at[r] = np.arange(n)
        col_at[c] = np.arange(m)
        a, b, days = self._met[:, 0], self._met[:, 1], self._met[:, 2]
        if len(days):
            blocks = self._history_blocks(a, b, days)
            lost = NEVER_MET * (
                1 - np.minimum(np.maximum(days, 0), REPEAT_FORGOTTEN_DAYS) / REPEAT_FORGOTTEN_DAYS
            )
            for p, o in ((a, b), (b, a)):
                i, j = row_at[p], col_at[o]
                hit = (i >= 0) & (j >= 0)
                allowed[i[hit], j[hit]] &= ~blocks[hit]
                score[i[hit], j[hit]] -= lost[hit]
        for p, o in ((self._never[:, 0], self._never[:, 1]), (self._never[:, 1], self._never[:, 0])):
            i, j = row_at[p], col_at[o]
            hit = (i >= 0) & (j >= 0)
            allowed[i[hit], j[hit]] = False
        return score, allowed

    def _history_blocks(
        self, a: NDArray[np.int64], b: NDArray[np.int64], days: NDArray[np.int64]
    ) -> NDArray[np.bool_]:
        """For pairs that met (positions, days since): whether that keeps them apart now."""
        if self.rules.no_repeat_days is not None:
            return days < self.rules.no_repeat_days
        done = self._exhausted_all()
        return ~(done[a] | done[b])

    # -- groups of two or three --------------------------------------------------------

    def group_blocked(self, members: Sequence[int]) -> str | None:
        for a, b in itertools.combinations(members, 2):
            why = self.blocked(a, b)
            if why is not None:
                return f"{self.by_id[a].name} and {self.by_id[b].name}: {why}"
        return None

    def group(self, members: Sequence[int], *, locked: bool = False) -> Group:
        members = tuple(members)
        if len(members) == 2:
            total, why = self._score(self.by_id[members[0]], self.by_id[members[1]])
            return Group(members, total, tuple(why), locked)
        return Group(members, self.group_score(members), tuple(self._group_reasons(members)), locked)

    def group_score(self, members: Sequence[int]) -> float:
        return sum(self.score(a, b) for a, b in itertools.combinations(members, 2))

    def _group_reasons(self, members: Sequence[int]) -> list[str]:
        people = [self.by_id[m] for m in members]
        why: list[str] = []
        topics = list(
            dict.fromkeys(t for a, b in itertools.combinations(people, 2) for t in self._topics(a, b))
        )
        if topics:
            why.append("shared: " + ", ".join(topics))
        teams = [p.team for p in people if p.team]
        if len(set(teams)) < len(teams):
            why.append("a team twice")
        elif len(teams) == len(people):  # "different" only when every team is known
            why.append("different teams")
        widest = max(
            _overlap_hours(a.utc_offset, b.utc_offset)[0] for a, b in itertools.combinations(people, 2)
        )
        why.append("same working hours" if widest == 0 else f"at most {_hours(widest)} apart")
        repeats = [
            f"{a.name} and {b.name} met {day_said(self.pool.met[frozenset((a.id, b.id))], self.pool.on)}"
            for a, b in itertools.combinations(people, 2)
            if frozenset((a.id, b.id)) in self.pool.met
        ]
        why.extend(repeats or ["none of them met before"])
        return why


# -- mentoring: mentees to mentors' free places ------------------------------------------------


def _assign(score: NDArray[np.float64], allowed: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The allowed cells of an optimal assignment: most cells first, then most score."""
    if score.size == 0:
        return []
    cost = np.where(allowed, -(score + _MORE_PAIRS), 0.0)
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if allowed[r, c]]


def _match_mentoring(pool: Pool, scorer: Scorer, locked: list[Group]) -> tuple[list[Group], list[Unmatched]]:
    taken = {m for g in locked for m in g.members}
    used: Counter[int] = Counter(g.members[0] for g in locked)
    mentors = [c for c in scorer.available if c.role is ParticipantRole.MENTOR]
    mentees = [c for c in scorer.available if c.role is ParticipantRole.MENTEE and c.id not in taken]
    slots = [c for c in mentors for _ in range(max(0, c.capacity - used[c.id]))]
    found: list[Group] = []
    unmatched: list[Unmatched] = []
    pairs = _assign_chunked(scorer, mentees, slots, pool.seed)
    paired_mentees = set()
    mentor_load: Counter[int] = Counter()
    for mentee, mentor in pairs:
        paired_mentees.add(mentee.id)
        mentor_load[mentor.id] += 1
        found.append(scorer.group((mentor.id, mentee.id)))
    left = [c for c in mentees if c.id not in paired_mentees]
    if left:
        _, allowed = scorer.matrix(left, mentors) if mentors else (None, np.zeros((len(left), 0), dtype=bool))
        for i, c in enumerate(left):
            fits = int(allowed[i].sum())
            if not mentors:
                reason = "no mentor is available"
            elif fits == 0:
                reason = "no mentor fits: " + _why_none(scorer, c, mentors)
            else:
                reason = f"the {fits} mentor{'s' if fits != 1 else ''} who fit have no free place left"
            unmatched.append(Unmatched(c.id, reason))
    for c in mentors:
        if used[c.id] + mentor_load[c.id] == 0 and c.capacity > 0:
            unmatched.append(Unmatched(c.id, "no mentee left who fits them"))
    return found, unmatched


def _why_none(scorer: Scorer, c: Candidate, others: Sequence[Candidate]) -> str:
    reasons: Counter[str] = Counter()
    for o in others:
        if o.id == c.id:  # themselves: "is the same person (1)" was said of everyone left out
            continue
        mentor, mentee = (o.id, c.id) if c.role is ParticipantRole.MENTEE else (c.id, o.id)
        why = scorer.blocked(mentor, mentee)
        if why is not None:
            reasons[why.split(" (")[0].split(";")[0].split(",")[0]] += 1
    return "; ".join(f"{why} ({count})" for why, count in reasons.most_common(3)) or "none available"


def _assign_chunked(
    scorer: Scorer, rows: Sequence[Candidate], cols: Sequence[Candidate], seed: int
) -> list[tuple[Candidate, Candidate]]:
    """Rows to columns; pools too large for one dense matrix are cut into chunks (each row sees
    the columns of its chunk), then what is left over is matched once more across chunks."""
    if not rows or not cols:
        return []
    if len(rows) * len(cols) <= DENSE_CELLS:
        # A mentor's places are copies of one column: scored once, then repeated.
        first: dict[int, int] = {}
        unique: list[Candidate] = []
        for c in cols:
            if c.id not in first:
                first[c.id] = len(unique)
                unique.append(c)
        index = np.array([first[c.id] for c in cols])
        score, allowed = scorer.matrix(rows, unique)
        return [(rows[i], cols[j]) for i, j in _assign(score[:, index], allowed[:, index])]
    chunks = int(np.ceil(np.sqrt(len(rows) * len(cols) / DENSE_CELLS)))
    order = np.random.default_rng(seed).permutation(len(rows))
    found: list[tuple[Candidate, Candidate]] = []
    free_cols: list[Candidate] = []
    left_rows: list[Candidate] = []
    for k in range(chunks):
        part_rows = [rows[i] for i in order[k::chunks]]
        part_cols = list(cols[k::chunks])
        score, allowed = scorer.matrix(part_rows, part_cols)
        done = _assign(score, allowed)
        found += [(part_rows[i], part_cols[j]) for i, j in done]
        got_r = {i for i, _ in done}
        got_c = {j for _, j in done}
        left_rows += [r for i, r in enumerate(part_rows) if i not in got_r]
        free_cols += [c for j, c in enumerate(part_cols) if j not in got_c]
    if left_rows and free_cols and len(left_rows) < len(rows):
        found += _assign_chunked(scorer, left_rows, free_cols, seed + 1)
    return found


# -- coffee and buddy rounds: everyone in pairs (one trio if odd), or trios --------------------


def _schedule_order(ids: Sequence[int], key: int) -> list[int]:
    """The round-robin order of a programme: fixed by the programme, not by the seed or round."""
    arr = np.array(ids, dtype=np.int64)
    rank = _jitter(key, arr, np.full_like(arr, -7))
    return [ids[i] for i in np.lexsort((arr, rank))]


def _circle_rounds(ids: Sequence[int]) -> list[list[tuple[int, int | None]]]:
    people: list[int | None] = list(ids)
    if len(people) % 2:
        people.append(None)
    n = len(people)
    rounds: list[list[tuple[int, int | None]]] = []
    for _ in range(n - 1):
        seats = [(people[i], people[n - 1 - i]) for i in range(n // 2)]
        # The empty seat (odd counts) always second: its partner sits out, then joins a pair.
        found: list[tuple[int, int | None]] = []
        for a, b in seats:
            if a is None:
                a, b = b, None
            assert a is not None
            found.append((a, b))
        rounds.append(found)
        people = [people[0], people[-1], *people[1:-1]]
    return rounds


def _from_schedule(scorer: Scorer, ids: Sequence[int], key: int) -> list[tuple[int, ...]] | None:
    rounds = _circle_rounds(_schedule_order(ids, key))
    at = {pid: k for k, pid in enumerate(ids)}
    people = [scorer.by_id[i] for i in ids]
    score, allowed = scorer.matrix(people, people)

    def ok(a: int, b: int, extra: frozenset[frozenset[int]] = frozenset()) -> bool:
        return frozenset((a, b)) not in extra and bool(allowed[at[a], at[b]])

    def valid(rnd: list[tuple[int, int | None]], extra: frozenset[frozenset[int]]) -> bool:
        return all(b is None or ok(a, b, extra) for a, b in rnd)

    lookahead = len(ids) <= LOOKAHEAD_LIMIT
    best: tuple[tuple[float, float], list[tuple[int, ...]]] | None = None
    for rnd in rounds:
        pairs = [(a, b) for a, b in rnd if b is not None]
        first = np.array([at[a] for a, _ in pairs], dtype=np.intp)
        second = np.array([at[b] for _, b in pairs], dtype=np.intp)
        if not allowed[first, second].all():
            continue
        total = float(score[first, second].sum())
        byes = [a for a, b in rnd if b is None]
        # Each option: its groups and the sum of its pairs' scores.
        options: list[tuple[list[tuple[int, ...]], float]] = []
        if not byes:
            options.append((list(pairs), total))
        else:
            x = at[byes[0]]
            joins = allowed[x, first] & allowed[x, second]
            extra = score[x, first] + score[x, second]
            for k in np.flatnonzero(joins):
                p = pairs[k]
                options.append(([q for q in pairs if q != p] + [(*p, byes[0])], total + float(extra[k])))
        for groups, value in options:
            ahead = 0
            if lookahead:
                used = frozenset(frozenset(e) for g in groups for e in itertools.combinations(g, 2))
                ahead = sum(1 for other in rounds if other is not rnd and valid(other, used))
            if best is None or (float(ahead), value) > best[0]:
                best = ((float(ahead), value), groups)
    return best[1] if best else None


def _cycle_cover(scorer: Scorer, people: Sequence[Candidate]) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs from an assignment of the pool to itself: each cycle of it is cut into pairs (the
    better of its two alternations); the odd one out of each odd cycle is returned as left."""
    n = len(people)
    if n < 2:
        return [], [c.id for c in people]
    score, allowed = scorer.matrix(people, people)
    sym = (score + score.T) / 2
    succ = dict(_assign(sym, allowed & allowed.T))
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    left: list[int] = []
    # Paths (cut where the assignment used a cell that is not allowed) from their first person,
    # then the cycles.
    has_pred = set(succ.values())
    for start in [i for i in range(n) if i not in has_pred] + list(range(n)):
        if start in seen:
            continue
        # Follow the assignment; a cell that is not allowed ends a path rather than a cycle.
        walk = [start]
        seen.add(start)
        nxt = succ.get(start)
        while nxt is not None and nxt not in seen:
            walk.append(nxt)
            seen.add(nxt)
            nxt = succ.get(nxt)
        closed = nxt == start and len(walk) > 2
        if closed and len(walk) % 2 == 0:
            one = [(walk[i], walk[i + 1]) for i in range(0, len(walk), 2)]
            two = [(walk[i], walk[(i + 1) % len(walk)]) for i in range(1, len(walk), 2)]
            pick = max((one, two), key=lambda ps: sum(sym[a, b] for a, b in ps))
        elif closed:
            # Odd cycle: leave out the one whose removal keeps the best pairs.
            options = []
            for skip in range(len(walk)):
                rest = walk[skip + 1 :] + walk[:skip]
                ps = [(rest[i], rest[i + 1]) for i in range(0, len(rest) - 1, 2)]
                options.append((sum(sym[a, b] for a, b in ps), ps, walk[skip]))
            _, pick, out = max(options, key=lambda o: o[0])
            left.append(out)
        else:
            pick = [(walk[i], walk[i + 1]) for i in range(0, len(walk) - 1, 2)]
            if len(walk) % 2:
                left.append(walk[-1])
        pairs += pick
    return [(people[a].id, people[b].id) for a, b in pairs], [people[i].id for i in left]


def _pairs_for(
    scorer: Scorer, people: Sequence[Candidate], seed: int
) -> tuple[list[tuple[int, ...]], list[int]]:
    """Everyone in pairs, as far as the rules allow: chunks for large pools, then the leftovers."""
    if len(people) <= COFFEE_CHUNK * 1.5:
        pairs, left = _cycle_cover(scorer, people)
    else:
        order = np.random.default_rng(seed).permutation(len(people))
        chunks = -(-len(people) // COFFEE_CHUNK)
        pairs, left = [], []
        for k in range(chunks):
            p, lft = _cycle_cover(scorer, [people[i] for i in order[k::chunks]])
            pairs += p
            left += lft
    groups: list[tuple[int, ...]] = list(pairs)
    # The leftovers: paired among themselves while that finds anyone.
    while len(left) >= 2:
        more, still = _cycle_cover(scorer, [scorer.by_id[i] for i in left])
        if not more:
            break
        groups += more
        left = still
    return groups, left


def _add_to_groups(scorer: Scorer, groups: list[tuple[int, ...]], left: list[int]) -> list[int]:
    """Each person still left joins the pair they fit best (a trio); returns who fits none."""
    nowhere = []
    for x in left:
        pairs = [k for k, g in enumerate(groups) if len(g) == 2]
        if not pairs:
            nowhere.append(x)
            continue
        score, allowed = _fit(scorer, [x], [groups[k] for k in pairs])
        if not allowed[0].any():
            nowhere.append(x)
            continue
        best = pairs[int(np.argmax(np.where(allowed[0], score[0], -np.inf)))]
        groups[best] = (*groups[best], x)
    return nowhere


def _fit(
    scorer: Scorer, people: Sequence[int], pairs: Sequence[tuple[int, ...]]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """How well each person would join each pair (the sum of their scores with both), and
    whether they may (with both)."""
    ids = [m for g in pairs for m in g[:2]]
    score, allowed = scorer.matrix([scorer.by_id[x] for x in people], [scorer.by_id[m] for m in ids])
    return score[:, 0::2] + score[:, 1::2], allowed[:, 0::2] & allowed[:, 1::2]


def _search(scorer: Scorer, ids: Sequence[int]) -> list[tuple[int, ...]] | None:
    """A partition of a small pool into pairs (one trio if odd) where every pair is allowed:
    the most constrained person first, best partners first, a bounded number of steps."""
    ok = {a: {b for b in ids if b != a and scorer.blocked(a, b) is None} for a in ids}
    steps = 0

    def go(rest: frozenset[int], trio_left: bool) -> list[tuple[int, ...]] | None:
        nonlocal steps
        if not rest:
            return []
        steps += 1
        if steps > SEARCH_STEPS:
            return None
        a = min(rest, key=lambda x: (len(ok[x] & rest), x))
        partners = sorted(ok[a] & rest, key=lambda b: (-scorer.score(a, b), b))
        for b in partners:
            found = go(rest - {a, b}, trio_left)
            if found is not None:
                return [(a, b), *found]
        if trio_left:
            for b, c in itertools.combinations(partners, 2):
                if c in ok[b]:
                    found = go(rest - {a, b, c}, False)
                    if found is not None:
                        return [(a, b, c), *found]
        return None

    return go(frozenset(ids), len(ids) % 2 == 1)


def _into_trios(scorer: Scorer, groups: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Trios from pairs: the weakest pairs are split and their people join the others (an
    assignment of people to pairs); a count not divisible by three keeps one or two pairs."""
    pairs = sorted((g for g in groups if len(g) == 2), key=lambda g: (scorer.group_score(g), g))
    trios = [g for g in groups if len(g) != 2]
    split = len(pairs) // 3
    if split == 0:
        return groups
    movers = [m for g in pairs[:split] for m in g]
    hosts = pairs[split:]
    score, allowed = _fit(scorer, movers, hosts)
    joined: dict[int, int] = {j: movers[i] for i, j in _assign(score, allowed)}
    out: list[tuple[int, ...]] = [(*g, joined[j]) if j in joined else g for j, g in enumerate(hosts)]
    stranded = [x for x in movers if x not in joined.values()]
    if stranded:
        more, left = _pairs_for(scorer, [scorer.by_id[x] for x in stranded], 0)
        out += more
        left = _add_to_groups(scorer, out, left)
        out += [(x,) for x in left]
    return trios + out


def _match_rounds(pool: Pool, scorer: Scorer, locked: list[Group]) -> tuple[list[Group], list[Unmatched]]:
    taken = {m for g in locked for m in g.members}
    people = [c for c in scorer.available if c.id not in taken]
    ids = [c.id for c in people]
    groups: list[tuple[int, ...]] | None = None
    left: list[int] = []
    if len(people) == 1:
        return [], [Unmatched(people[0].id, "nobody else is available this round")]
    if 2 <= len(people) <= ROUND_ROBIN_LIMIT and pool.rules.group_size == 2:
        groups = _from_schedule(scorer, ids, pool.schedule_key)
    if groups is None:
        groups, left = _pairs_for(scorer, people, pool.seed)
        if len(left) == 1 or not left:
            left = _add_to_groups(scorer, groups, left)
        if left and len(people) <= SEARCH_LIMIT:
            searched = _search(scorer, ids)
            if searched is not None:
                groups, left = searched, []
        if left:
            left = _add_to_groups(scorer, groups, left)
    if pool.rules.group_size == 3:
        groups = _into_trios(scorer, groups)
        left += [g[0] for g in groups if len(g) == 1]
        groups = [g for g in groups if len(g) > 1]
    found = [scorer.group(g) for g in groups]
    unmatched = [
        Unmatched(x, "no one left they may be paired with: " + _why_none(scorer, scorer.by_id[x], people))
        for x in left
    ]
    return found, unmatched


# -- the entry point -------------------------------------------------------------------------


def match(pool: Pool) -> Proposal:
    """The proposal for a pool: groups with their reasons, and everyone left out with theirs."""
    scorer = Scorer(pool)
    locked = [scorer.group(g, locked=True) for g in pool.review.locked]
    if scorer.rules.mentoring:
        found, unmatched = _match_mentoring(pool, scorer, locked)
    else:
        found, unmatched = _match_rounds(pool, scorer, locked)
    unmatched += [Unmatched(c.id, c.unavailable) for c in pool.people if c.unavailable is not None]
    groups = sorted([*locked, *found], key=lambda g: g.members)
    return Proposal(tuple(groups), tuple(sorted(unmatched, key=lambda u: u.person_id)))


def check_group(pool: Pool, members: Sequence[int], scorer: Scorer | None = None) -> str | None:
    """Why a group the facilitator put together by hand (a swap, a lock) breaks a hard rule, or None."""
    scorer = scorer or Scorer(pool)
    for m in members:
        c = scorer.by_id.get(m)
        if c is None:
            return f"person {m} is not in this programme now"
        if c.unavailable:
            return f"{c.name}: {c.unavailable}"
    if scorer.rules.mentoring and [scorer.by_id[m].role for m in members] != [
        ParticipantRole.MENTOR,
        ParticipantRole.MENTEE,
    ]:
        return "a mentoring pair is a mentor, then a mentee"
    return scorer.group_blocked(members)
