"""The datasheet (README.md) shipped in every export: scope, consent, counts, methods, limits.

Written in English, the working language of the research teams receiving it;
the consent texts the members saw are in their own languages and referenced
by version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.db import utcnow
from app.research import texts

if TYPE_CHECKING:
    from app.research.builder import Builder

FORMATS = {
    "jsonl": "`data/threads.jsonl` and `data/posts.jsonl`: one JSON object per line.",
    "csv": "`data/threads.csv` and `data/posts.csv` (UTF-8, comma-separated, header row; cells that a "
           "spreadsheet would run as a formula start with an apostrophe).",
    "csv_excel": "`data/threads.csv` and `data/posts.csv` for Excel with Belgian (continental) settings: UTF-8 "
                 "with a byte-order mark, semicolon-separated, decimal commas, header row; cells that a spreadsheet "
                 "would run as a formula start with an apostrophe. For R or pandas, the plain CSV format is simpler.",
    "convokit": "`corpus/`: a ConvoKit corpus (utterances.jsonl, speakers.json, conversations.json, corpus.json, "
                "index.json). Load it with `convokit.Corpus(filename=\"corpus\")`. Each thread is a "
                "conversation whose id is its first post's id; `reply_to` is the quoted member's latest "
                "earlier post, else the previous post.",
}


def _versions(counts: dict[int, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(f"version {v}: {n} member(s)" for v, n in sorted(counts.items()))


def render(builder: Builder, *, export_id: int | None) -> str:
    options = builder.options
    counts = builder.result.counts
    rules_only = builder.anonymiser.method == "rules"
    consent = texts.current("consent")
    lines = [
        "# Trèfle · Klaver research export",
        "",
        f"Export {export_id if export_id is not None else '(command line)'} for the project "
        f"“{builder.project_title}”, made in {utcnow():%B %Y}.",
        "",
        "## Scope",
        f"- Categories: {', '.join(options.categories) if options.categories else 'all'}",
        f"- Thread languages: {', '.join(options.langs) if options.langs else 'all (fr, nl, en)'}",
        f"- Posts written from {options.since or 'the start'} to {options.until or 'now'} (end excluded); "
        "published posts of published threads only (held, hidden and deleted posts are never exported).",
        f"- Diary data: {options.diary}.",
        f"- Format: {FORMATS[options.format]}",
        "",
        "## Consent",
        "Only members who said yes to research use of their posts (and, separately, of their diary) are "
        "exported, as their answers stood when this export started. Posts of other members keep their place "
        f"in threads as `{'[NO_CONSENT]'}` with no author and no text; quotes of them inside consented posts "
        "are replaced by `[QUOTE_REMOVED]`. Members can withdraw at any time: a withdrawal applies to every "
        "later export, so use the newest export and delete older ones when a newer one replaces them.",
        f"- Never quote: {counts.get('never_quote_posts', 0)} exported post(s) have `never_quote` set to true: "
        "their author marked them, under the post or on their consent page, as never to be quoted, even with "
        "permission. The mark is read when the export starts, like consent.",
        f"- Current consent text: version {consent.version} (published {consent.published}).",
        f"- Posts consent covered: {_versions(builder.result.consent_versions.get('posts', {}))}.",
        f"- Diary consent covered: {_versions(builder.result.consent_versions.get('diary', {}))}.",
        "",
        "## Counts",
        *[f"- {key.replace('_', ' ')}: {value}" for key, value in sorted(counts.items())],
        "",
        "## Anonymisation",
        "- Authors are per-export pseudonyms (`m-…`): a keyed hash whose key was made for this export and "
        "destroyed afterwards. The same member has the same pseudonym within this export; nothing links two "
        "exports. Thread and post ids are per-export too, and do not lead back to the forum.",
        "- In text, identifying data is replaced by typed placeholders: `[PERSON]`, `[EMAIL]`, `[PHONE]`, "
        "`[URL]`, `[IBAN]`, `[NATIONAL_ID]`, `[ADDRESS]`, `[MEMBER]` (any member's pseudonym), `[CARE_PLACE]` "
        "(hospitals, practices, pharmacies) and `[PLACE]` (towns given as personal details).",
        "- Methods: " + ("rules only (regular expressions; phone numbers with phonenumbers; IBANs and Belgian "
                         "national numbers checked with python-stdnum; the forum's list of pseudonyms). "
                         "**The NLP models were not available: names written without a cue (\"Dr\", \"my "
                         "daughter\", \"je m'appelle\") and towns are often missed.**" if rules_only else
                         "rules (regular expressions; phonenumbers; python-stdnum for IBANs and Belgian "
                         "national numbers; the forum's list of pseudonyms), spaCy `fr_core_news_sm` for "
                         "French names and places, and belgian-deduce for Dutch names, places, institutions "
                         "and contacts, with model findings filtered by label and frequency lists."),
        "- Medication names, brand names and doses are kept on purpose (“Loramet 2 mg”).",
        "- Dates: " + ("reduced to the month (`date` is `YYYY-MM`)." if options.dates == "month" else
                       "shifted by a random number of days (30 to 180, forward or back) per author, the same "
                       "for all of one author's dates; posts without consent carry no date. The order of posts "
                       "within a thread is given by `position`, since shifted dates of different authors "
                       "do not keep it."),
        "- Diary notes and questions for the doctor are never exported; diary data carries the same author "
        "pseudonyms as the posts of this export.",
        "",
        "## Known limits",
        "- No anonymisation is perfect. Measured on the project's labelled set of forum posts, recall is "
        "above 95 % for direct identifiers and above 85 % for names and addresses; rare names, nicknames, "
        "misspelt contacts and small towns mentioned without context can slip through, and common words can "
        "be replaced by mistake.",
        "- Dates written inside the text (\"since 12 March\") are kept.",
        "- **Quotes re-identify.** Even reworded, a sentence from a forum is often found again with a search "
        "engine, and with it the member's pseudonym and every other post. The data-use terms forbid "
        "publishing verbatim quotes without the member's separate permission for that post (ask through the "
        "forum's administrators), and any quote of a post marked `never_quote`.",
        "- The stories themselves (a rare combination of events, ages, jobs) can identify someone to people "
        "who know them. Report any such finding to the administrators and do not use it.",
        "",
        "## Files",
        "`manifest.json` lists every file with its SHA-256 and size, the options and the counts.",
        "",
    ]
    return "\n".join(lines)
