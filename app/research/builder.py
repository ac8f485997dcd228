"""Building one export: consented, anonymised threads (and diary data) streamed into a zip.

Memory is bounded by one batch of threads, whatever the corpus size: threads
and posts are read a batch at a time, anonymised (export_records.py), and
written straight to files in a temporary folder, which are then streamed into
the zip while their SHA-256 is computed. What grows with the corpus is small
per member (the consent snapshot, the pseudonyms to look for) and per speaker
(ConvoKit's speakers.json).
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import zipfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from app.research import datasheet
from app.research.export_records import NO_CONSENT_SPEAKER, ExportRecords, Progress, Result
from app.web.downloads import BOM, EXCEL_DELIMITER, spreadsheet_safe


class _Csv:
    """RFC 4180 CSV (what R and pandas read); `excel`: for Excel with Belgian settings (app.web.downloads)."""

    def __init__(self, handle: IO[str], columns: list[str], *, excel: bool = False) -> None:
        self.columns = columns
        self.excel = excel
        if excel:
            handle.write(BOM)
        self.writer = csv.writer(handle, delimiter=EXCEL_DELIMITER if excel else ",")
        self.writer.writerow(columns)

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow([_csv_cell(row.get(c), excel=self.excel) for c in self.columns])


def _csv_cell(value: Any, *, excel: bool = False) -> Any:
    if value is None:
        return ""
    if excel and isinstance(value, float):
        return repr(value).replace(".", ",")  # Excel with a comma as decimal sign reads "6.5" as a date
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(value) if isinstance(value, str) else value


#: Formats written as CSV files (data/*.csv).
CSV_FORMATS = frozenset({"csv", "csv_excel"})
POST_COLUMNS = ["id", "thread_id", "reply_to", "position", "author", "consented", "never_quote", "date", "lang",
                "category", "edited", "text"]
THREAD_COLUMNS = ["id", "title", "category", "lang", "date", "posts", "consented_posts"]
ENTRY_COLUMNS = ["author", "date", "diazepam_mg", "medications", "symptom_score", "symptoms", "sleep_hours", "mood"]
MONTH_COLUMNS = ["author", "month", "entries", "mean_diazepam_mg", "min_diazepam_mg", "max_diazepam_mg",
                 "mean_symptom_score", "mean_sleep_hours", "mean_mood"]


class Builder(ExportRecords):
    """Writes the records in the chosen format (JSONL, CSV or a ConvoKit corpus) and zips them."""

    # ------------------------------------------------------------ writers
    def _write_jsonl_or_csv(self, folder: Path, progress: Progress | None) -> list[str]:
        data = folder / "data"
        data.mkdir()
        suffix = "csv" if self.options.format in CSV_FORMATS else self.options.format
        with ExitStack() as stack:
            thread_file = stack.enter_context((data / f"threads.{suffix}").open("w", encoding="utf-8", newline=""))
            post_file = stack.enter_context((data / f"posts.{suffix}").open("w", encoding="utf-8", newline=""))
            if suffix == "csv":
                excel = self.options.format == "csv_excel"
                thread_out = _Csv(thread_file, THREAD_COLUMNS, excel=excel)
                post_out = _Csv(post_file, POST_COLUMNS, excel=excel)
                for thread, posts in self._threads(progress):
                    thread_out.write(thread)
                    for post in posts:
                        post_out.write(post)
            else:
                for thread, posts in self._threads(progress):
                    thread_file.write(json.dumps({k: v for k, v in thread.items() if k != "root"},
                                                 ensure_ascii=False) + "\n")
                    for post in posts:
                        post_file.write(json.dumps({k: v for k, v in post.items() if k != "timestamp"},
                                                   ensure_ascii=False) + "\n")
        return [f"data/threads.{suffix}", f"data/posts.{suffix}"]

    def _write_convokit(self, folder: Path, progress: Progress | None) -> list[str]:
        corpus = folder / "corpus"
        corpus.mkdir()
        with (corpus / "utterances.jsonl").open("w", encoding="utf-8") as utterances, \
                (corpus / "conversations.json").open("w", encoding="utf-8") as conversations:
            conversations.write("{")
            first = True
            for thread, posts in self._threads(progress):
                for post in posts:
                    utterances.write(json.dumps(_utterance(thread, post), ensure_ascii=False) + "\n")
                meta = {"thread_id": thread["id"], "title": thread["title"], "category": thread["category"],
                        "lang": thread["lang"], "date": thread["date"]}
                conversations.write(("" if first else ",") + json.dumps(thread["root"]) + ":"
                                    + json.dumps({"meta": meta, "vectors": []}, ensure_ascii=False))
                first = False
            conversations.write("}")
        speakers = {name: {"meta": {"consented": name != NO_CONSENT_SPEAKER, "utterances": count},
                           "vectors": []} for name, count in self.speakers.items()}
        (corpus / "speakers.json").write_text(json.dumps(speakers, ensure_ascii=False), encoding="utf-8")
        (corpus / "corpus.json").write_text(json.dumps({
            "name": "Trèfle · Klaver research export", "project": self.project_title,
            "anonymiser": self.anonymiser.method, "dates": self.options.dates,
        }, ensure_ascii=False), encoding="utf-8")
        (corpus / "index.json").write_text(json.dumps(_convokit_index()), encoding="utf-8")
        return [f"corpus/{name}" for name in ("utterances.jsonl", "conversations.json", "speakers.json",
                                              "corpus.json", "index.json")]

    def _write_diary(self, folder: Path) -> list[str]:
        if self.options.diary == "none":
            return []
        data = folder / "data"
        data.mkdir(exist_ok=True)
        csv_out = self.options.format in CSV_FORMATS
        name = ("diary_entries" if self.options.diary == "entries" else "diary_monthly") + (".csv" if csv_out
                                                                                            else ".jsonl")
        rows = (self._diary_entries() if self.options.diary == "entries" else self._diary_months())
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            writer = _Csv(handle, ENTRY_COLUMNS if self.options.diary == "entries" else MONTH_COLUMNS,
                          excel=self.options.format == "csv_excel") if csv_out else None
            for row in rows:
                if writer is not None:
                    writer.write({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                                  for k, v in row.items()})
                else:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return [f"data/{name}"]

    # ------------------------------------------------------------ the zip
    def build(self, out: Path, *, export_id: int | None = None, progress: Progress | None = None) -> Result:
        with tempfile.TemporaryDirectory(prefix="research-export-", dir=out.parent) as tmp:
            folder = Path(tmp)
            if self.options.format == "convokit":
                names = self._write_convokit(folder, progress)
            else:
                names = self._write_jsonl_or_csv(folder, progress)
            names += self._write_diary(folder)
            self.result.counts["authors"] = sum(1 for s in self.speakers if s != NO_CONSENT_SPEAKER)
            self.result.consent_versions = {
                "posts": dict(Counter(self.posts_consent.values())),
                "diary": dict(Counter(self.diary_consent.values())),
            }
            (folder / "README.md").write_text(datasheet.render(self, export_id=export_id), encoding="utf-8")
            names.insert(0, "README.md")
            partial = out.with_name(out.name + ".partial")
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name in names:
                    self.result.files.append(_add(archive, folder / name, name))
                manifest = {"export_id": export_id, "format": self.options.format, "options": self.options
                            .model_dump(mode="json"), "anonymiser": self.result.anonymiser,
                            "counts": dict(self.result.counts),
                            "consent_versions": self.result.consent_versions, "files": self.result.files}
                archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            partial.replace(out)
        digest = hashlib.sha256()
        with out.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        self.result.sha256 = digest.hexdigest()
        self.result.size = out.stat().st_size
        return self.result


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> dict[str, Any]:
    """Stream a file into the zip, hashing it on the way."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            target.write(chunk)
            size += len(chunk)
    return {"path": name, "sha256": digest.hexdigest(), "bytes": size}


