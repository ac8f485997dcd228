"""Content notes: what a post may be marked with, so that each reader chooses what to open.

Shared vocabulary: a post carries one (forum), and each member chooses which
notes open by default (accounts).
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n_markers import N_


class ContentNote(StrEnum):
    difficult_symptoms = "difficult_symptoms"
    relapse = "relapse"
    suicidal_thoughts = "suicidal_thoughts"
    loss = "loss"
    doses = "doses"


CONTENT_NOTE_LABELS = {
    ContentNote.difficult_symptoms: N_("Difficult symptoms"),
    ContentNote.relapse: N_("Relapse or going back on the medication"),
    ContentNote.suicidal_thoughts: N_("Suicidal thoughts mentioned"),
    ContentNote.loss: N_("Grief or loss"),
    ContentNote.doses: N_("Detailed doses"),
}


def is_content_note(code: str) -> bool:
    return code in CONTENT_NOTE_LABELS
