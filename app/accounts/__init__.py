"""Pseudonymous accounts: sign-up, argon2id passwords, sessions, recovery codes."""
