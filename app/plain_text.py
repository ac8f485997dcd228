"""Text as members type it, cleaned of what no keyboard produces.

C0 control characters (except tab and newline) and DEL never belong in a post,
a title or a note; some are invisible, and \\x02/\\x03 are the markers the
search engine puts around highlighted words, so a post holding them once
produced unbalanced <mark> tags in search snippets (issue 9, item 9).
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """Line breaks made "\\n", tabs kept, every other C0 control and DEL removed."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
