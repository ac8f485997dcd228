"""English is the source language: its catalog's translations are the msgids themselves.

Run by `make messages` after extraction, so the en catalog is always complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app" / "locales" / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
