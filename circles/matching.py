"""Matching people into pairs: mentors with mentees, and rounds of coffee or buddy pairs.

Pure: plain dataclasses in, a proposal with reasons out; no database and no screen here (the
services build a :class:`Pool` from the store and write what the facilitator confirms).

Hard rules (a pair that breaks one is never proposed): not yourself; not someone either asked
not to be paired with; not the same team unless the programme allows it; no repeat inside the
window; a proposal the facilitator rejected stays rejected; mentor capacity. Pauses, away
periods and "already has an active mentor" come in as ``Candidate.unavailable``.

The score rewards what a mentee wants and a mentor offers (shared interests for coffee and
buddies), different teams, overlapping working hours (09:00-17:00 on each person's clock),
people who have waited longest, the right way round of seniority, and pairs that never met.
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

import functools
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

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


@functools.lru_cache(maxsize=65536)
def topic_key(text: str) -> str:
    """How topics are compared: any case, accents ignored, inner blanks collapsed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(bare.split())


def split_topics(text: str) -> tuple[str, ...]:
    """'Rust, kubernetes ,, Go' -> ('Rust', 'kubernetes', 'Go'): each once, as first typed."""
    seen: set[str] = set()
    found = []
    for part in text.split(","):
        shown = " ".join(part.split())
        key = topic_key(shown)
        if key and key not in seen:
            seen.add(key)
            found.append(shown)
    return tuple(found)


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
    lo = np.minimum(a, b).astype(np.uint64)
    hi = np.maximum(a, b).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = np.uint64(seed & 0xFFFFFFFFFFFFFFFF) * _M1 ^ lo * _M2 ^ (hi + np.uint64(1)) * _M3
        x ^= x >> np.uint64(30)
        x *= _M2
        x ^= x >> np.uint64(27)
        x *= _M3
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53) * JITTER


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


def _hours(value: float) -> str:
    return f"{value:g} h"


# -- the rules and the score, for one pair and for a whole matrix ------------------------------


