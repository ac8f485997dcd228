"""Personal data in a post: e-mail, phone, IBAN, national number, street address, licence plate,
a person's full name.

Checksums come from python-stdnum, phone parsing from phonenumbers
(libphonenumber's metadata) and first names from gender-guesser's dictionary
of first names by country, not home-made lists. Helplines and other
organisations' numbers (free, shared-cost and premium-rate lines) that members
share to help each other are never flagged.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from operator import itemgetter

import phonenumbers
from stdnum import iban
from stdnum.be import nn
from text_to_num import alpha2digit

from moderation.context_cues import MEDICATION
from moderation.patterns import trie_regex
from moderation.spans import DisjointSpans
from moderation.types import Finding

RULE_EMAIL = "personal_data.email"
RULE_PHONE = "personal_data.phone"
RULE_IBAN = "personal_data.iban"
RULE_NN = "personal_data.national_number"
RULE_ADDRESS = "personal_data.address"
RULE_PLATE = "personal_data.plate"
RULE_NAME = "personal_data.name"

# Public crisis and help lines (see /work/shared/reference/belgian-helplines.md),
# as national significant numbers: digits only, without the leading 0.
HELPLINE_DIGITS = frozenset({"1813", "106", "107", "112", "80032123", "70245245", "78151020", "22275252"})
# Numbers no private person has: free, shared-cost, premium-rate and "universal access"
# lines (0800, 070, 078, 090x in Belgium) belong to services, pharmacies on duty, companies.
_SERVICE_TYPES = frozenset({
    phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.UAN,
})

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
# Obfuscated forms members use to dodge filters: "jan [at] mail [dot] be".
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._-]{1,63}\s?[\[(]\s?(?:at|@|arobase|apenstaart)\s?[\])]\s?"
    r"[A-Za-z0-9-]{2,63}\s?(?:[\[(]\s?(?:dot|punt|point)\s?[\])]|\.)\s?[A-Za-z]{2,24}(?!\w)",
    re.IGNORECASE,
)
# A candidate run of digits worth handing to libphonenumber (cheap prefilter).
_PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d \t./()\-]{6,40}\d")
_IBAN_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?"
    r"(?![A-Za-z0-9])"
)
_NN_CANDIDATE = re.compile(r"(?<![\d.])\d{2}[. ]?\d{2}[. ]?\d{2}[ .-]?\d{3}[ .-]?\d{2}(?![\d])")
# The national number in its printed form (YY.MM.DD-XXX.CC) after a word naming it: shown even when
# its check digits fail (a digit mistyped or changed by the poster still points at a person).
_NN_PRINTED = re.compile(r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}")
_NN_WORD = re.compile(
    r"(?i)rijksregister|registre national|num[ée]ro national|national (?:register|number|id)|"
    r"(?<![\w])(?:niss|insz|nn)(?![\w])"
)

# Phone numbers written out in words to get past filters ("zéro quatre septante-huit trente-deux
# quarante-cinq dix-neuf", "nul vier negen vijf ..."): a run of number words opening with zero is
# turned into digits by text2num, then checked like any number.
_NUMBER_WORDS = {
    "fr": r"z[ée]ro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
          r"vingts?|trente|quarante|cinquante|soixante|septante|octante|huitante|nonante|cents?|et",
    "nl": r"nul|en|een|[ée][ée]n|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|"
          r"zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|"
          r"honderd|(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]?[eë]n(?:twintig|dertig|veertig|vijftig|"
          r"zestig|zeventig|tachtig|negentig)",
    "en": r"zero|oh|o|nought|and|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
          r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred",
}
_SPELLED_RUNS_MAX = 40
_ZERO = r"z[ée]ro|nul|oh|o|nought"  # the words a spelled number opens with, in the three languages
_ZERO_WORD = re.compile(rf"(?i)(?<![\w])(?:{_ZERO}|0)(?![\w])")
# Words, or digits mixed in ("0 quatre 78 12 34 56"), separated by spaces, commas, dots, slashes or
# any dash ("zéro-quatre-septante-huit", "zéro.quatre.septante-huit").
_SPELLED_SEP = r"[\s,./\-\u2010-\u2015\u00b7]+"
_SPELLED_RUN = {
    lang: re.compile(
        rf"(?i)(?<![\w])(?:{_ZERO}|0)(?:{_SPELLED_SEP}(?:{words}|\d{{1,4}})(?![\w])){{5,16}}"
    )
    for lang, words in _NUMBER_WORDS.items()
}
_ZERO_TO_DIGIT = re.compile(rf"(?i)(?<![\w])(?:{_ZERO})(?![\w])")
_LETTER = re.compile(r"[^\W\d_]")

_STREET_FR = (
    r"(?i:rue|avenue|av\.|chauss[ée]e|ch[ée]e|boulevard|bd|blvd|place|square|dr[èe]ve|all[ée]e|"
    r"quai|impasse|chemin|route|clos|sentier|galerie|parvis|rempart)"
)
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][\wÀ-ÿ'’.-]*"
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’.-]*"
_LINKER = r"(?i:de la|de l'|de l’|du|des|de|d'|d’|la|le|les|l'|l’|aux|au|à la)"
_NUMBER = (
    r"\d{1,4}(?:\s?[A-Za-z](?![A-Za-z]))?(?:\s?(?:/|bte|boîte|boite|bus|b)\.?\s?\d{1,4})?"
    # A number followed by a unit is a dose, a duration or a count, not a house.
    r"(?!\s?(?:%|mg|ml|h\b|x\b|u\b|ans?\b|jours?|mois|semaines?|heures?|min|fois|jaar|dagen|"
    r"weken|maanden|uur|keer|years?|days?|weeks?|months?|times|hours?|pm\b|am\b|[.,:]\d|\d))"
)
_POSTCODE_TOWN = r"(?:,?\s+[1-9]\d{3}\s+[A-ZÀ-Þ][\wÀ-ÿ'-]+(?:[ -][A-ZÀ-Þ][\wÀ-ÿ'-]+){0,2})?"
# "rue de la Loi 16", "avenue Louise 54, 1050 Ixelles": a street word, a name
# (capitalised, or introduced by de/du/des), then a house number.
_ADDRESS_FR = re.compile(
    r"(?<!\w)" + _STREET_FR + r"\s+(?:" + _LINKER + r"\s?" + _WORD + r"|" + _CAP_WORD + r")"
    # Not across a full stop: "near Place Jourdan. 20 € each" is a square and a price.
    r"(?:[ -](?:" + _LINKER + r"\s?)?" + _WORD + r"){0,3}(?<![.!?:;]),?\s+" + _NUMBER + _POSTCODE_TOWN
)
_STREET_NL_SUFFIX = (
    r"(?:straat|laan|steenweg|plein|dreef|lei|kaai|dijk|baan|markt|singel|vest|hof|weg|pad|"
    r"gracht|plaats|kouter|veld)"
)
_ADDRESS_NL = re.compile(
    r"(?<![\w'])[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]{2,}" + _STREET_NL_SUFFIX + r"\s+" + _NUMBER + _POSTCODE_TOWN,
)
# Two-word Dutch/Flemish street names: "Grote Markt 1", "Oude Baan 12".
_ADDRESS_NL_TWO = re.compile(
    r"(?<![\w])(?:Grote|Kleine|Oude|Nieuwe|Lange|Korte|Hoge|Lage)\s+[A-Z][a-z]+\s+" + _NUMBER + _POSTCODE_TOWN,
)
# French usage puts the number first: "du 23 rue de l'Abbaye à Ottignies", "au 5, avenue Louise".
_ADDRESS_FR_NUMBER_FIRST = re.compile(
    r"(?<![\w.,/-])\d{1,4}(?:\s?[A-Za-z](?![A-Za-z]))?,?\s+" + _STREET_FR + r"\s+(?:" + _LINKER + r"\s?)?"
    + _CAP_WORD + r"(?:[ -](?:" + _LINKER + r"\s?)?" + _CAP_WORD + r"){0,3}"
)
_ADDRESS_EN = re.compile(
    r"(?<![\w])\d{1,4}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|"
    r"Lane|Drive|Close|Square)(?![\w])"
)


_FR_STREETS = ["rue", "avenue", "av.", "chaussee", "chaussée", "chee", "chée", "boulevard", "bd", "blvd", "place",
               "square", "dreve", "drève", "allee", "allée", "quai", "impasse", "chemin", "route", "clos", "sentier",
               "galerie", "parvis", "rempart"]
_NL_SUFFIXES = ["straat", "laan", "steenweg", "plein", "dreef", "lei", "kaai", "dijk", "baan", "markt", "singel",
                "vest", "hof", "weg", "pad", "gracht", "plaats", "kouter", "veld"]
# Run on the lower-cased post: case-insensitive alternations are slow in re.
_GATE_FR = re.compile("(?:" + trie_regex(_FR_STREETS) + r")\s")
_GATE_NL = re.compile("(?:" + trie_regex(_NL_SUFFIXES) + r")\s+\d")  # on the lower-cased post
_GATE_FR_ANYCASE = re.compile(_GATE_FR.pattern, re.IGNORECASE)
_GATE_NL_ANYCASE = re.compile(_GATE_NL.pattern, re.IGNORECASE)
_TWO_WORD_LEADS = ["Grote", "Kleine", "Oude", "Nieuwe", "Lange", "Korte", "Hoge", "Lage"]
_GATE_NL_TWO = re.compile(r"(?<!\w)(?:" + trie_regex(_TWO_WORD_LEADS) + r")\s")
_NUMBER_BEFORE = re.compile(r"\d{1,4}(?:\s?[A-Za-z])?,?\s+$")
_EN_STREETS = ("Street", "St.", "Road", "Rd.", "Avenue", "Ave.", "Lane", "Drive", "Close", "Square")
_GATE_EN = re.compile(r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Close|Square)(?!\w)")
_DIGIT = re.compile(r"\d")
# Belgian licence plates: "1-ABC-234" since 2010 (a digit, three letters, three digits);
# older "ABC-123" / "123-ABC" only next to a word for plate.
_PLATE = re.compile(r"(?<![\w-])[1-9][- ]?[A-Z]{3}[- ][0-9]{3}(?![\w-])|(?<![\w-])[1-9]-[A-Z]{3}[0-9]{3}(?![\w-])")
_CAPS3 = re.compile(r"[A-Z]{3}")
_PLATE_OLD = re.compile(r"(?<![\w-])(?:[A-Z]{3}[- ]?[0-9]{3}|[0-9]{3}[- ]?[A-Z]{3})(?![\w-])")
_PLATE_WORD = re.compile(
    r"(?i:plaque|immatricul\w*|nummerplaat|nummerplaten|kenteken\w*|number ?plate|licen[cs]e ?plate|plate|"
    r"nrplaat|plaat)"
)
# Phone numbers, national numbers and IBANs all hold 8+ digits close together
# ("04 94 / 61 . 28 . 05": a separator may stand between spaces).
_EIGHT_DIGITS = re.compile(r"\d(?:[\s./()-]{0,3}\d){7}")
_OBFUSCATION_GATE = re.compile(r"[\[(]\s?(?:[aA][tT]|@|arobase|apenstaart)\s?[\])]")
_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})(?:\s+\d{1,2}[:h.]\d{2})?")


# A person's full name: a first name, then a capitalised surname, with its particles ("Rosa Van
# den Bossche", "Jan De Smet", "la maman d'Inès Dufour", "Jean-Marc Hubert"). First names come from
# gender-guesser's dictionary (frequency by country), kept where they are common in the countries
# Belgian members come from; a lone first name is not flagged (members sign with one).
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_CAP = f"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
# Belgian surnames write their first particle with a capital ("Van den Bossche", "De Smet", "Le
# Clercq"); a lower-case "de" after a first name is a place ("Georges de Tournai").
_PARTICLE = r"(?:Van|Vande[nr]?|De|Den|Der|Ter|Ten|Le|La|Du|Des|Del|Di|El|Ben)"
_NEXT_PARTICLE = r"(?:de|den|der|la|le|du)"
_FULL_NAME = re.compile(
    rf"(?<![\w-])({_CAP})[ \t]+((?:{_PARTICLE}[ \t]+(?:{_NEXT_PARTICLE}[ \t]+)?)?(?:[DLO]['’])?{_CAP})"
    rf"(?![\w'’-]|[ \t]+{_CAP})"
)
_GATE_CAPS = re.compile(f"[{_UPPER}][{_LOWER}]+[ \t]+(?:{_PARTICLE}[ \t]+)?(?:[DLO]['’])?[{_UPPER}][{_LOWER}]")
# Columns of gender-guesser's nam_dict.txt (from column 30, one per country, a hexadecimal
# frequency): Great Britain, Ireland, USA, Italy, Portugal, Spain, France, Belgium,
# Luxembourg, the Netherlands, Germany, Poland, Romania, Turkey, Arabia.
_NAME_COUNTRIES = (0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 23, 27, 46, 47)
_NAME_MIN_FREQUENCY = 3  # 1 = rare ... 13 = extremely common
# Words that are first names somewhere but open sentences here ("Will Xanax help?", "Hope this").
_NOT_FIRST_NAMES = frozenset(
    "will may june april august hope grace joy faith mark bill rose dag van de le la mon son bon belle "
    "claire constant prosper desire france germain franc chance christian angel dean".split()
)
# Capitalised words after a first name that are not surnames: days, months, greetings, titles.
_NOT_SURNAMES = frozenset(
    "lundi mardi mercredi jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag "
    "zaterdag zondag monday tuesday wednesday thursday friday saturday sunday janvier fevrier mars avril "
    "mai juin juillet aout septembre octobre novembre decembre januari februari maart mei juni juli "
    "augustus oktober december january february march july october november bonjour merci dank "
    "thanks hello hallo salut coucou".split()
)
# Places, institutions and eponyms named after a person: "rue Jean Jaurès", "Institut Jules
# Bordet", "AZ Sint-Jan", "the Ashton manual" (Heather Ashton: a published author).
_NAMED_AFTER = re.compile(
    r"(?<!\w)(?i:rue|avenue|av\.?|place|boulevard|bd|chauss[ée]e|square|quai|all[ée]e|straat|laan|plein|lei|"
    r"institut|instituut|institute|h[ôo]pital|ziekenhuis|hospital|clinique|kliniek|clinic|az|uz|chu|chr|"
    r"[ée]cole|school|ath[ée]n[ée]e|coll[èe]ge|college|lyc[ée]e|saint|sainte|sint|st\.?|prix|prijs|prize|"
    r"fondation|stichting|foundation|station|gare|park|parc|centre|centrum|center)[ \t]+$"
)
_PUBLIC_FIGURES = frozenset({"heather ashton", "c heather ashton"})


def _plain(word: str) -> str:
    if word.isascii():
        return word.lower()
    return "".join(ch for ch in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """First names common in the countries members come from (folded: lower case, no accents)."""
    names: set[str] = set()
    pick = itemgetter(*(30 + c for c in _NAME_COUNTRIES))
    width = 31 + max(_NAME_COUNTRIES)
    common = frozenset("0123456789ABCDEF"[_NAME_MIN_FREQUENCY:])
    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt")
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            if line[:1] in "#=" or common.isdisjoint(pick(line.ljust(width))):
                continue
            name = line[3:29].split()[0]
            # "Jean+Marc": written with a space, a hyphen or as one word.
            for variant in {name.replace("+", sep) for sep in ("", " ", "-")} if "+" in name else (name,):
                names.add(_plain(variant))
    return frozenset(names - _NOT_FIRST_NAMES)


def _is_first_name(word: str, names: frozenset[str]) -> bool:
    folded = _plain(word)
    return folded in names or ("-" in folded and folded.split("-", 1)[0] in names)


def _names(text: str) -> Iterator[Finding]:
    if not _GATE_CAPS.search(text):
        return
    names = first_names()
    for m in _FULL_NAME.finditer(text):
        first, surname = m.group(1), m.group(2)
        last = surname.split()[-1]
        last = last.split("'")[-1].split("’")[-1]
        if not _is_first_name(first, names) or _plain(last) in _NOT_SURNAMES:
            continue
        if m.start() > 0 and text[m.start() - 1] == "@":
            continue  # "@Clara Perso je dirais", "@Kevin Ge zit": a member's handle, then the reply
        if MEDICATION.fullmatch(_plain(last)) or _NAMED_AFTER.search(text, max(0, m.start() - 14), m.start()):
            continue
        if _plain(f"{first} {surname}").replace("-", " ") in _PUBLIC_FIGURES:
            continue
        yield _finding(text, m.start(), m.end(), RULE_NAME)


def _finding(text: str, start: int, end: int, rule: str) -> Finding:
    return Finding(
        category="personal_data",
        start=start,
        end=end,
        match=text[start:end],
        suggestions=(),
        rule=rule,
        severity="high",
    )


def _emails(text: str) -> Iterator[Finding]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield _finding(text, m.start(), m.end(), RULE_EMAIL)
    if ("[" in text or "(" in text) and _OBFUSCATION_GATE.search(text):
        for m in _EMAIL_OBFUSCATED.finditer(text):
            yield _finding(text, m.start(), m.end(), RULE_EMAIL)


def _ibans(text: str) -> Iterator[Finding]:
    for m in _IBAN_CANDIDATE.finditer(text):
        candidate = m.group()
        # The candidate may have swallowed a following word ("... 6769 svp"):
        # drop trailing groups until the checksum holds or too little is left.
        while len(candidate) >= 15:
            # The ISO 7064 checksum is the validation; country-specific bank
            # lookups (check_country) would only slow every post down.
            if _valid_iban(candidate):
                yield _finding(text, m.start(), m.start() + len(candidate), RULE_IBAN)
                break
            cut = max(candidate.rfind(" "), candidate.rfind("-"))
            if cut < 0:
                break
            candidate = candidate[:cut]


# The checks below are pure functions of the candidate string, and members repeat the
# same numbers (help lines, a group's account): each string is validated once per process.
@lru_cache(maxsize=4096)
def _valid_nn(candidate: str) -> bool:
    return bool(nn.is_valid(candidate))


@lru_cache(maxsize=4096)
def _valid_iban(candidate: str) -> bool:
    return bool(iban.is_valid(candidate, check_country=False))


@lru_cache(maxsize=4096)
def _private_phone(raw: str) -> bool:
    """A valid Belgian (or international) number that is not a public help line."""
    # parse() + is_valid_number() on the candidate: the same metadata as
    # PhoneNumberMatcher at Leniency.VALID, without rescanning the post.
    try:
        number = phonenumbers.parse(raw, "BE")
    except phonenumbers.NumberParseException:
        return False
    return (bool(phonenumbers.is_valid_number(number)) and not is_helpline(number)
            and phonenumbers.number_type(number) not in _SERVICE_TYPES)


def _national_numbers(text: str) -> Iterator[Finding]:
    for m in _NN_CANDIDATE.finditer(text):
        if _valid_nn(m.group()) or (
            _NN_PRINTED.fullmatch(m.group()) and _NN_WORD.search(text, max(0, m.start() - 80), m.start())
        ):
            yield _finding(text, m.start(), m.end(), RULE_NN)


def is_helpline(number: phonenumbers.PhoneNumber) -> bool:
    return str(number.national_number) in HELPLINE_DIGITS


def _phones(text: str) -> Iterator[Finding]:
    for cand in _PHONE_CANDIDATE.finditer(text):
        raw = cand.group()
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 8 or raw[0] not in "0+" or _DATE.fullmatch(raw):
            # Belgian numbers are written with 0, +32 or 0032 and 9+ digits;
            # doses, counts and dates are not phone numbers.
            continue
        if _private_phone(raw):
            yield _finding(text, cand.start(), cand.end(), RULE_PHONE)
        elif digits > 10:
            # Two numbers back to back ("0492 71 38 05/0478 12 34 56"): read group by group.
            for start, end in _phones_in_run(raw):
                yield _finding(text, cand.start() + start, cand.start() + end, RULE_PHONE)


_PHONE_DIGITS_MAX = 12
_DIGIT_GROUP = re.compile(r"\d+")


def _phones_in_run(raw: str) -> Iterator[tuple[int, int]]:
    """The numbers in a run of digit groups too long for one number: from each group, the shortest
    run of groups that is a valid private number."""
    groups = [(m.start(), m.end()) for m in _DIGIT_GROUP.finditer(raw)]
    i = 0
    while i < len(groups):
        digits, found = 0, None
        for j in range(i, len(groups)):
            digits += groups[j][1] - groups[j][0]
            if digits > _PHONE_DIGITS_MAX:
                break
            if digits >= 9 and raw[groups[i][0]] == "0" and _private_phone(raw[groups[i][0] : groups[j][1]]):
                found = j
                break
        if found is None:
            i += 1
        else:
            yield groups[i][0], groups[found][1]
            i = found + 1


# Digits written to slip past a filter, read as plain digits, one character for one so that
# findings keep their place: full-width and Arabic-Indic digits, zero-width and no-break spaces,
# and the letter O typed for a zero inside a number ("O492 71 38 O5").
_DIGIT_LOOKALIKES = {
    **{0xFF10 + d: str(d) for d in range(10)},
    **{0x0660 + d: str(d) for d in range(10)},
    **{0x06F0 + d: str(d) for d in range(10)},
    **{cp: " " for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00A0, 0x202F, 0x2007)},
}
_LETTER_O_IN_NUMBER = re.compile(r"(?<=\d)[Oo](?=[\d\s./-])|(?<![^\W\d_])[Oo](?=\d)")
# Cheap gates for the two steps (most posts need neither): a character to translate, and an O with a
# digit right before or after it (both alternatives above need one).
_LOOKALIKE = re.compile("[" + "".join(map(chr, sorted(_DIGIT_LOOKALIKES))) + "]")
_O_BY_DIGIT = re.compile(r"\d[Oo]|[Oo]\d")


def _plain_digits(text: str) -> str:
    """The text with look-alike digits and invisible separators as plain ones (same length)."""
    plain = text.translate(_DIGIT_LOOKALIKES) if _LOOKALIKE.search(text) else text
    if _O_BY_DIGIT.search(plain):
        plain = _LETTER_O_IN_NUMBER.sub("0", plain)
    return plain


def _runs(run: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``run.finditer(text)``, tried only where a zero word stands (``starts``): every run opens with
    one, and a case-insensitive scan of the whole post per language was most of this check's time."""
    end = 0
    for at in starts:
        if at >= end:
            m = run.match(text, at)
            if m:
                yield m
                end = m.end()


