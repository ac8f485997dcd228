"""The optional NLP models: spaCy's French pipeline and belgian-deduce (Dutch), loaded lazily.

Both come with the ``research`` extra (``pip install -e '.[research]'``), which
`make test` and the production image install and `make run` does not. Nothing
here is imported by a page a member opens: only exports and the anonymise
command load the models, in the process that runs them.

belgian-deduce keeps all its lookup structures in one pickled cache and loads
all of them: 1.84 GB of Python objects once unpickled (measured), most of it
word tries of 93,000 Belgian street names, 47,000 care institutions (youth
groups, day centres, practices) and 942 hospitals, each multiplied into every
combination of its case, accent, spelling and punctuation variants. So we
save our own cache, in deduce's format, without the street and institution
tries, with the hospital names unexpanded, and run deduce without the two
annotators that read the dropped tries ("street_lookup", "institution").
Person names, places, postcodes, phones, national numbers, e-mails and
hospital names are found as before; street addresses are found by deduce's
street-suffix pattern ("-straat", "-laan" and a number) and our address
rules, practices and pharmacies by our care-place rules. Memory before and
after: bench/bench_research_export.py.

That cache is built at install time (`forum research warm`, run by `make
test` and the Dockerfile), never during an export: `deduce()` refuses to
build it.
"""

from __future__ import annotations

import importlib.util
import json
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


# What the anonymiser leaves out of belgian-deduce (see the module docstring): lookup structures,
# the source lists only they are built from, and the annotators that read them.
DEDUCE_SKIPPED_STRUCTS = ("street", "healthcare_institution")  # and "hospital" is rebuilt smaller
DEDUCE_SKIPPED_ANNOTATORS = ("street_lookup", "institution")


def _deduce_folder() -> Path:
    """Our lookup folder, next to deduce's own: `src` links to deduce's lists, `cache` holds our cache.

    Deduce reads a cache from `<cache_path>/cache/` and checks it against the lists under
    `<cache_path>/src/`, so with the link it notices, as for its own cache, when the lists change.
    """
    from belgian_deduce.deduce import _LOOKUP_LIST_PATH

    return Path(_LOOKUP_LIST_PATH).parent / "lookup-trefle"


def _deduce_cache_is_built() -> bool:
    """Cheap check (no load): our cache's metadata matches the installed lookup lists."""
    try:
        from belgian_deduce import _version
        from belgian_deduce import lookup_structs as structs
        from belgian_deduce.utils import optional_load_json
    except ImportError:
        return False
    folder = _deduce_folder()
    if not (folder / "src").is_dir() or not (folder / "cache" / "lookup_structs.pickle").exists():
        return False
    meta = optional_load_json(folder / "cache" / "lookup_structs.meta.json")
    if meta is None:
        return False
    return bool(structs.validate_lookup_struct_cache(cache=meta, base_path=folder,
                                                     package_version=_version.__version__))


def _build_deduce_cache() -> None:
    """Deduce's own lookup structures (from its cache, or built: minutes, GBs) saved without the skipped ones."""
    from belgian_deduce import Deduce, _version
    from belgian_deduce import lookup_structs as structs
    from belgian_deduce.deduce import _LOOKUP_LIST_PATH

    lookup = Path(_LOOKUP_LIST_PATH)
    full = structs.get_lookup_structs(lookup_path=lookup, cache_path=lookup,
                                      tokenizer=Deduce._initialize_tokenizer(lookup),
                                      package_version=_version.__version__)
    _save_deduce_cache(full)


def _save_deduce_cache(full: Any) -> None:
    """Save deduce's lookup collection, less the skipped structures, where deduce() reads it."""
    import docdeid as dd
    from belgian_deduce import _version
    from belgian_deduce import lookup_structs as structs
    from belgian_deduce.deduce import _LOOKUP_LIST_PATH

    folder = _deduce_folder()
    folder.mkdir(exist_ok=True)
    if not (folder / "src").is_dir():
        (folder / "src").unlink(missing_ok=True)
        (folder / "src").symlink_to(Path("..") / Path(_LOOKUP_LIST_PATH).name / "src", target_is_directory=True)
    kept = dd.ds.DsCollection()
    for name, struct in full.items():
        if name not in DEDUCE_SKIPPED_STRUCTS:
            kept[name] = struct
    kept["hospital"] = _hospital_trie(folder)
    structs.cache_lookup_structs(lookup_structs=kept, cache_path=folder, package_version=_version.__version__)


def _hospital_trie(folder: Path) -> Any:
    """Deduce's 942 hospital names and abbreviations, without its spelling-variant expansion.

    Deduce multiplies each name by every combination of its variants ("Ziekenhuis", "Zkh.",
    "gasthuis"..., "Sint"/"St."/"", y/ij, "-"/" "/""), hundreds of tries' worth per name.
    Matching is case-insensitive anyway; the other spellings ("Sint-Jansziekenhuis", "AZ
    Groeninge", "Clinique Saint-Luc") are our care-place rules' job.
    """
    import docdeid as dd
    from belgian_deduce import Deduce
    from belgian_deduce.utils import lookup_set_to_trie, optional_load_items

    source = folder / "src" / "institutions"
    hospital = dd.ds.LookupSet(matching_pipeline=[dd.str.LowercaseString()])
    for name in ("lst_hospital", "lst_hospital_abbr"):
        hospital.add_items_from_iterable(sorted(optional_load_items(source / name / "items.txt") or set()))
    hospital.add_items_from_self(cleaning_pipeline=[dd.str.ReplaceNonAsciiCharacters()])
    return lookup_set_to_trie(hospital, Deduce._initialize_tokenizer(folder))


def deduce_config() -> dict[str, Any]:
    """Deduce's own configuration without the annotators of the skipped structures."""
    from belgian_deduce.deduce import _BASE_CONFIG_FILE

    config: dict[str, Any] = json.loads(Path(_BASE_CONFIG_FILE).read_text(encoding="utf-8"))
    config["annotators"] = {name: annotator for name, annotator in config["annotators"].items()
                            if name not in DEDUCE_SKIPPED_ANNOTATORS}
    return config


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

    folder = _deduce_folder()
    return Deduce(load_base_config=False, config=deduce_config(), lookup_data_path=folder, cache_path=folder)


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
        log.info("building the belgian-deduce lookup cache (a few minutes)")
        _build_deduce_cache()
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
