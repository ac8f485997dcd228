"""Text as members type it, cleaned of what no keyboard produces.

C0 control characters (except tab and newline) and DEL never belong in a post,
a title or a note; some are invisible, and \\x02/\\x03 are the markers the
search engine puts around highlighted words, so a post holding them once
produced unbalanced <mark> tags in search snippets (issue 9, item 9).
"""

from __future__ import annotations

import re
import unicodedata

from app.errors import ValidationFailed
from app.i18n_markers import N_

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: A typed value is quoted in a message up to this length (the field keeps all of it): a 400-character
#: paste would bury the message, and a message is no place to echo whatever was typed.
QUOTED_MAX = 40


def quoted(text: str, limit: int = QUOTED_MAX) -> str:
    """Text as a message quotes it: spaces collapsed, cut with "…" past `limit` characters."""
    collapsed = " ".join(text[:limit * 4].split())  # a megabyte is not split to keep forty characters
    if len(collapsed) <= limit and len(text) <= limit * 4:
        return collapsed
    return collapsed[:limit - 1].rstrip() + "…"


def strip_controls(text: str) -> str:
    """Line breaks made "\\n", tabs kept, every other C0 control and DEL removed."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


#: Unicode's explicit directional formatting characters (UAX #9, 2.1-2.7): embeddings, overrides,
#: isolates and marks. U+202E (right-to-left override) makes "gpj.exe" read as "exe.jpg"; in a
#: title or a medication name they have no use for a French or Dutch writer and only spoof text.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: The ones among them that reorder a whole run of text (embeddings, overrides, isolates; not the marks).
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_OVERRIDES = re.compile("[" + "".join(sorted(BIDI_OVERRIDES)) + "]")
#: Characters that draw nothing but are not Unicode white space (Hangul and Braille blanks).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_bidi_controls(text: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in text)


def has_bidi_overrides(text: str) -> bool:
    return _BIDI_OVERRIDES.search(text) is not None


def refuse_bidi_overrides(text: str, *, field: str) -> str:
    """`text` unchanged, or ValidationFailed on `field` when it holds an embedding, override or isolate.

    The one check for every free text a member or moderator writes (post bodies, private messages, reports,
    appeals, decision reasons, diary notes and questions): "\u202egnp.exe" reads "exe.png" to whoever reads it.
    The marks (LRM, RLM, ALM) only place punctuation in right-to-left writing and stay allowed.
    """
    if has_bidi_overrides(text):
        raise ValidationFailed(N_("This text cannot contain text-direction control characters (such as "
                                  "right-to-left override). Please remove them."), field=field)
    return text


def refuse_too_long(text: str, *, max_chars: int, field: str) -> str:
    """`text` unchanged, or ValidationFailed on `field` when it is longer than `max_chars` (white space at its
    ends not counted, as a post's body is measured once cleaned): what posting says of a body over the limit.

    Also the limit of the composer's live checks (the wording check, the suggested pages), open to any
    client: a text far longer than any post is refused before the moderation engine spends seconds on it.
    """
    if len(text) > max_chars and len(text.strip()) > max_chars:
        raise ValidationFailed(N_("Your message is too long (%(max)s characters at most)."), field=field,
                               max=max_chars)
    return text


def strip_bidi_overrides(text: str) -> str:
    """`text` without embeddings, overrides and isolates (text saved before they were refused)."""
    return _BIDI_OVERRIDES.sub("", text)


def visible_length(text: str) -> int:
    """How many characters draw something: not white space, not format characters (zero-width
    space and joiners, word joiner, byte-order mark, bidi controls, soft hyphen), not blank letters."""
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf"
               and ch not in _BLANK_LETTERS)
