"""Internal mentions in a note: "@paul, peux-tu appeler le client ?" names the colleague whose
username is "paul".

A mention is "@" followed by a username (letters, digits and . _ + -), not glued to a word
before it (so "compta@durand.fr" mentions nobody) and not ending on punctuation (so "@paul."
at the end of a sentence is "paul"). Usernames compare without regard to case, as people type
them: "@Paul" and "@paul" are one mention.
"""

from __future__ import annotations

import re

# The username characters Django allows, except "@" (an address, not a mention). The last
# character is a letter, digit or underscore: trailing dots and dashes are punctuation.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")
MAX_MENTIONS = 20  # a note naming more people is a broadcast, not a mention: refused


def mentioned_usernames(text: str) -> tuple[str, ...]:
    """The usernames mentioned in `text`, in order of first appearance, each once.

    "@Paul et @marie.l, voir avec @paul" -> ("Paul", "marie.l")."""
    found: dict[str, str] = {}
    for match in MENTION.finditer(text):
        found.setdefault(match.group(1).casefold(), match.group(1))
    return tuple(found.values())


def refused(usernames: tuple[str, ...], reachable: set[str]) -> tuple[str, ...]:
    """The mentioned usernames that may not be told, in their order.

    `reachable` holds the casefolded usernames of the colleagues who may read the customer:
    anyone else, whether unknown, in another company or outside the customer's portfolio, is
    refused alike, so that the answer reveals nothing about who exists elsewhere."""
    return tuple(name for name in usernames if name.casefold() not in reachable)
