"""The optional NLP models: spaCy's French pipeline and belgian-deduce (Dutch), loaded lazily.

Both come with the ``research`` extra (``pip install -e '.[research]'``), which
`make test` and the production image install and `make run` does not. Nothing
here is imported by a page a member opens: only exports and the anonymise
command load the models, in the process that runs them.

belgian-deduce builds its lookup structures (about 5 minutes, several GB of
memory) when its cache is missing or stale. That must happen at install time
(`forum research warm`, run by `make test` and the Dockerfile), never during
an export: `deduce()` refuses to build unless asked to.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger("forum.research")

FRENCH_MODEL = "fr_core_news_sm"
INSTALL_HINT = "pip install -e '.[research]' && forum research warm"
# Components the anonymiser does not use; leaving them out makes the French model about 3x faster.
SPACY_EXCLUDE = ["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]


class NlpUnavailable(RuntimeError):
    """The research extra is not installed, or its caches are not built."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"research NLP stack incomplete ({', '.join(missing)}); install it with: {INSTALL_HINT}")


@dataclass(frozen=True)
class NlpStatus:
    spacy: bool
    french_model: bool
    deduce: bool
    deduce_cache: bool
    missing: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _deduce_cache_is_built() -> bool:
    """Cheap check (no 150 MB load): the cache's metadata matches the installed lookup lists."""
    try:
        from belgian_deduce import _version
        from belgian_deduce import lookup_structs as structs
        from belgian_deduce.deduce import _LOOKUP_LIST_PATH
        from belgian_deduce.utils import optional_load_json
    except ImportError:
        return False
    cache_dir = Path(_LOOKUP_LIST_PATH) / "cache"
    if not (cache_dir / "lookup_structs.pickle").exists():
        return False
    meta = optional_load_json(cache_dir / "lookup_structs.meta.json")
    if meta is None:
        return False
    return bool(structs.validate_lookup_struct_cache(cache=meta, base_path=Path(_LOOKUP_LIST_PATH),
                                                     package_version=_version.__version__))


def status() -> NlpStatus:
    has_spacy = _installed("spacy")
    has_model = _installed(FRENCH_MODEL)
    has_deduce = _installed("belgian_deduce")
    built = has_deduce and _deduce_cache_is_built()
    missing = [name for name, ok in (("spacy", has_spacy), (FRENCH_MODEL, has_model),
                                     ("belgian-deduce", has_deduce)) if not ok]
    if has_deduce and not built:
        missing.append("belgian-deduce lookup cache (run: forum research warm)")
    return NlpStatus(has_spacy, has_model, has_deduce, built, missing)


@cache
def french() -> Any:
    """spaCy's small French pipeline, NER only."""
    import spacy

    return spacy.load(FRENCH_MODEL, exclude=SPACY_EXCLUDE)


@cache
def deduce() -> Any:
    """belgian-deduce with its prebuilt cache; never builds it here (see the module docstring)."""
    if not _deduce_cache_is_built():
        raise NlpUnavailable(["belgian-deduce lookup cache (run: forum research warm)"])
    from belgian_deduce import Deduce

    return Deduce()


def require() -> None:
    current = status()
    if not current.ready:
        raise NlpUnavailable(current.missing)


def warm() -> dict[str, float]:
    """Build what must exist before the first export: the deduce cache; load both models once."""
    timings: dict[str, float] = {}
    missing = [name for name, ok in (("spacy", _installed("spacy")), (FRENCH_MODEL, _installed(FRENCH_MODEL)),
                                     ("belgian-deduce", _installed("belgian_deduce"))) if not ok]
    if missing:
        raise NlpUnavailable(missing)
    started = time.perf_counter()
    french()
    timings["spacy"] = time.perf_counter() - started
    started = time.perf_counter()
    if not _deduce_cache_is_built():
        from belgian_deduce import Deduce

        log.info("building the belgian-deduce lookup cache (several minutes)")
        Deduce(build_lookup_structs=True)
        timings["deduce_build"] = time.perf_counter() - started
        started = time.perf_counter()
    deduce()
    timings["deduce"] = time.perf_counter() - started
    return timings


# ---------------------------------------------------------------- word lists (research extra)
@cache
def _zipf() -> Any:
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return None
    return zipf_frequency


def word_frequency(word: str, lang: str) -> float | None:
    """Zipf frequency of a word in a language (wordfreq), None without the research extra.

    3 is a word met about once per million words; everyday words are 4 to 7.
    """
    zipf = _zipf()
    if zipf is None:
        return None
    return float(zipf(word.casefold(), lang))


@cache
def known_names() -> frozenset[str]:
    """First names and surnames from belgian-deduce's lookup lists (empty without the extra)."""
    spec = importlib.util.find_spec("belgian_deduce")
    if spec is None or spec.origin is None:
        return frozenset()
    base = Path(spec.origin).parent / "data" / "lookup" / "src" / "names"
    names: set[str] = set()
    for folder in ("lst_first_name", "lst_surname"):
        items = base / folder / "items.txt"
        if items.exists():
            names.update(line.strip().casefold() for line in items.read_text(encoding="utf-8").splitlines()
                         if line.strip())
    return frozenset(names)
