"""Files a member downloads (their data, their diary)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` and the exact name as RFC 6266 / RFC 5987 `filename*`.

    Header values are Latin-1 on the wire, and a pseudonym in the name may be
    anything (Łukasz, 山田太郎): the plain name is cut down to ASCII, and browsers
    that read `filename*` get the real one, percent-encoded UTF-8.
    """
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename)
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)})


#: A CSV for Excel with Belgian regional settings (and most of continental Europe's): Excel splits a .csv it opens
#: on the system's list separator, ";" wherever the decimal sign is a comma, reads numbers with that comma, and
#: reads the file as UTF-8 only after a byte-order mark (without it "é" shows as "Ã©"). The plain CSV (commas,
#: decimal points: RFC 4180, what R, pandas and LibreOffice read) stays the default and does not change.
EXCEL_DELIMITER = ";"
BOM = "\ufeff"


def excel_filename(filename: str) -> str:
    """"diary-2026-12-01.csv" -> "diary-2026-12-01-excel.csv": both variants can sit side by side."""
    stem, dot, extension = filename.rpartition(".")
    return f"{stem}-excel{dot}{extension}" if dot else f"{filename}-excel"


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
    return: CSV injection) starts with an apostrophe instead: the text shows as written."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
