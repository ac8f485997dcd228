"""Trèfle · Klaver: a bilingual peer-support forum (see DESIGN.md in the shared folder)."""
