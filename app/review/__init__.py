"""Moderators' tools: the review queue fed by automatic checks and reports, and the audit log."""
