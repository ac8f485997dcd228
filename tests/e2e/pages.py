"""Every page the browser checks (axe, width at 390 px, labels, touch targets), per role.

To check a new page, add its path to the role that sees it. Paths take `{lang}`
and the ids of the seeded world (world.py: `{thread}`, `{category}`, `{day}`, ...).
The role names the session the browser carries: "anonymous" carries none.
`make screenshots` photographs the same pages.
"""

from __future__ import annotations

PAGES: dict[str, list[str]] = {
    "anonymous": [
        "/{lang}/",
        "/{lang}/c/{category}",
        "/{lang}/t/{thread}",
        "/{lang}/search?q=palier",
        "/{lang}/search?q=zzzzqqq",
        "/{lang}/guidelines",
        "/{lang}/help",
        "/{lang}/account/login",
        "/{lang}/account/signup",
        "/{lang}/account/recover",
        "/{lang}/diary/shared/{share_token}",
        "/{lang}/no-such-page",
        "/{lang}/resources",
        "/{lang}/resources/withdrawal-symptoms",
        "/{lang}/resources/gradual-reduction",
        "/{lang}/house-rules",
        "/{lang}/moderation-log",
        "/{lang}/p/{post}/report",
        "/{lang}/reports/{notice}?token={notice_token}",
    ],
    "member": [
        "/{lang}/",
        "/{lang}/c/{category}",
        "/{lang}/c/{dutch_category}",
        "/{lang}/t/{thread}",
        "/{lang}/c/{category}/new",
        "/{lang}/p/{edited_post}/edit",
        "/{lang}/p/{edited_post}/revisions",
        "/{lang}/diary",
        "/{lang}/diary/entries",
        "/{lang}/diary/entries/new",
        "/{lang}/diary/entries/{day}/edit",
        "/{lang}/diary/plan",
        "/{lang}/diary/plan/new",
        "/{lang}/diary/plan/history",
        "/{lang}/diary/summary",
        "/{lang}/diary/settings",
        "/{lang}/account",
        "/{lang}/account/data",
        "/{lang}/welcome",
        "/{lang}/welcome/diary",
        "/{lang}/welcome/introduce",
        "/{lang}/account/statements",
        "/{lang}/account/statements/{statement}",
        "/{lang}/account/inbox",
        "/{lang}/account/inbox/{conversation}",
        "/{lang}/account/reports",
        "/{lang}/p/{courage_post}/report",
    ],
    "member_nl": [
        "/{lang}/diary/member/{anna}",
        "/{lang}/diary",
        "/{lang}/diary/plan",
    ],
    "moderator": [
        "/{lang}/review",
        "/{lang}/t/{thread}",
        "/{lang}/t/{held_thread}",
        "/{lang}/review/items/{crisis_item}",
        "/{lang}/review?kind=crisis",
        "/{lang}/review/items/{welcome_item}",
        "/{lang}/review/items/{welcome_item}/welcome",
        "/{lang}/review/posts/{post}",
        "/{lang}/review/members/{newcomer}",
        "/{lang}/review/messages",
        "/{lang}/review/messages/{conversation}",
        "/{lang}/review/dashboard",
        "/{lang}/review/guidelines",
        "/{lang}/review/guidelines/fr/fr.stigma.toxicos",
        "/{lang}/review/guidelines/{lang}/new",
        "/{lang}/review/canned",
        "/{lang}/review/canned/new",
        "/{lang}/review/canned/{canned}",
    ],
    "admin": [
        "/{lang}/admin/audit",
        "/{lang}/admin/roles",
    ],
}

LANGS = ("fr", "nl")
WIDTHS = (390, 1280)


def all_pages() -> list[tuple[str, str]]:
    return [(role, path) for role, paths in PAGES.items() for path in paths]
