"""The extraction marker, importable by pure modules that must not pull in Babel."""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated at render time."""
    return message