def _utterance(thread: dict[str, Any], post: dict[str, Any]) -> dict[str, Any]:
    """One post as a ConvoKit utterance."""
    return {
        "id": post["id"], "speaker": post["author"] or NO_CONSENT_SPEAKER,
        "conversation_id": thread["root"], "reply_to": post["reply_to"],
        "timestamp": post["timestamp"], "text": post["text"],
        "meta": {"thread_id": post["thread_id"], "position": post["position"],
                 "consented": post["consented"], "never_quote": post["never_quote"],
                 "date": post["date"], "lang": post["lang"], "category": post["category"],
                 "edited": post["edited"]},
        "vectors": [],
    }


def _convokit_index() -> dict[str, Any]:
    """ConvoKit's index.json: the type of every metadata field of the corpus."""
    string, integer, boolean = "<class 'str'>", "<class 'int'>", "<class 'bool'>"
    return {
        "utterances-index": {"thread_id": [string], "position": [integer], "consented": [boolean],
                             "never_quote": [boolean], "date": [string], "lang": [string],
                             "category": [string], "edited": [boolean]},
        "speakers-index": {"consented": [boolean], "utterances": [integer]},
        "conversations-index": {"thread_id": [string], "title": [string], "category": [string],
                                "lang": [string], "date": [string]},
        "overall-index": {"name": [string], "project": [string], "anonymiser": [string], "dates": [string]},
        "version": 1, "vectors": [],
    }
