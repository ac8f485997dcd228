"""Rule-based detectors: contacts and numbers (validated with phonenumbers and python-stdnum),
addresses, places of care, titled and introduced names, towns given as personal details.

They run for every language and are the whole anonymiser when the NLP extra is
missing. Rules look for the shapes people write in Belgian forums:
"rue des Tanneurs 14, 4000 Liège", "Kerkstraat 12 bus 3", "CHU de Liège",
"UZ Leuven", "Dr Janssens", "ma fille Camille", "ik woon in Mechelen".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.be import bis as stdnum_bis
from stdnum.be import nn as stdnum_nn

from app.research.anonymise.spans import Label, Span

# ---------------------------------------------------------------- building blocks
UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
LOWER = "a-zàâäçéèêëîïôöùûüÿæœß"
CAP = rf"[{UPPER}][{LOWER}'’]+(?:-[{UPPER}]?[{LOWER}'’]+)*"  # Marie, Jean-Pierre, D'Hondt
PARTICLE = (r"(?:[Vv]an(?:\s+[Dd]e[rn]?)?|[Vv]ande[rn]?|[Dd]e|[Dd]er|[Dd]en|[Ll]e|[Ll]a|[Dd]u|[Dd]es|[Tt]er|[Tt]en"
            r"|[Vv]on)")
# A first name, possibly initials, and up to two surname parts with particles ("Van den Broeck").
NAME = rf"(?:[{UPPER}]\.\s?)?{CAP}(?:\s+(?:{PARTICLE}\s+)?{CAP}){{0,2}}"
INITIAL_NAME = rf"(?:[{UPPER}]\.\s?)+{CAP}"

# Capitalised words that follow a title or a greeting but are no one's name.
NOT_NAMES = frozenset(
    """
    je j' tu il elle on nous vous ils elles moi toi lui le la les un une des du de au aux et ou mais
    tout tous toutes toute chacun chacune merci bonjour bonsoir salut coucou courage hello hi hey hallo
    dag beste lieve ik jij je hij zij wij we jullie het een en of maar allemaal iedereen bedankt
    i you he she we they it the a an and or but everyone all thanks thank dear
    ma mon mes ta ton tes sa son ses notre votre leur mijn jouw zijn haar onze my your his her our their
    oui non ja nee yes no ok okay voilà hier vandaag today aujourd'hui demain morgen tomorrow
    lundi mardi mercredi jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag zaterdag
    zondag monday tuesday wednesday thursday friday saturday sunday janvier février mars avril mai juin
    juillet août septembre octobre novembre décembre januari februari maart april juni juli augustus
    september oktober november december january february march may june july august october
    belgique belgië belgie belgium bruxelles brussel brussels wallonie vlaanderen flanders wallonia
    france frankrijk nederland pays-bas netherlands europe
    """.split()
)


def _not_a_name(word: str) -> bool:
    return word.casefold().strip(".,;:!?'’") in NOT_NAMES


# ---------------------------------------------------------------- contacts
EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\(\[\{]\s?(?:at|arobase|apenstaart)\s?[\)\]\}]\s?)"
    r"[\w-]+(?:(?:\.|\s?[\(\[\{]\s?(?:dot|point|punt)\s?[\)\]\}]\s?)[\w-]+)*"
    r"(?:\.|\s?[\(\[\{]\s?(?:dot|point|punt)\s?[\)\]\}]\s?)[A-Za-z]{2,}",
    re.IGNORECASE,
)
TLDS = "be|com|org|net|eu|fr|nl|info|io|me|ly|co|uk|de|lu|ch|biz|site|online|blog|app|page|link|xyz"
URL = re.compile(
    rf"(?:\bhttps?://|\bwww\.)[^\s<>()\[\]{{}}\"]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{TLDS})\b(?:/[^\s<>()\"]*)?",
    re.IGNORECASE,
)
# Public services' sites are not anyone's identifier; a researcher may want to know they were shared.
PUBLIC_SITES = ("1813.be", "tele-onthaal.be", "druglijn.be", "infordrogues.be", "preventionsuicide.be",
                "centreantipoisons.be", "antigifcentrum.be", "health.belgium.be", "fagg.be", "afmps.be")


def _emails(text: str) -> Iterator[Span]:
    for match in EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Label.EMAIL)


def _urls(text: str) -> Iterator[Span]:
    for match in URL.finditer(text):
        url = match.group().rstrip(".,;:!?)'’\"»")
        lowered = url.lower()
        if lowered.startswith(("http", "www")) is False and "@" in text[max(0, match.start() - 1):match.start()]:
            continue  # the domain of an e-mail address
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", lowered).split("/")[0]
        if host in PUBLIC_SITES or any(host.endswith("." + site) for site in PUBLIC_SITES):
            continue
        yield Span(match.start(), match.start() + len(url), Label.URL)


# ---------------------------------------------------------------- numbers
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
BE_IBAN_SHAPE = re.compile(r"BE\d{2}(?:\s?\d{4}){3}")
NATIONAL = re.compile(r"(?<![\d.,/-])\d{2}[.\s]?\d{2}[.\s]?\d{2}[\s.-]?\d{3}[\s.-]?\d{2}(?![\d/-]|[.,]\d)")
NATIONAL_FORMATTED = re.compile(r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}")


def _ibans(text: str) -> Iterator[Span]:
    for match in IBAN.finditer(text):
        candidate = match.group()
        # Shrink group by group: the regex may have swallowed a following code.
        while candidate:
            if stdnum_iban.is_valid(candidate) or BE_IBAN_SHAPE.fullmatch(candidate):
                yield Span(match.start(), match.start() + len(candidate), Label.IBAN)
                break
            cut = candidate.rfind(" ")
            candidate = candidate[:cut] if cut > 4 else ""


def _national_numbers(text: str) -> Iterator[Span]:
    for match in NATIONAL.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if (stdnum_nn.is_valid(digits) or stdnum_bis.is_valid(digits)
                or NATIONAL_FORMATTED.fullmatch(match.group())):
            yield Span(match.start(), match.end(), Label.NATIONAL_ID)


# Belgian help lines are public numbers, kept for the researcher (shared/reference/belgian-helplines.md).
PUBLIC_NUMBERS = frozenset({"080032123", "1813", "106", "107", "112", "070245245", "100", "101"})


# Seven digits or more, with the separators people type: anything shorter is no phone number,
# and phonenumbers' matcher is slow enough to be worth skipping for dose-only posts.
PHONE_CANDIDATE = re.compile(r"\d(?:[\s./()\-]{0,2}\d){6,}")


def _phones(text: str) -> Iterator[Span]:
    if not PHONE_CANDIDATE.search(text):
        return
    seen: set[tuple[int, int]] = set()
    for region in ("BE", "FR", "NL"):
        for found in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            digits = re.sub(r"\D", "", found.raw_string)
            if digits in PUBLIC_NUMBERS or (found.start, found.end) in seen:
                continue
            seen.add((found.start, found.end))
            yield Span(found.start, found.end, Label.PHONE)
    # Local numbers written with separators that phonenumbers cannot place ("0470/12.34.5").
    for match in re.finditer(r"(?<![\w.,/])0\d{1,3}[ /.-]\d{2,3}[ .-]?\d{2}[ .-]?\d{2}(?![\w,/])", text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) in (9, 10) and digits not in PUBLIC_NUMBERS:
            yield Span(match.start(), match.end(), Label.PHONE)


# ---------------------------------------------------------------- addresses
STREET_FR = (r"(?i:rue|avenue|av\.|chaussée|chaussee|boulevard|bd|place|square|quai|allée|allee|chemin|clos|"
             r"drève|dreve|impasse|route|rond-point|galerie|parvis|cour|sentier|venelle|ruelle|cité|cite|voie)")
STREET_FR_NAME = (rf"(?:(?:de\s+la|de\s+l['’]|des|du|de|d['’]|la|le|l['’]|aux|au)\s*)?"
                  rf"(?:[{UPPER}0-9][\w'’-]*)(?:[\s-]+(?:de\s+la|des|du|de|d['’]|la|le|l['’]|aux|au|sur|en|"
                  rf"[{UPPER}][\w'’-]*)){{0,5}}")
HOUSE = r"\d{1,4}(?:\s?[a-zA-Z](?![\w'’]))?(?:\s?(?:/|bte|boîte|boite|bus|b\.)\s?\d{1,4})?"
POSTCODE_TOWN = rf"[1-9]\d{{3}}\s+{CAP}(?:[\s-]+(?:{CAP}|sur|lez|[Ss]aint|[Ss]int|aan|op|de))*"
NL_SUFFIXES = (r"(?:straat|str\.|laan|steenweg|lei|plein|dreef|weg|kaai|dijk|baan|singel|vest|markt|hof|pad|"
               r"wegel|kouter|veld|gracht|kade|ring|dries|hoek|berg|boulevard|park|heide|vliet|pleintje|straatje)")
ADDRESS_PATTERNS = [
    # rue des Tanneurs 14, 4000 Liège / avenue Louise 54 bte 3 / rue Haute (with a number or a postcode)
    re.compile(rf"\b{STREET_FR}\s+{STREET_FR_NAME},?\s*{HOUSE}(?:,?\s*(?:à\s+)?{POSTCODE_TOWN})?"),
    re.compile(rf"\b{STREET_FR}\s+{STREET_FR_NAME},?\s*{POSTCODE_TOWN}"),
    # 14 rue des Tanneurs (French order)
    re.compile(rf"\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+{STREET_FR}\s+{STREET_FR_NAME}(?:,?\s*{POSTCODE_TOWN})?"),
    # Kerkstraat 12 bus 3, 9000 Gent / Grote Markt 1 / Sint-Pietersnieuwstraat 41
    re.compile(rf"\b(?:(?:Grote|Kleine|Oude|Nieuwe|Lange|Korte|Hoge|Lage|Sint|Onze-Lieve-Vrouw)[\s-])?"
               rf"[{UPPER}][{LOWER}'’-]*{NL_SUFFIXES}\s*{HOUSE}(?:,?\s*{POSTCODE_TOWN})?"),
    re.compile(rf"\b[{UPPER}][{LOWER}'’-]*{NL_SUFFIXES},?\s*{POSTCODE_TOWN}"),
    # Grote Markt 7, Oude Vest 12
    re.compile(rf"\b(?:Grote|Kleine|Oude|Nieuwe|Lange|Korte|Hoge|Lage|Vrijdag|Groen|Groene)\s+"
               rf"(?:Markt|Plein|Straat|Weg|Kaai|Dijk|Vest|Steenweg|Baan|Heerweg|Zavel)\s*{HOUSE}"
               rf"(?:,?\s*{POSTCODE_TOWN})?"),
    # 221 Baker Street / 12 Church Road
    re.compile(rf"\b\d{{1,4}}\s+(?:{CAP}\s+){{1,3}}(?:Street|St\.|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Way|Close)\b"),
]
# "4000 Liège" alone, when the number is not a year ("en 2019 Marie...") and follows a cue.
POSTCODE_ALONE = re.compile(
    rf"(?:(?<=\bà\s)|(?<=\bin\s)|(?<=\bte\s)|(?<=,\s)|(?<=\bcode postal\s)|(?<=\bpostcode\s))({POSTCODE_TOWN})"
)


# Cheap gates: each family of address patterns runs only when one of its key words is in
# the (lower-cased) text; the patterns themselves backtrack over every capitalised word.
_FR_WORDS = ("rue ", "avenue", "av. ", "chauss", "boulevard", "bd ", "place ", "square", "quai", "allée", "allee",
             "chemin", "clos ", "drève", "dreve", "impasse", "route", "rond-point", "galerie", "parvis", "cour ",
             "sentier", "venelle", "ruelle", "cité", "cite ", "voie ")
_NL_WORDS = ("straat", "str.", "laan", "steenweg", "lei", "plein", "dreef", "weg", "kaai", "dijk", "baan", "singel",
             "vest", "markt", "hof", "pad", "kouter", "veld", "gracht", "kade", "ring", "dries", "hoek", "berg",
             "boulevard", "park", "heide", "vliet")
_EN_WORDS = ("street", "st.", "road", "rd", "avenue", "ave", "lane", "drive", "way", "close")
ADDRESS_GATES = [_FR_WORDS, _FR_WORDS, _FR_WORDS, _NL_WORDS, _NL_WORDS, _NL_WORDS, _EN_WORDS]


def _addresses(text: str) -> Iterator[Span]:
    if not any(ch.isdigit() for ch in text):
        return  # every pattern needs a house number or a postcode
    lowered = text.lower()
    for words, pattern in zip(ADDRESS_GATES, ADDRESS_PATTERNS, strict=True):
        if not any(word in lowered for word in words):
            continue
        for match in pattern.finditer(text):
            yield Span(match.start(), match.end(), Label.ADDRESS)
    for match in POSTCODE_ALONE.finditer(text):
        year = int(match.group(1)[:4])
        if not 1900 <= year <= 2099:
            yield Span(match.start(1), match.end(1), Label.ADDRESS)


# ---------------------------------------------------------------- places of care
CARE_PREFIX = (
    r"(?:CHU|CHR|CHC|CHwapi|CHIREC|CHUB|HUB|HUDERF|Hôpital|hôpital|Hopital|hopital|Hôpitaux|hôpitaux|"
    r"Clinique|clinique|Cliniques universitaires|Cliniques Universitaires|cliniques universitaires|"
    r"Cliniques|cliniques|Polyclinique|polyclinique|Centre hospitalier|centre hospitalier|"
    r"Centre Hospitalier|Maison médicale|maison médicale|Maison Médicale|Centre de santé mentale|"
    r"centre de santé mentale|Service de santé mentale|service de santé mentale|SSM|Centre psychiatrique|"
    r"centre psychiatrique|Hôpital psychiatrique|hôpital psychiatrique|Cabinet|cabinet|Centre médical|"
    r"centre médical|Pharmacie|pharmacie|"
    r"UZ|AZ|ZNA|GZA|ZOL|OLV|Jessa|Ziekenhuis|ziekenhuis|Kliniek|kliniek|PC|PZ|Psychiatrisch Centrum|"
    r"psychiatrisch centrum|Psychiatrisch Ziekenhuis|psychiatrisch ziekenhuis|Wijkgezondheidscentrum|"
    r"wijkgezondheidscentrum|Huisartsenpraktijk|huisartsenpraktijk|Groepspraktijk|groepspraktijk|CGG|"
    r"Centrum voor Geestelijke Gezondheidszorg|Apotheek|apotheek|Revalidatiecentrum|revalidatiecentrum|"
    r"[Hh]ospital|[Cc]linic|[Pp]harmacy|[Pp]ractice)"
)
CARE_NAME = (rf"(?:\s+(?:de\s+la|de\s+l['’]|des|du|de|d['’]|van|der|den|'t|het|la|le|l['’]|the|of)?\s*"
             rf"(?:[{UPPER}][\w'’.-]*|[{UPPER}]{{2,}}))+")
CARE_PATTERNS = [
    re.compile(rf"\b{CARE_PREFIX}{CARE_NAME}"),
    # Sint-Jansziekenhuis, Jan Yperman Ziekenhuis, St Mary's Hospital, Saint-Luc hospital
    re.compile(rf"\b(?:[{UPPER}][\w'’.-]*\s+){{0,3}}[{UPPER}][\w'’-]*(?:ziekenhuis|kliniek|Ziekenhuis|Kliniek)\b"),
    re.compile(rf"\b(?:[{UPPER}][\w'’.-]*\s+){{1,3}}(?:Hospital|Clinic|hospital|clinic)\b"),
    re.compile(rf"\b(?:[{UPPER}][\w'’.-]*\s+){{1,3}}(?:Ziekenhuis|Kliniek|Clinique|Hôpital)\b"),
]
# Belgian hospitals members name without a prefix ("je suis suivie à Erasme").
CARE_NAMES = re.compile(
    r"\b(?:Erasme|Brugmann|Saint-Luc|Saint-Pierre|Bordet|Gasthuisberg|Stuivenberg|Middelheim|Beau[- ]Vallon|"
    r"Fond'Roy|Fond’Roy|La Ramée|Karus|Sint-Kamillus|Duffel|Sint-Amandus|Alexianen|Titeca|Epsylon|La Clairière|"
    r"Le Domaine|Sanatia|Valkenhof|Bethanië|Pelgrim|Broeders Alexianen|Sint-Jan|Saint-Jean|Delta|Ambroise Paré)\b"
)


def _care_places(text: str) -> Iterator[Span]:
    for pattern in CARE_PATTERNS:
        for match in pattern.finditer(text):
            yield Span(match.start(), match.start() + len(match.group().rstrip(" .")), Label.CARE_PLACE)
    for match in CARE_NAMES.finditer(text):
        yield Span(match.start(), match.end(), Label.CARE_PLACE)


# ---------------------------------------------------------------- people
TITLE = (r"(?:Dr\.?|Dre\.?|Drs\.?|Docteur|docteur|Doctoresse|doctoresse|Dokter|dokter|Doctor|doctor|Doc|doc|"
         r"Prof\.?|Professeur|professeur|Professor|professor|Mme\.?|Mlle\.?|Madame|madame|Mademoiselle|M\.|"
         r"Monsieur|monsieur|Mr\.?|Mrs\.?|Ms\.?|Miss|Mevr\.?|mevr\.?|Mevrouw|mevrouw|Meneer|meneer|Dhr\.?|dhr\.?|"
         r"Maître|maître|Me|psychologue|psychiatre|psychiater|psycholoog|psychologist|psychiatrist|huisarts|"
         r"kiné|kinésithérapeute|kinesist|kinesitherapeut|pharmacienne|pharmacien|apotheker|apothekeres|"
         r"infirmière|infirmier|verpleegster|verpleger|thérapeute|therapeut|therapist|neurologue|neuroloog|"
         r"généraliste|GP|zuster|soeur|sœur|Sister|frère|broeder|pasteur|dominee|abbé|pastoor)")
RELATIVE = (
    r"(?:(?:ma|mon|notre|sa|son)\s+(?:fille|fils|mari|femme|compagne|compagnon|copine|copain|sœur|soeur|frère|"
    r"frere|mère|mere|père|pere|maman|papa|amie|ami|meilleure amie|meilleur ami|voisine|voisin|collègue|tante|"
    r"oncle|cousine|cousin|petite-fille|petit-fils|belle-sœur|belle-soeur|beau-frère|beau-frere|belle-mère|"
    r"beau-père|épouse|époux|conjointe|conjoint|partenaire|fiancée|fiancé|grand-mère|grand-père|marraine|"
    r"parrain|nièce|neveu|petit ami|petite amie|chérie|chéri|ex)"
    r"|(?:mijn|onze|zijn|haar)\s+(?:dochter|zoon|man|vrouw|vriendin|vriend|zus|zuster|broer|moeder|vader|mama|"
    r"papa|partner|buurvrouw|buurman|collega|tante|nonkel|oom|kleinzoon|kleindochter|schoonzus|schoonbroer|"
    r"schoonmoeder|schoonvader|echtgenote|echtgenoot|lief|verloofde|oma|opa|meter|peter|nicht|neef|beste vriendin|"
    r"beste vriend|ex)"
    r"|(?:my|our|his|her)\s+(?:daughter|son|husband|wife|partner|girlfriend|boyfriend|sister|brother|mother|"
    r"father|mum|mom|dad|friend|best friend|neighbour|neighbor|colleague|aunt|uncle|cousin|grandmother|"
    r"grandfather|granddaughter|grandson|niece|nephew|fiancée|fiancé|fiance|fiancee|ex))"
)
INTRO = (r"(?:je m['’]appelle|mon prénom est|mon prenom est|mon nom est|moi c['’]est|je suis|signé|"
         r"ik heet|mijn naam is|mijn voornaam is|ik ben|getekend|"
         r"my name is|my name's|i'm called|i am called|call me|i am|i'm|signed)")
GREETING = (r"(?:Bonjour|Bonsoir|Salut|Coucou|Merci|Chère|Cher|Hello|Hi|Hey|Dear|Thanks|Thank you|Hallo|Hoi|Dag|"
            r"Beste|Lieve|Bedankt|Dank je|Dank u|Welkom|Bienvenue|Welcome|Courage|Sterkte|Proficiat|Félicitations)")
SIGN_OFF = (r"(?:Bisous|Bises|Amitiés|Amicalement|Bien à vous|Bien à toi|Courage|Merci|Cordialement|Belle journée|"
            r"Groetjes|Groeten|Liefs|Veel liefs|Vriendelijke groeten|Gr\.|Dikke knuffel|Sterkte|"
            r"Cheers|Best|Love|Thanks|Take care|Kind regards|Regards|xx|xxx)")

PERSON_PATTERNS = [
    (re.compile(rf"\b(?:{TITLE}\s+)+({INITIAL_NAME}|{NAME})"), 1),
    (re.compile(rf"(?i:\b{RELATIVE})\s*,?\s+({NAME})"), 1),
    (re.compile(rf"(?i:\b{INTRO})\s+({NAME})"), 1),
    (re.compile(rf"(?:^|(?<=[\n.!?]\s)|(?<=[\n.!?]))\s*{GREETING}\s+({NAME})(?=\s*[,!.:\n]|\s+(?:et|en|and)\s)"), 1),
    (re.compile(rf"{SIGN_OFF}\s*[,!.]?\s*\n+\s*({CAP}(?:\s+[{UPPER}]\.?)?)\s*$"), 1),
    (re.compile(rf"\n\s*[-–—]?\s*({CAP})\s*$"), 1),
    (re.compile(rf"(?<=[.!?])\s+({CAP})\s*$"), 1),
]


TITLE_RE = re.compile(rf"{TITLE}\.?")


def _is_title(word: str) -> bool:
    return TITLE_RE.fullmatch(word) is not None


def _name_span(text: str, start: int, end: int) -> Span | None:
    """The name inside a matched group, without leading words that are no one's name."""
    words = [(m.start() + start, m.end() + start, m.group()) for m in re.finditer(r"\S+", text[start:end])]
    while words and (_not_a_name(words[0][2]) or _is_title(words[0][2])
                     or (words[0][2].isupper() and len(words[0][2]) > 3)):
        words = words[1:]
    if not words:
        return None
    return Span(words[0][0], words[-1][1], Label.PERSON)


