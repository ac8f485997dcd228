"""The records of one export: consented threads and posts (and diary rows), anonymised, as dicts.

Threads and posts are read a batch at a time and anonymised; builder.py writes
them to files. Identifiers are keyed hashes with a key made for this export and
never stored: the same member has the same pseudonym within an export, and
nothing links two exports. Real post and thread ids never leave the forum (they
would lead back to the live thread).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.diary import export as diary_export
from app.forum import queries as forum_queries
from app.forum.queries import PostForExport, ThreadForExport
from app.research import service
from app.research.anonymise.core import Anonymiser, MemberNames
from app.research.models import ConsentScope
from app.research.schemas import ExportOptions

NO_CONSENT = "[NO_CONSENT]"
QUOTE_REMOVED = "[QUOTE_REMOVED]"
NO_CONSENT_SPEAKER = "no-consent"
Progress = Callable[[int, int], None]
QUOTE_HEADER = re.compile(r"^>\s*\*\*(?P<name>[^*]+)\*\*\s*:?\s*$")


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=Counter)  # type: ignore[assignment]
    consent_versions: dict[str, dict[int, int]] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    anonymiser: str = ""
    sha256: str = ""
    size: int = 0


class Keys:
    """Per-export identifiers and date offsets from a key that exists only in this object."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def _digest(self, kind: str, value: object) -> bytes:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).digest()

    def ident(self, kind: str, value: object) -> str:
        return f"{kind[0]}-{self._digest(kind, value).hex()[:16]}"

    def offset_days(self, author_id: int) -> int:
        """A shift of 30 to 180 days, forward or back, the same for all of one author's dates."""
        raw = int.from_bytes(self._digest("shift", author_id)[:4], "big")
        days = 30 + raw % 151
        return days if raw & 1 << 31 else -days


def _month(moment: dt.datetime) -> tuple[str, int]:
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.strftime("%Y-%m"), int(first.timestamp())


