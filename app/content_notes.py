"""Content notes: what a post may be marked with, so that each reader chooses what to open.

Shared vocabulary: a post carries one (forum), and each member chooses which
notes open by default (accounts).
"""

from __future__ import annotations

from app.i18n_markers import N_

#: Each note's code (stored with posts and in members' preferences) and its label.
CONTENT_NOTE_LABELS = {
    "difficult_symptoms": N_("Difficult symptoms"),
    "relapse": N_("Relapse or going back on the medication"),
    "suicidal_thoughts": N_("Suicidal thoughts mentioned"),
    "loss": N_("Grief or loss"),
    "doses": N_("Detailed doses"),
}


def is_content_note(code: str) -> bool:
    return code in CONTENT_NOTE_LABELS
