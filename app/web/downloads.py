"""Files a member downloads (their data, their diary)."""

from __future__ import annotations

from fastapi.responses import Response


def attachment(body: str, media_type: str, filename: str) -> Response:
    """A download. Its name is cut down to ASCII: a header is Latin-1, and a pseudonym in the name may be anything."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename)
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{safe}"'})