class Scorer:
    """The hard rules and the score of a pool; ``matrix`` computes the same as ``score``, at once."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.rules = pool.rules
        self.by_id = {c.id: c for c in pool.people}
        self.keys = {
            c.id: ({topic_key(t) for t in c.offers}, {topic_key(t) for t in c.wants}) for c in pool.people
        }
        self.met_with: dict[int, set[int]] = {}
        for pair in pool.met:
            if len(pair) == 2:
                a, b = tuple(pair)
                self.met_with.setdefault(a, set()).add(b)
                self.met_with.setdefault(b, set()).add(a)
        self.available = [c for c in pool.people if c.unavailable is None]
        self._exhausted: dict[int, bool] = {}
        self._teams = Counter(c.team for c in self.available if c.team)

    # which people a person could be paired with at all
    def _partners(self, c: Candidate) -> Iterable[Candidate]:
        if not self.rules.mentoring:
            return (o for o in self.available if o.id != c.id)
        other = ParticipantRole.MENTEE if c.role is ParticipantRole.MENTOR else ParticipantRole.MENTOR
        return (o for o in self.available if o.role is other)

    def exhausted(self, person_id: int) -> bool:
        """Whether they have met everyone else they could be paired with (then repeats may start)."""
        if person_id not in self._exhausted:
            c = self.by_id[person_id]
            met = self.met_with.get(person_id, set())
            done = False
            if met:
                partners = [o for o in self._partners(c) if self._blocked_without_history(c, o) is None]
                done = all(o.id in met for o in partners)
            self._exhausted[person_id] = done
        return self._exhausted[person_id]

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
                    return f"met on {last:%d %b %Y}, inside the no-repeat window"
            elif not (self.exhausted(a_id) or self.exhausted(b_id)):
                return f"met on {last:%d %b %Y}; both still have people to meet"
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
        if not (a.team and a.team == b.team):
            total += DIFFERENT_TEAMS
            why.append("different teams")
        else:
            why.append(f"same team ({a.team})")
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
                    why.append(f"junior teaches senior ({a.years:.0f} y here vs {b.years:.0f} y)")
            elif a.years > b.years:
                total += SENIORITY
                why.append(f"mentor {a.years:.0f} y here, mentee {b.years:.0f} y")
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
            why.append(f"met before, last on {last:%d %b %Y}")
        total += _jitter_one(self.pool.seed, a.id, b.id)
        return total, why

    def matrix(
        self, rows: Sequence[Candidate], cols: Sequence[Candidate]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Scores and allowed cells of every (row, col) pair: the same figures as ``score``,
        computed in arrays (a Python loop over 2,000 x 1,000 pairs takes seconds). For mentoring,
        rows are mentees and columns mentors."""
        n, m = len(rows), len(cols)
        mentoring = self.rules.mentoring
        # topics
        vocab: dict[str, int] = {}
        for c in (*rows, *cols):
            for key in self.keys[c.id][0] | self.keys[c.id][1]:
                vocab.setdefault(key, len(vocab))
        if vocab:

            def incidence(people: Sequence[Candidate], which: tuple[int, ...]) -> NDArray[np.float32]:
                out = np.zeros((len(people), len(vocab)), dtype=np.float32)
                for i, c in enumerate(people):
                    for w in which:
                        for key in self.keys[c.id][w]:
                            out[i, vocab[key]] = 1.0
                return out

            if mentoring:
                shared = incidence(rows, (1,)) @ incidence(cols, (0,)).T  # mentee wants x mentor offers
                topic_weight = TOPIC_MENTORING
            else:
                shared = incidence(rows, (0, 1)) @ incidence(cols, (0, 1)).T
                topic_weight = TOPIC_SHARED
            score = topic_weight * shared.astype(np.float64)
        else:
            score = np.zeros((n, m))
        # teams
        codes: dict[str, int] = {}
        team_r = np.array(
            [codes.setdefault(c.team, len(codes)) if c.team else -1 - i for i, c in enumerate(rows)]
        )
        team_c = np.array(
            [codes.setdefault(c.team, len(codes)) if c.team else -1 - n - j for j, c in enumerate(cols)]
        )
        same = team_r[:, None] == team_c[None, :]
        score += np.where(same, 0.0, DIFFERENT_TEAMS)
        # working hours
        off_r = np.array([c.utc_offset for c in rows], dtype=np.float64)
        off_c = np.array([c.utc_offset for c in cols], dtype=np.float64)
        apart = np.abs(off_r[:, None] - off_c[None, :]) % 24
        apart = np.minimum(apart, 24 - apart)
        score += PER_SHARED_HOUR * np.maximum(0.0, WORK_HOURS - apart)
        # waiting and seniority
        wait_r = np.array([c.waited_days for c in rows])
        wait_c = np.array([c.waited_days for c in cols])
        if mentoring:
            waited = np.broadcast_to(wait_r[:, None], (n, m))
            years_r = np.array([c.years for c in rows])[:, None]  # mentees
            years_c = np.array([c.years for c in cols])[None, :]  # mentors
            if self.rules.kind is ProgrammeKind.REVERSE_MENTORING:
                score += np.where(years_c < years_r, SENIORITY, 0.0)
            else:
                score += np.where(years_c > years_r, SENIORITY, 0.0)
        else:
            waited = (wait_r[:, None] + wait_c[None, :]) // 2
        score += WAITED * np.minimum(waited, WAITED_FULL_DAYS) / WAITED_FULL_DAYS
        # history: never met earns the most
        score += NEVER_MET
        ids_r = np.array([c.id for c in rows], dtype=np.int64)
        ids_c = np.array([c.id for c in cols], dtype=np.int64)
        score += _jitter(self.pool.seed, ids_r[:, None], ids_c[None, :])
        allowed = np.ones((n, m), dtype=bool)
        if not self.rules.allow_same_team:
            allowed &= ~same
        # A mentor with several places is several columns: each gets the same treatment.
        row_at: dict[int, list[int]] = {}
        col_at: dict[int, list[int]] = {}
        for i, c in enumerate(rows):
            row_at.setdefault(c.id, []).append(i)
        for j, c in enumerate(cols):
            col_at.setdefault(c.id, []).append(j)
        allowed &= ids_r[:, None] != ids_c[None, :]
        # Few cells have history, an avoid or a rejection: those are looked at one by one.
        special: set[tuple[int, int]] = set()
        for pair in (*self.pool.met, *self.pool.review.rejected):
            if len(pair) == 2:
                a, b = tuple(pair)
                special.update(((a, b), (b, a)))
        for c in (*rows, *cols):
            for other in c.avoid:
                special.update(((c.id, other), (other, c.id)))
        for r_id, c_id in special:
            if r_id == c_id or r_id not in row_at or c_id not in col_at:
                continue
            mentor, mentee = (c_id, r_id) if mentoring else (r_id, c_id)
            ok = self.blocked(mentor, mentee) is None
            last = self.pool.met.get(frozenset((r_id, c_id)))
            lost = 0.0
            if last is not None:
                days = max(0, (self.pool.on - last).days)
                lost = NEVER_MET * (1 - min(days, REPEAT_FORGOTTEN_DAYS) / REPEAT_FORGOTTEN_DAYS)
            for i in row_at[r_id]:
                for j in col_at[c_id]:
                    allowed[i, j] = ok
                    score[i, j] -= lost
        return score, allowed

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
        why.append("different teams" if len(set(teams)) == len(teams) else "a team twice")
        widest = max(
            _overlap_hours(a.utc_offset, b.utc_offset)[0] for a, b in itertools.combinations(people, 2)
        )
        why.append("same working hours" if widest == 0 else f"at most {_hours(widest)} apart")
        repeats = [
            f"{a.name} and {b.name} met {self.pool.met[frozenset((a.id, b.id))]:%d %b}"
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
    ok_cache: dict[frozenset[int], bool] = {}

    def ok(a: int, b: int, extra: frozenset[frozenset[int]] = frozenset()) -> bool:
        pair = frozenset((a, b))
        if pair in extra:
            return False
        if pair not in ok_cache:
            ok_cache[pair] = scorer.blocked(a, b) is None
        return ok_cache[pair]

    def valid(rnd: list[tuple[int, int | None]], extra: frozenset[frozenset[int]] = frozenset()) -> bool:
        return all(b is None or ok(a, b, extra) for a, b in rnd)

    lookahead = len(ids) <= LOOKAHEAD_LIMIT
    best: tuple[tuple[float, float], list[tuple[int, ...]]] | None = None
    for rnd in rounds:
        if not valid(rnd):
            continue
        pairs = [(a, b) for a, b in rnd if b is not None]
        byes = [a for a, b in rnd if b is None]
        options: list[list[tuple[int, ...]]] = []
        if not byes:
            options.append(list(pairs))
        else:
            x = byes[0]
            for p in pairs:
                if ok(x, p[0]) and ok(x, p[1]):
                    options.append([q for q in pairs if q != p] + [(*p, x)])
        for groups in options:
            used = frozenset(frozenset(e) for g in groups for e in itertools.combinations(g, 2))
            ahead = sum(1 for other in rounds if other is not rnd and valid(other, used)) if lookahead else 0
            value = (float(ahead), sum(scorer.group_score(g) for g in groups))
            if best is None or value > best[0]:
                best = (value, groups)
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
        best: tuple[float, int] | None = None
        for i, g in enumerate(groups):
            if len(g) == 2 and all(scorer.blocked(x, m) is None for m in g):
                value = sum(scorer.score(x, m) for m in g)
                if best is None or value > best[0]:
                    best = (value, i)
        if best is None:
            nowhere.append(x)
        else:
            groups[best[1]] = (*groups[best[1]], x)
    return nowhere


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
    score = np.zeros((len(movers), len(hosts)))
    allowed = np.zeros((len(movers), len(hosts)), dtype=bool)
    for i, x in enumerate(movers):
        for j, g in enumerate(hosts):
            allowed[i, j] = all(scorer.blocked(x, m) is None for m in g)
            score[i, j] = sum(scorer.score(x, m) for m in g)
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


def check_group(pool: Pool, members: Sequence[int]) -> str | None:
    """Why a group the facilitator put together by hand (a swap) breaks a hard rule, or None."""
    scorer = Scorer(pool)
    for m in members:
        c = scorer.by_id.get(m)
        if c is None:
            return f"person {m} is not in this programme"
        if c.unavailable:
            return f"{c.name}: {c.unavailable}"
    return scorer.group_blocked(members)