def _quote_blocks(body: str) -> list[tuple[int, int, str | None, str]]:
    """Markdown blockquotes: (first line, end line, quoted pseudonym from a "> **name**:" header, text)."""
    lines = body.split("\n")
    blocks = []
    index = 0
    while index < len(lines):
        if lines[index].lstrip().startswith(">"):
            start = index
            while index < len(lines) and lines[index].lstrip().startswith(">"):
                index += 1
            header = QUOTE_HEADER.match(lines[start].strip())
            text_lines = lines[start + (1 if header else 0):index]
            text = " ".join(line.lstrip()[1:].strip() for line in text_lines)
            blocks.append((start, index, header.group("name").strip() if header else None, text))
        else:
            index += 1
    return blocks


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class ExportRecords:
    """Reads what the export covers and turns it into anonymised records; Builder writes them."""

    def __init__(self, session: Session, options: ExportOptions, anonymiser_factory: Callable[[MemberNames],
                 Anonymiser], *, project_title: str = "", batch: int = 100) -> None:
        self.session = session
        self.options = options
        self.keys = Keys()
        self.batch = batch
        self.project_title = project_title
        self.result = Result()
        self.posts_consent = service.consenting_members(session, scope=ConsentScope.posts)
        self.diary_consent = (service.consenting_members(session, scope=ConsentScope.diary)
                              if options.diary != "none" else {})
        members = MemberNames()
        self.member_ids: dict[str, int] = {}
        for user_id, pseudonym in accounts.iter_pseudonyms(session):
            members.add(pseudonym)
            self.member_ids[pseudonym.casefold()] = user_id
        self.anonymiser = anonymiser_factory(members)
        self.result.anonymiser = self.anonymiser.method
        self.speakers: Counter[str] = Counter()

    # ------------------------------------------------------------ dates
    def _when(self, moment: dt.datetime, author_id: int | None, consented: bool) -> tuple[str | None, int | None]:
        if self.options.dates == "month":
            return _month(moment)
        if not consented or author_id is None:
            return None, None  # a placeholder's true date would help undo the others' shifts
        shifted = (moment + dt.timedelta(days=self.keys.offset_days(author_id))).date()
        return shifted.isoformat(), int(dt.datetime(shifted.year, shifted.month, shifted.day, tzinfo=dt.UTC)
                                        .timestamp())

    def _since_until(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        def at(day: dt.date | None) -> dt.datetime | None:
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None
        return at(self.options.since), at(self.options.until)

    # ------------------------------------------------------------ text
    def _strip_quotes(self, body: str, others: list[str]) -> tuple[str, int]:
        """Remove quotes of members without consent (by their header, or found in their posts)."""
        blocks = _quote_blocks(body)
        if not blocks:
            return body, 0
        lines = body.split("\n")
        removed = 0
        for start, end, name, text in reversed(blocks):
            quoted_id = self.member_ids.get(name.casefold()) if name else None
            without_consent = name is not None and quoted_id not in self.posts_consent
            copied = bool(text) and any(_normalised(text) in other for other in others)
            if without_consent or copied:
                lines[start:end] = [f"> {QUOTE_REMOVED}"]
                removed += 1
        return "\n".join(lines), removed

    def _reply_to(self, body: str, earlier: list[tuple[str, int | None]]) -> str | None:
        """The post this one answers: the quoted member's latest earlier post, else the previous post."""
        if not earlier:
            return None
        for _start, _end, name, _text in _quote_blocks(body):
            quoted_id = self.member_ids.get(name.casefold()) if name else None
            for utterance_id, author_id in reversed(earlier):
                if quoted_id is not None and author_id == quoted_id:
                    return utterance_id
        return earlier[-1][0]

    # ------------------------------------------------------------ threads
    def _threads(self, progress: Progress | None) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        since, until = self._since_until()
        scope = {"category_slugs": self.options.categories or None, "langs": self.options.langs or None,
                 "since": since, "until": until}
        total = forum_queries.count_published_posts(self.session, **scope)  # type: ignore[arg-type]
        done = 0
        if progress:
            progress(0, total)
        for batch in forum_queries.iter_published_threads(self.session, batch=self.batch, **scope):  # type: ignore[arg-type]
            never = service.never_quote_ids(self.session, post_ids=[p.id for _t, posts in batch for p in posts])
            yield from self._batch(batch, never)
            done += sum(len(posts) for _t, posts in batch)
            if progress:
                progress(done, total)

    def _batch(self, batch: list[tuple[ThreadForExport, list[PostForExport]]],
               never: set[int]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        texts: list[tuple[str, str]] = []
        prepared = []
        for thread, posts in batch:
            others = [_normalised(p.body) for p in posts if p.author_id not in self.posts_consent]
            title_ok = thread.author_id in self.posts_consent
            if title_ok:
                texts.append((thread.title, thread.lang))
            bodies: list[str | None] = []
            for post in posts:
                if post.author_id in self.posts_consent:
                    body, removed = self._strip_quotes(post.body, others)
                    self.result.counts["quotes_removed"] += removed
                    texts.append((body, thread.lang))
                    bodies.append(body)
                else:
                    bodies.append(None)
            prepared.append((thread, posts, title_ok, bodies))
        anonymised = iter(self.anonymiser.anonymise_many(texts))
        for thread, posts, title_ok, bodies in prepared:
            title = next(anonymised) if title_ok else NO_CONSENT
            yield self._records(thread, posts, title, bodies, anonymised, never)

    def _records(self, thread: ThreadForExport, posts: list[PostForExport], title: str, bodies: list[str | None],
                 anonymised: Iterator[str], never: set[int]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        thread_id = self.keys.ident("thread", thread.id)
        earlier: list[tuple[str, int | None]] = []
        records = []
        for position, (post, body) in enumerate(zip(posts, bodies, strict=True)):
            consented = body is not None
            utterance_id = self.keys.ident("post", post.id)
            date, timestamp = self._when(post.created_at, post.author_id, consented)
            author = self.keys.ident("member", post.author_id) if consented else None
            records.append({
                "id": utterance_id, "thread_id": thread_id,
                "reply_to": self._reply_to(post.body, earlier), "position": position, "author": author,
                "consented": consented, "never_quote": post.id in never, "date": date, "timestamp": timestamp,
                "lang": thread.lang, "category": thread.category, "edited": post.edited,
                "text": next(anonymised) if consented else NO_CONSENT,
            })
            earlier.append((utterance_id, post.author_id))
            self.result.counts["posts"] += 1
            self.result.counts["consented_posts" if consented else "placeholder_posts"] += 1
            self.result.counts["never_quote_posts"] += post.id in never
            self.speakers[author or NO_CONSENT_SPEAKER] += 1
        date, _ = self._when(posts[0].created_at, thread.author_id, title != NO_CONSENT)
        self.result.counts["threads"] += 1
        thread_record = {"id": thread_id, "title": title, "category": thread.category, "lang": thread.lang,
                         "date": date, "posts": len(records),
                         "consented_posts": sum(1 for r in records if r["consented"]),
                         "root": records[0]["id"]}
        return thread_record, records

    # ------------------------------------------------------------ diary
    def _diary_rows(self) -> Iterator[diary_export.EntryForResearch]:
        return diary_export.iter_entries_for_research(self.session, user_ids=self.diary_consent,
                                                      since=self.options.since, until=self.options.until)

    def _diary_entries(self) -> Iterator[dict[str, Any]]:
        for entry in self._diary_rows():
            moment = dt.datetime(entry.day.year, entry.day.month, entry.day.day, tzinfo=dt.UTC)
            date, _ = self._when(moment, entry.user_id, True)
            self.result.counts["diary_entries"] += 1
            yield {"author": self.keys.ident("member", entry.user_id), "date": date,
                   "diazepam_mg": entry.diazepam_mg,
                   "medications": [{"molecule": m, "dose_mg": d} for m, d in entry.medications],
                   "symptom_score": entry.symptom_score, "symptoms": entry.symptoms,
                   "sleep_hours": entry.sleep_hours, "mood": entry.mood}

    def _diary_months(self) -> Iterator[dict[str, Any]]:
        current: tuple[int, str] | None = None
        bucket: list[diary_export.EntryForResearch] = []
        for entry in itertools.chain(self._diary_rows(), [None]):  # streamed: one member-month in memory
            key = (entry.user_id, entry.day.strftime("%Y-%m")) if entry is not None else None
            if bucket and key != current:
                assert current is not None
                yield self._month_row(current, bucket)
                bucket = []
            if entry is not None:
                current = key
                bucket.append(entry)

    def _month_row(self, key: tuple[int, str], entries: list[diary_export.EntryForResearch]) -> dict[str, Any]:
        def mean(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 2) if values else None

        doses = [e.diazepam_mg for e in entries if e.diazepam_mg is not None]
        self.result.counts["diary_months"] += 1
        self.result.counts["diary_entries"] += len(entries)
        return {"author": self.keys.ident("member", key[0]), "month": key[1], "entries": len(entries),
                "mean_diazepam_mg": mean(doses), "min_diazepam_mg": min(doses) if doses else None,
                "max_diazepam_mg": max(doses) if doses else None,
                "mean_symptom_score": mean([e.symptom_score for e in entries if e.symptom_score is not None]),
                "mean_sleep_hours": mean([e.sleep_hours for e in entries if e.sleep_hours is not None]),
                "mean_mood": mean([e.mood for e in entries if e.mood is not None])}