def _spelled_phones(text: str) -> Iterator[Finding]:
    """Phone numbers written out in French, Dutch or English words."""
    starts = [m.start() for m in _ZERO_WORD.finditer(text)]
    for lang, run in _SPELLED_RUN.items():
        # A phone number is at most 16 words; a post spelling out more runs than a few dozen is
        # counting, not sharing a number, and is not read further (bounded time on any post).
        for m in itertools.islice(_runs(run, text, starts), _SPELLED_RUNS_MAX):
            if not _LETTER.search(m.group(), 1):
                continue  # digits only: the digit check reads those
            # Zero words are written as 0 first (text2num leaves "zero" in French, "oh" in English, and
            # a zero word before digits); dashes, dots and slashes between words are spaces.
            words = _ZERO_TO_DIGIT.sub("0", re.sub(_SPELLED_SEP, " ", m.group()))
            digits = re.sub(r"\D", "", alpha2digit(words, lang))
            # The run may go on past the number ("…cinquante-six, une bise", a second number).
            for candidate in (digits[:10], digits[:9]):
                if len(candidate) >= 9 and candidate[0] == "0" and _private_phone(candidate):
                    yield _finding(text, m.start(), m.end(), RULE_PHONE)
                    return


def _addresses(text: str) -> Iterator[Finding]:
    # Each address regex is tried only where a cheap "gate" found its street
    # word, anchored there: scanning whole posts with them was the slowest
    # part of a check.
    lowered = text.lower()
    gate_fr, gate_nl = _GATE_FR, _GATE_NL
    if len(lowered) != len(text):
        # Rare characters change length when lower-cased: gate case-insensitively.
        lowered = text
        gate_fr, gate_nl = _GATE_FR_ANYCASE, _GATE_NL_ANYCASE
    for gate in gate_fr.finditer(lowered):
        at = gate.start()
        if at == 0 or not text[at - 1].isalnum():
            m = _ADDRESS_FR.match(text, at)
            if m:
                yield _finding(text, m.start(), m.end(), RULE_ADDRESS)
                continue
            # Number first: look back from the street word for "23 " or "23, ".
            head = text[max(0, at - 12) : at]
            number = _NUMBER_BEFORE.search(head)
            if number:
                m = _ADDRESS_FR_NUMBER_FIRST.match(text, at - len(head) + number.start())
                if m:
                    yield _finding(text, m.start(), m.end(), RULE_ADDRESS)
    for gate in gate_nl.finditer(lowered):
        word_start = gate.start()
        while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] in "'-"):
            word_start -= 1
        m = _ADDRESS_NL.match(text, word_start)
        if m:
            yield _finding(text, m.start(), m.end(), RULE_ADDRESS)
    # The next two gates look for capitalised words: a substring test first is cheaper than a scan.
    if any(word in text for word in _TWO_WORD_LEADS):
        for gate in _GATE_NL_TWO.finditer(text):
            m = _ADDRESS_NL_TWO.match(text, gate.start())
            if m:
                yield _finding(text, m.start(), m.end(), RULE_ADDRESS)
    if any(word in text for word in _EN_STREETS):
        for gate in _GATE_EN.finditer(text):
            m = _ADDRESS_EN.search(text, max(0, gate.start() - 60), gate.end())
            if m:
                yield _finding(text, m.start(), m.end(), RULE_ADDRESS)


