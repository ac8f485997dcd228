"""Static gate run by `make lint`: `|safe` in a template only on HTML the app sanitised itself.

Jinja autoescapes everything; `|safe` (and `{% autoescape false %}`) turns that
off. Only these values may pass through it, each made by code that escapes or
sanitises:

- `post.body_html`, `preview_html`: app/markdown.py (markdown-it, then nh3's allow-list);
- `shown_body_html`: `post.body_html`, or it with whole quotes cut out at their own <blockquote>
  tags and a fixed placeholder put in, its text escaped (app/forum/quotes.py);
- `m.body_html`: moderators' and members' messages, rendered by app/markdown.py (app/review/messages.py);
- `page.html`: reviewed resource pages, rendered by the same app/markdown.py;
- `hit.snippet_html`: app/search/text.py escapes the text, then adds only <mark>.
- `posts_html`: a thread page's posts, rendered (autoescaped) from forum/_post.html by
  app/forum/fragments.py, which then fills in only its own markers (fixed strings and the
  escaped form token).
- `reply_form`: a thread page's reply form, rendered (autoescaped) from forum/_reply.html by
  app/forum/fragments.py, which then fills in only the escaped form token and a fresh nonce
  (`secrets.token_urlsafe`: letters, digits, '-' and '_').

Usage: python -m tests.security.lint_templates [templates-dir]; exit status 1 on a finding.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ALLOWED = frozenset({"post.body_html", "preview_html", "page.html", "hit.snippet_html", "m.body_html",
                     "posts_html", "shown_body_html", "reply_form"})
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_SAFE = re.compile(r"([\w.\[\]'\"]+)\s*\|\s*safe\b")
_UNESCAPED = re.compile(r"{%-?\s*autoescape\s+false|\|\s*safe\b")


def findings(root: Path = TEMPLATES) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not _UNESCAPED.search(line):
                continue
            used = _SAFE.findall(line)
            if "autoescape" in line or not used or any(name not in ALLOWED for name in used):
                found.append(f"{path.relative_to(root.parent)}:{number}: unescaped output: {line.strip()}")
    return found


def main(argv: list[str]) -> int:
    problems = findings(Path(argv[0]) if argv else TEMPLATES)
    for problem in problems:
        print(problem)
    if problems:
        print("Escape it, or render it with app/markdown.py (see tests/security/lint_templates.py).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
