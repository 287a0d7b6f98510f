"""A digest of what sessions taught, as Markdown or as one self-contained HTML page.

Pure: circles.services.digests gathers a Digest from the store; this module leaves names out
(``without_names``) and renders. Every text from the store is escaped on the way out (HTML
with html.escape; Markdown with backslashes, so a Markdown renderer shows it as typed and
passes no HTML through). Only http(s) links become links; files are shown as text. The HTML
page has no script, loads nothing from outside, and says so to the browser (a
Content-Security-Policy that allows inline styles only).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import PurePath
from urllib.parse import quote

from models.enums import MaterialKind

SOMEONE = "[someone]"
AN_ADDRESS = "[e-mail]"
_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
_WORD = re.compile(r"\w+")
_WEB = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones a
# Markdown reader would take for markup (emphasis, links, HTML, tables, strikethrough), and
# only where it would: escaping more shows the backslash to anyone reading the file as plain
# text ("Q\&A" in every demo digest). An "&" is markup only as an entity's start ("&amp;"),
# a "#" only opening a line (a heading) or as a heading's closing marks after a space, and "!"
# only before "[", escaped anyway. At the start of a line, list and quote marks too.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~]|&(?=#?\w+;)|^#|(?<= )#(?=#*$)")
_LINE_START = re.compile(r"^(\d*)([-+=>.)])")


@dataclass(frozen=True, slots=True)
class DigestMaterial:
    kind: MaterialKind
    title: str
    url: str | None
    path: str | None


@dataclass(frozen=True, slots=True)
class DigestItem:
    title: str
    presenter: str | None
    minutes: int | None


@dataclass(frozen=True, slots=True)
class DigestSession:
    circle: str
    starts_at: datetime  # on the circle's clock
    title: str
    held: bool
    presenters: tuple[str, ...]
    agenda: tuple[DigestItem, ...]
    topics: tuple[str, ...]
    takeaways: tuple[str, ...]
    materials: tuple[DigestMaterial, ...]
    came: int
    said_yes: int


@dataclass(frozen=True, slots=True)
class Digest:
    title: str  # the circle's name, or "Topic: rust"
    about: str
    since: date
    until: date
    sessions: tuple[DigestSession, ...]
    by_topic: bool  # sessions from several circles: each names its circle


# -- leaving names out ---------------------------------------------------------------------------


class Redactor:
    """Replaces people's names and e-mail addresses in free text.

    ``full_names`` (everyone in the store) are found as whole words in any case; ``parts``
    (each word of the names of the people in the digest: presenters, members, attendees) as
    whole capitalised words, so "Ana said" loses "Ana" too. A word that happens to be a name
    ("Will it scale?") is left out as well: for sharing outside, too much beats too little.
    """

    def __init__(self, full_names: Iterable[str], parts: Iterable[str]) -> None:
        self.full = {_name_key(n) for n in full_names if _name_key(n)}
        self.longest = max((k.count(" ") + 1 for k in self.full), default=1)
        self.parts = {p for name in parts for p in _WORD.findall(name) if len(p) >= 2 and p[:1].isupper()}

    def __call__(self, text: str) -> str:
        text = _EMAIL.sub(AN_ADDRESS, text)
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                key = " ".join(w.group().casefold() for w in words[i : i + n])
                if key in self.full:
                    spans.append((words[i].start(), words[i + n - 1].end()))
                    i += n
                    break
            else:
                if words[i].group() in self.parts:
                    spans.append(words[i].span())
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + SOMEONE + text[end:]
        return text


def _name_key(name: str) -> str:
    return " ".join(w.casefold() for w in _WORD.findall(name))


def without_names(digest: Digest, redact: Redactor) -> Digest:
    """The digest with nobody's name or address: presenters gone, free text redacted, files
    shown by their name only (a path can hold a home folder's name)."""

    def material(m: DigestMaterial) -> DigestMaterial:
        path = redact(PurePath(m.path).name) if m.path else None
        return replace(m, title=redact(m.title), url=redact(m.url) if m.url else None, path=path)

    def session(s: DigestSession) -> DigestSession:
        return replace(
            s,
            circle=redact(s.circle),
            title=redact(s.title),
            presenters=(),
            agenda=tuple(DigestItem(redact(i.title), None, i.minutes) for i in s.agenda),
            topics=tuple(redact(t) for t in s.topics),
            takeaways=tuple(redact(t) for t in s.takeaways),
            materials=tuple(material(m) for m in s.materials),
        )

    return replace(
        digest,
        title=redact(digest.title),
        about=redact(digest.about),
        sessions=tuple(session(s) for s in digest.sessions),
    )


# -- rendering --------------------------------------------------------------------------------


def is_web_link(url: str | None) -> bool:
    return url is not None and bool(_WEB.match(url))


def _day(d: date | datetime) -> str:
    return f"{d:%a %d %b %Y}"


def _counts(s: DigestSession) -> str:
    if not s.held:
        return "not held yet"
    said = f" ({s.said_yes} said yes)" if s.said_yes else ""
    return f"{s.came} came{said}"


def _summary(d: Digest) -> str:
    came = sum(s.came for s in d.sessions)
    takeaways = sum(len(s.takeaways) for s in d.sessions)
    materials = sum(len(s.materials) for s in d.sessions)
    return " · ".join(
        [
            _count(len(d.sessions), "session"),
            _count(came, "attendance"),
            _count(takeaways, "takeaway"),
            _count(materials, "material"),
        ]
    )


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _md(text: str) -> str:
    """Text shown as typed by any Markdown renderer: one line, markup characters escaped."""
    escaped = _MARKDOWN.sub(lambda mark: "\\" + mark[0], " ".join(text.split()))
    return _LINE_START.sub(r"\1\\\2", escaped)


def _md_url(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def _heading(s: DigestSession, by_topic: bool) -> str:
    title = s.title or "Session"
    return f"{_day(s.starts_at)}: {title}" + (f" ({s.circle})" if by_topic else "")


# -- what both renderings show: built once, rendered as Markdown or as HTML ---------------------


@dataclass(frozen=True, slots=True)
class _Material:
    title: str
    link: str | None  # a web link the title leads to; else ``file`` is shown as text
    file: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Section:
    heading: str
    facts: str
    topics: tuple[str, ...]
    agenda: tuple[str, ...]
    takeaways: tuple[str, ...]
    materials: tuple[_Material, ...]


@dataclass(frozen=True, slots=True)
class _Page:
    title: str
    period: str
    about: str
    summary: str
    sections: tuple[_Section, ...]


def _page(d: Digest) -> _Page:
    return _Page(
        title=d.title,
        period=_day(d.until) if d.since == d.until else f"{_day(d.since)} to {_day(d.until)}",
        about=d.about,
        summary=_summary(d),
        sections=tuple(_section(s, d.by_topic) for s in d.sessions),
    )


def _section(s: DigestSession, by_topic: bool) -> _Section:
    facts = [f"{s.starts_at:%H:%M}", _counts(s)]
    if s.presenters:
        facts.insert(1, "presented by " + ", ".join(s.presenters))
    return _Section(
        heading=_heading(s, by_topic),
        facts=" · ".join(facts),
        topics=s.topics,
        agenda=tuple(
            item.title
            + (f" — {item.presenter}" if item.presenter else "")
            + (f" ({item.minutes} min)" if item.minutes else "")
            for item in s.agenda
        ),
        takeaways=s.takeaways,
        materials=tuple(
            _Material(m.title, m.url if is_web_link(m.url) else None, m.path or m.url or "", m.kind.value)
            for m in s.materials
        ),
    )


def to_markdown(d: Digest) -> str:
    page = _page(d)
    lines = [f"# {_md(page.title)}", "", f"_{page.period}_", ""]
    if page.about:
        lines += [_md(page.about), ""]
    lines += [_md(page.summary), ""]
    if not page.sections:
        lines += ["No sessions in this period.", ""]
    for s in page.sections:
        lines += [f"## {_md(s.heading)}", "", _md(s.facts), ""]
        if s.topics:
            lines += ["Topics: " + ", ".join(_md(t) for t in s.topics), ""]
        for name, entries in (("Agenda", s.agenda), ("Takeaways", s.takeaways)):
            if entries:
                lines += [f"**{name}**", "", *(f"- {_md(e)}" for e in entries), ""]
        if s.materials:
            lines += ["**Materials**", ""]
            for m in s.materials:
                if m.link:
                    lines.append(f"- [{_md(m.title)}](<{_md_url(m.link)}>) ({m.kind})")
                else:
                    lines.append(f"- {_md(m.title)}: {_md(m.file)} ({m.kind}, file)")
            lines.append("")
    return "\n".join(lines)


_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
body { color: #222; }
h1 { margin-bottom: 0; } .period { color: #666; margin-top: .2rem; } .summary { color: #444; }
section { border-top: 1px solid #ddd; margin-top: 1.5rem; padding-top: .5rem; }
h2 { font-size: 1.2rem; margin-bottom: .2rem; } .facts { color: #555; margin: 0; }
.topics span { background: #eef; border-radius: .6rem; padding: 0 .5rem; margin-right: .3rem; }
h3 { font-size: 1rem; margin: .8rem 0 .2rem; } ul { margin: .2rem 0; } .file { font-family: monospace; }
"""
# Defence in depth: even if something slipped through escaping, no script runs and nothing loads.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(d: Digest) -> str:
    page = _page(d)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(page.title)}: {_e(page.period)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(page.title)}</h1>",
        f'<p class="period">{_e(page.period)}</p>',
    ]
    if page.about:
        out.append(f"<p>{_e(page.about)}</p>")
    out.append(f'<p class="summary">{_e(page.summary)}</p>')
    if not page.sections:
        out.append("<p>No sessions in this period.</p>")
    for s in page.sections:
        out += ["<section>", f"<h2>{_e(s.heading)}</h2>", f'<p class="facts">{_e(s.facts)}</p>']
        if s.topics:
            out.append('<p class="topics">' + "".join(f"<span>{_e(t)}</span>" for t in s.topics) + "</p>")
        for name, entries in (("Agenda", s.agenda), ("Takeaways", s.takeaways)):
            if entries:
                out += [f"<h3>{name}</h3>", "<ul>", *(f"<li>{_e(e)}</li>" for e in entries), "</ul>"]
        if s.materials:
            out += ["<h3>Materials</h3>", "<ul>"]
            for m in s.materials:
                if m.link:
                    link = f'<a href="{_e(m.link)}" rel="noopener noreferrer">{_e(m.title)}</a>'
                    out.append(f"<li>{link} ({_e(m.kind)})</li>")
                else:
                    shown = f'<span class="file">{_e(m.file)}</span>'
                    out.append(f"<li>{_e(m.title)}: {shown} ({_e(m.kind)}, file)</li>")
            out.append("</ul>")
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
