"""Sanitising user text before it enters a calendar: no control characters, no forged lines."""

from __future__ import annotations

import re

# Line and paragraph separators: some parsers break lines on them, so they count as newlines.
# CRLF comes first, or it would become two newlines.
_NEWLINES = ("\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")


# The characters of the Unicode categories Cc (controls: NUL, which makes libical reject a whole
# file, and DEL among them) and Cs (lone surrogates, which cannot be written as UTF-8 at all).
# Both sets are fixed by Unicode's stability policy; as a pattern, text without any is passed
# through at C speed (a circle's invites went through this once per character and person:
# most of the time the circle screen's delivery line took).
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _drop_controls(value: str, keep: str) -> str:
    return CONTROLS.sub(lambda found: found.group() if found.group() in keep else "", value)


def _normalise_newlines(value: str) -> str:
    for sep in _NEWLINES:
        value = value.replace(sep, "\n")
    return value


def clean_text(value: str | None) -> str:
    """Multi-line text (DESCRIPTION): newlines and tabs kept, every other control character gone."""
    if not value:
        return ""
    value = _drop_controls(_normalise_newlines(value), keep="\n\t")
    return "\n".join(line.rstrip() for line in value.split("\n")).strip("\n")


def clean_line(value: str | None) -> str:
    """One-line text (SUMMARY, LOCATION, URL): line breaks become spaces, control characters go."""
    if not value:
        return ""
    value = _normalise_newlines(value).replace("\n", " ").replace("\t", " ")
    return " ".join(_drop_controls(value, keep="").split())


def clean_param(value: str | None) -> str:
    """A parameter value (CN): one line, and no double quote, which no escaping survives everywhere."""
    return clean_line(value).replace('"', "'")