# The plates' characters without the lookarounds, a character class first (re skips to the few
# digits and capitals): a post with no match of these has no plate, and is not scanned further.
_PLATE_GATE = re.compile(r"[1-9](?:[- ]?[A-Z]{3}[- ][0-9]{3}|-[A-Z]{3}[0-9]{3})")
_PLATE_OLD_GATE = re.compile(r"[0-9A-Z](?:(?<=[A-Z])[A-Z]{2}[- ]?[0-9]{3}|(?<=[0-9])[0-9]{2}[- ]?[A-Z]{3})")


def _plates(text: str) -> Iterator[Finding]:
    if not _CAPS3.search(text):
        return  # every plate holds three capitals in a row
    if _PLATE_GATE.search(text):
        for m in _PLATE.finditer(text):
            yield _finding(text, m.start(), m.end(), RULE_PLATE)
    if not _PLATE_OLD_GATE.search(text):
        return
    for m in _PLATE_OLD.finditer(text):
        if _PLATE_WORD.search(text, max(0, m.start() - 40), m.start()):
            yield _finding(text, m.start(), m.end(), RULE_PLATE)


def find_personal_data(text: str) -> list[Finding]:
    """All personal data in the text; a span claimed by a stronger rule is not repeated."""
    found: list[Finding] = []
    plain = _plain_digits(text)
    if plain != text:
        # Read the digits as plain ones, and report the words as written.
        return [
            dataclasses.replace(f, match=text[f.start : f.end]) for f in find_personal_data(plain)
        ]
    sources: tuple[Callable[[str], Iterator[Finding]], ...] = (_emails, _names)
    if _DIGIT.search(text):
        sources = (_emails, _addresses, _plates, _names)
        if _EIGHT_DIGITS.search(text):
            sources = (_emails, _ibans, _national_numbers, _phones, _addresses, _plates, _names)
    if _ZERO_WORD.search(text):
        sources = (*sources, _spelled_phones)
    spans = DisjointSpans()
    for source in sources:
        for f in source(text):
            if spans.add(f.start, f.end):
                found.append(f)
    return found