def _people(text: str) -> Iterator[Span]:
    for pattern, group in PERSON_PATTERNS:
        for match in pattern.finditer(text):
            span = _name_span(text, *match.span(group))
            if span is not None:
                yield span


# ---------------------------------------------------------------- places given as personal details
PLACE_CUE = (
    r"(?:j['’]habite|j['’]habitais|je vis|je vivais|je réside|nous habitons|nous vivons|on habite|on vit|"
    r"j['’]ai grandi|je suis né|je suis née|je travaille|originaire|je suis de|je viens de|habitant|"
    r"pas loin de|près de chez moi|ik woon|ik woonde|wij wonen|we wonen|woonachtig|ik kom uit|ik ben van|"
    r"afkomstig uit|ik werk|opgegroeid|geboren|"
    r"i live|i lived|we live|i'm from|i am from|i grew up|i was born|i work|living)"
)
PLACE_LINK = (r"(?:\s+(?:à|a|en|dans|sur|vers|près de|pres de|du côté de|du cote de|la région de|la région d['’]|"
              r"in|te|bij|vlakbij|nabij|rond|in de buurt van|in de regio|aan|near|close to|outside|at|just outside|"
              r"de|d['’]|van|uit|from)){1,2}\s*")
PLACE = re.compile(rf"(?i:\b{PLACE_CUE}){PLACE_LINK}(?:l['’]|le |la |les |de |het |'t )?"
                   rf"({CAP}(?:[\s-]+(?:{CAP}|sur|lez|aan|de|la))*)")


def _places(text: str) -> Iterator[Span]:
    for match in PLACE.finditer(text):
        start, end = match.span(1)
        place = match.group(1)
        if _not_a_name(place.split()[0]):
            continue
        yield Span(start, end, Label.PLACE)


def find(text: str) -> list[Span]:
    """Every rule's findings (overlaps are resolved by the caller)."""
    spans: list[Span] = []
    for detector in (_emails, _urls, _ibans, _national_numbers, _phones, _addresses, _care_places, _people,
                     _places):
        spans.extend(detector(text))
    return spans
