"""Cue phrases the context rules look for, in FR, NL and EN.

All cues run on FOLDED text (lower case, no accents, "'" for apostrophes),
so "arrêté" is written "arrete" here. Kept apart from the rules so that
moderators reviewing a rule's wording can read the cues on their own.
"""

from __future__ import annotations

import re


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


_ME = r"(?:m|t|l|nous|vous|les|me|te|se)"
REPORTED_SPEECH = _rx(
    # FR: being called, treated, seen as
    r"trait(?:e|ee|es|ees|er|ait|aient|ent|ez)",
    r"appel(?:le|lent|les|e|ee|es|ees|er|ait|aient)",
    r"qualifi(?:e|ee|es|ees|er|ait)",
    r"consider(?:e|ee|es|ees|ait|aient|ent)",
    r"insult\w*",
    r"etiquet\w*",
    r"catalogu\w*",
    r"(?:prend|prennent|pris|prise|vu|vue|vus|voit|voient|voie|voir|regarde|regardent|juge|jugee)"
    r" (?:pour|comme)",
    r"passer pour",
    _ME + r" ?'? ?(?:a|ont|avait|avaient) dit",
    r"(?:dit|disent|dire|pense|pensent|croit|croient|trouve|trouvent) (?:que|qu) ?'? ?"
    r"(?:je|j|j'|nous|on|tu)",
    r"comme si (?:j|je|nous|on|tu)",
    r"(?:selon|d'apres|d apres) (?:lui|elle|eux|elles|mon|ma|mes|le|la|les|certains)",
    r"pour (?:lui|elle|eux|elles|mon \w+|ma \w+|les gens|certains)\W+(?:je|j|on|nous)",
    # NL: genoemd, uitgemaakt voor, gezien als, zei dat ik
    r"noem(?:de|den|t|en)?",
    r"genoemd",
    r"uit(?:gemaakt|maken|maakte|maakt|gescholden)",
    r"maak(?:t|te|ten)? (?:me|mij|ons|hem|haar) uit",
    r"scheld\w*|schold\w*",
    r"(?:behandeld|bekeken|gezien|weggezet|afgeschilderd|bestempeld|afgedaan|aanzien|aanzag|"
    r"zag|zien|ziet|zagen|behandelt|behandelen|bekijken|bekijkt) (?:\w+ )?(?:als|voor)",
    r"(?:aangezien|versleten) voor",
    r"(?:zei|zegt|zeggen|zeiden|vond|vindt|vinden|denkt|denken|dacht|dachten) "
    r"(?:dat|da) (?:ik|we|wij|ge|gij|je)",
    r"volgens (?:hem|haar|hen|hun|mijn|de|die|sommigen)",
    r"alsof (?:ik|we|wij|ge|gij|je)",
    # EN: called me, treated like, seen as
    r"call(?:ed|s|ing)? (?:me|us|him|her|them|you|people)",
    r"label(?:l?ed|s|l?ing)?",
    r"(?:treat|look|stare)(?:ed|s|ing)? (?:at )?(?:me|us|him|her|them|people) (?:like|as)",
    r"(?:see|sees|saw|seen|view|viewed|views) (?:me |us |him |her |them )?as",
    r"(?:said|say|says|told me|tells me|thinks?|thought|believes?|assumed?) (?:that )?"
    r"(?:i|i'm|im|we|we're|i was)",
    r"as if (?:i|we) (?:was|were|am)",
    r"like (?:i|we) (?:was|were|am) (?:a|an|some)",
    r"branded",
    r"made (?:me|us) feel like",
    r"according to (?:him|her|them|my|the|some)",
    r"accus(?:ed|es|ing) (?:me|us|him|her) of being",
)

METALINGUISTIC_BEFORE = _rx(
    r"(?:le|du|au|ce|les|des|ces|un) (?:mot|terme|label|qualificatif|vocable)s?",
    r"l'? ?(?:etiquette|expression)",
    r"(?:mots?|termes?|etiquettes?|expressions?|labels?) (?:comme|tels? que|du genre|de type)",
    r"(?:ne|n') ?(?:dites|dis|dit|disons) (?:pas|plus|jamais)",
    r"(?:arret\w*|evit\w*|stop) (?:de )?dire",
    r"au lieu de(?: dire)?",
    r"plutot que(?: de dire)?",
    r"on dit (?:plutot|pas)",
    r"(?:het|dat|dit|een) (?:woord|label|etiket|begrip|term)",
    r"de term",
    r"(?:woorden|termen|labels|woord|term) (?:zoals|als)",
    r"zeg (?:maar |liever )?(?:niet|geen)",
    r"in plaats van",
    r"i\.?p\.?v\.?",
    r"liever dan",
    r"stop (?:met|me) (?:te )?(?:zeggen|spreken over)",
    r"(?:the|that|this|a) (?:word|term|label|expression)s?",
    r"(?:words?|terms?|labels?) (?:like|such as)",
    r"instead of",
    r"rather than",
    r"stop (?:calling|saying|using)",
    r"(?:don't|dont|do not) (?:say|use|call)",
)

METALINGUISTIC_AFTER = re.compile(
    r"""\W{0,3}\s*(?:,\s*)?(?:c'est|ce sont|est|sont|is|zijn|are|was|klinkt|sounds|blijft|reste)?"""
    r"""\s*(?:[\w']+\s+){0,3}"""
    r"""(?:mot|terme|woord|word|term|label|etiket|etiquette|stigma\w*|beladen|kwetsend|"""
    r"""blessant\w*|hurtful|offensive|pejorati\w*|insult\w*|scheldwoord|scheldnaam|"""
    r"""denigrant\w*|humiliant\w*|vernederend)(?![^\W_])"""
)

NEGATION_BEFORE = re.compile(
    r"(?<![^\W_])(?:pas|jamais|aucune?|sans|niet|nie|nooit|geen|zonder|not|never|no|"
    r"don't|dont|doesn't|isn't|aren't|wasn't|n't)(?:\W+\w+){0,2}\W*$"
)

WARNING = _rx(
    # FR
    r"surtout (?:pas|ne|n')",
    r"jamais",
    r"(?:n'|ne )\s?(?:l'|les )?\s?(?:arret|stopp|lach|jett|coup)\w* (?:pas|jamais|surtout pas)",
    r"(?:arrete|arretez|stoppe|stoppez|fais|faites|coupe|coupez) (?:surtout )?pas",
    r"pas (?:d'un|d un|dun) coup",
    r"pas (?:net|brutalement|du jour au lendemain|sec|direct|tout de suite)",
    r"(?:il )?(?:ne )?faut (?:pas|surtout pas|jamais)",
    r"il ne faut",
    r"evit\w*",
    r"dangereu\w*|danger|risqu\w*|deconseill\w*",
    r"(?:mauvaise|pas une bonne|pas bonne) idee",
    r"convuls\w*|epilep\w*|mortel\w*|fatal\w*|peut tuer",
    r"a ne pas faire|pas conseille|prudence|prudent\w*",
    r"(?:ne |n')?(?:conseill|recommand)\w* (?:pas|jamais|surtout pas)",
    r"sans (?:conseiller|recommander|pousser|encourager|dire)",
    r"zonder (?:aan te raden|te adviseren|aan te moedigen)",
    r"without (?:advising|recommending|telling|encouraging)",
    r"illegal\w*|arnaque\w*|contrefa\w*|faux medicaments?",
    # NL
    r"niet (?:zomaar |zo maar |plots |direct )?(?:in (?:een|1|eens) keer|ineens|plots\w*|zomaar|"
    r"abrupt|direct|meteen|cold turkey|stoppen|kappen|doen)",
    r"stop (?:zeker|vooral|absoluut|alsjeblieft|aub)? ?niet",
    r"nooit|zeker niet|vooral niet|absoluut niet",
    r"gevaarlijk\w*|gevaar|risico\w*|levensgevaarlijk",
    r"afgeraden|af te raden|raad\w* .{0,20}af",
    r"(?:geen|geen goed|slecht) idee",
    r"epilep\w*|insult\w*|aanvallen|stuip\w*|toeval\w*",
    r"niet doen|doe dat niet|doe het niet|pas op|opgepast|let op|voorzichtig\w*",
    r"(?:raden|raad) (?:we|wij|ik|je|u)? ?(?:niet|nooit) aan|niet aan te raden|raden .{0,30}af",
    r"namaak|vervalst\w*|illegaal",
    # EN
    r"(?:never|don't|dont|do not|shouldn't|should not|must not|mustn't|please don't)"
    r"(?: \w+){0,2} (?:stop|quit|go|do|come|try|jump|drop|attempt|just|buy|order|take|share)",
    r"(?:not a good|bad|terrible|awful) idea",
    r"(?:don't|do not|never|wouldn't|would not) (?:advise|recommend|suggest)",
    r"dangerous|danger|risky|seizures?|deadly|fatal|can kill|could kill|not recommended",
    r"unsafe|not safe|be careful|warning|avoid\w*|counterfeit|fake pills?|illegal",
)

QUESTION_START = _rx(
    r"est[ -]ce qu\w*",
    r"peut[ -]on|puis[ -]je|je peux|on peut|peux[ -]tu|pouvez[ -]vous|dois[ -]je|faut[ -]il",
    r"c'est (?:grave|dangereux|possible|risque|normal|safe|une bonne idee)",
    r"qui a (?:deja )?(?:arrete|essaye|tente|fait)",
    r"quelqu'un a (?:deja )?(?:arrete|essaye|tente|fait)",
    r"vous pensez|tu penses|ai[ -]je|avez[ -]vous|as[ -]tu|comment",
    r"is (?:het|dat)|kan ik|kun ik|mag ik|moet ik|zou ik|zal ik|kan je|kun je|kunt u|hoe",
    r"heeft iemand|iemand ervaring|wie heeft|wat (?:denken|vinden)|denken jullie|vinden jullie",
    r"is (?:it|this|that)|can i|could i|should i|would it|will i|do you think|am i",
    r"does anyone|has anyone|have any of you|anyone (?:tried|ever|know)|how",
)

# Rhetorical questions that are really advice: they are not exempt.
RHETORICAL = _rx(r"why not|why don't you|pourquoi (?:ne )?pas|waarom (?:niet|stop je niet)")

_FR_STOP = r"(?:arret\w*|stopp\w*|coup\w*|lach\w*|sevre\w*|fait|tente|essaye|decide|du|passe\w*)"
# A past tense with its verb: searched in the sentence up to the END of the
# match, because the verb is often the match itself ("j'avais arrêté net").
NARRATION = _rx(
    r"(?:j'?|je l'?|je les |on m'?|ils m'?|elles m'?|il m'?|elle m'?|on l'?|il |elle |ils |"
    r"elles |on |nous |mon \w+ |ma \w+ )\s?(?:ai|a|ont|avons|avais|avait|avaient|suis|est|sont)"
    r"(?: \w+){0,3} " + _FR_STOP,
    r"(?:quand|lorsque|apres que|depuis que) (?:j|je|on|il|elle)",
    r"(?:ik|'k|we|wij|hij|zij|ze|mijn \w+) (?:ben|heb|was|is|heeft|zijn|hebben|stopte|kapte|"
    r"deed|had|moest|werd)",
    r"(?:ben|heb|stopte|kapte|moest|werd) (?:ik|'k)",
    r"toen",
    r"(?:i|we|he|she|they|my \w+) (?:quit|stopped|went|came|jumped|did|tried|had|was|were|got|"
    r"decided|ended up)",
    r"i(?:'ve| have|ve) (?:quit|stopped|been|done|gone|come)",
    r"(?:when|after|before|once) i",
    r"(?:they|the hospital|rehab|detox|my doctor|my gp) (?:took|cut|pulled|stopped|made)",
    r"was (?:taken|cut|pulled|yanked)",
)
# Markers of a past time anywhere in the sentence ("..., à l'époque").
PAST_TIME = _rx(
    r"la (?:premiere|derniere|seule) fois",
    r"il y a (?:\d+|un|une|deux|trois|quelques|plusieurs) \w+",
    r"en (?:19|20)\d\d|l'an dernier|l'annee derniere|a l'epoque|autrefois",
    r"destijds|vroeger|geleden|vorig jaar|in (?:19|20)\d\d",
    r"years ago|months ago|weeks ago|last year|back (?:then|in)|in (?:19|20)\d\d",
)

ADVICE = _rx(
    # FR: imperatives and advice (folded "arrete" is also the participle; the
    # narration rule has already removed "j'ai arrêté" before this is asked)
    r"arrete[sz]?|stoppe[sz]?|lache[sz]?|jette[sz]?|coupe[sz]?|balance[sz]?|vire[sz]?",
    r"laisse[sz]? tomber|fai(?:s|tes) comme moi|fais[ -]le|faites[ -]le|vas[ -]y|allez[ -]y",
    r"tu devrais|vous devriez|tu dois|vous devez|faut|il faut|le mieux|la meilleure",
    r"tu peux|vous pouvez|tu pourrais|vous pourriez|t'? ?as qu'? ?a|suffit d'? ?",
    r"je (?:te|vous) (?:conseille|recommande|dirais)|conseil\w*|suffit",
    r"y ?a qu'? ?a|t'? ?as qu'? ?a|tu n'as qu'a|vous n'avez qu'a",
    r"seule? (?:moyen|facon|solution|maniere)|crois[ -]moi|croyez[ -]moi",
    r"pas besoin|inutile de|ca sert a rien|n'ecoute[sz]? pas|moi je dis|a (?:ta|votre) place",
    # NL
    r"(?<!ik )(?<!'k )(?:stop|kap|gooi|smijt|stopt|kapt)",
    r"laat (?:\w+ ){0,3}(?:vallen|liggen|staan)",
    r"moet (?:je|ge|gij|u)|(?:je|ge|gij|jij|u) moet|(?:je|ge|gij|jij|u) zou",
    r"het beste|best|doe (?:zoals|gelijk|net als) ik|doe het|ik raad|raad ik",
    r"mijn (?:advies|raad)|geloof me|vertrouw me|enige (?:manier|oplossing)",
    r"(?:ik|'k) zou(?! (?:\w+ ){0,4}(?:willen|graag|liever|kunnen|moeten|durven))",
    r"als ik (?:u|jou|je|gij) was|in (?:uw|jouw|je) plaats|si j'? ?etais (?:toi|vous)",
    r"niet nodig|hoeft niet|zonder afbouwen|afbouwen is|probeer",
    # EN
    r"just|simply|you should|you need to|you have to|you must|you gotta|you can|you could",
    r"best (?:way|thing|option|to)|only way|i'd|i would|if i were you",
    r"i (?:recommend|suggest|advise)|my advice|trust me|do what i did|do it|no need",
    r"don't bother|rip (?:it|the band-?aid) off|better to|why not|go for it",
    r"^\W*(?:so |and |then )?(?:quit|stop|go|drop|ditch|come off|get off|throw|flush|dump)",
)

PHARMACY_RETURN = _rx(
    r"(?:rapport|ramen|rend|retourn|depos)\w*[^.!?]{0,40}pharmac\w*",
    r"pharmac\w*[^.!?]{0,40}(?:reprend|recuper|rapport)\w*",
    r"(?:donn|apport|port|laiss)\w*[^.!?]{0,40}(?:a la|en) pharmac\w*(?! en ligne)",
    r"(?:terugbreng|terug naar|inlever|binnenbreng|binnen te brengen|afgeven|afgegeven)"
    r"\w*[^.!?]{0,40}apothe\w*",
    r"apothe\w*[^.!?]{0,40}(?:terugbreng|terug|inlever|binnenbr|afgeven|afgegeven)\w*",
    r"(?:take|took|bring|brought|return|returned|drop|dropped)[^.!?]{0,30}(?:pharmac\w*|chemist)",
)

# Words of supply: an invitation to "DM me" is sourcing only when something is on offer.
SUPPLY = _rx(
    r"en trop|de trop|de reste|restants?|qui en veut|en veux|besoin|dispo\w*|prix|euros?|payer?",
    r"paie|vend\w*|donne\w*|ceder|depann\w*|echange\w*",
    r"over|te veel|teveel|liggen|nodig|betaal\w*|prijs|verkoop\w*|geef|ruil\w*|te koop",
    r"extra|spare|leftover|left over|too many|need some|want some|price|cash|pay|selling|sell",
    r"swap|trade|got some|have some|\d+ ?(?:€|eur)",
)

# Medication and drug words, for rules that need one nearby ("à vendre", "DM me").
MEDICATION = _rx(
    r"benzo\w*|xan\w*|alpra\w*|temesta|loraz\w*|lorme\w*|loramet|metatop|noctamid|dormonoct",
    r"loprazolam|lexotan|lexomil|bromaz\w*|clozan|clotiaz\w*|lysanxia|prazepam|victan|frisium",
    r"clobazam|calmday|nordaz\w*|staurodorm|seresta|oxaz\w*|tranxene|belseren|cloraz\w*",
    r"stilnoct|zolpi\w*|imovane|zopi\w*|dormicum|midaz\w*|halcion|triaz\w*|rohypnol|roofies",
    r"flunitraz\w*|lendormin|brotiz\w*|rivotril|clonaz\w*|klonopin|mogadon|nitraz\w*",
    r"valium|diaz\w*|ativan|ambien|lunesta|oxy\w*|tramadol|codeine|morphine|methadone|subutex",
    r"cachets?|comprimes?|pilules?|medocs?|medicaments?|somniferes?|calmants?|anxiolytiques?",
    r"gelules?|plaquettes?|boites? de|drogues?|came|dope|beuh|coke|cocaine|heroine|shit",
    r"pil|pillen|pilletjes?|tablet(?:ten)?|tabletjes?|slaappil(?:len)?|slaapmiddel(?:en)?",
    r"kalmeer\w*|kalmerings\w*|medicatie|medicijn(?:en)?|doosjes?|strips?|drugs",
    r"pills?|tabs?|meds|medications?|sleeping pills?|downers|bars|z-?drugs?|scripts?|weed",
)

# The poster describing themselves: "je suis une ancienne toxico", "ik voel me
# een junkie", "I'm an addict", "8 months clean". The guidelines let everyone
# describe themselves as they wish, so these are never lectured. Searched in
# the sentence before the label; up to three words (articles, adjectives,
# "ancienne", "echte", "complètement") may sit between.
_SELF_LEAD = (
    # FR
    r"je suis|j'? ?suis|jsuis|chuis|suis|j'? ?etais|j etais|je suis devenue?|suis devenue?|je deviens|"
    r"je me sens|je me sentais|me sens|je me considere|je me vois|je me suis senti|je reste|moi,? l'|"
    r"moi,? (?:une?|l'|le|la)|en tant qu'? ?(?:ancien|ancienne|ex)?|d'? ?ancienne?|(?:je|j') ?(?:l'|le|la)? ?suis|"
    r"j'? ?ai l'? ?impression d'? ?etre|je ne suis (?:pas|plus)|je suis pas|je suis plus|"
    # NL
    r"ik ben|'? ?k ben|kben|ben ik|ik was|was ik|ik voel me|ik voel mij|kvoel me|kvoel mij|voel me|voel mij|"
    r"ik ben geworden|ik word|ik blijf|ik noem mezelf|ik ben gewoon|ik ben toch|ik ben maar|ik ben niet|"
    r"ik voelde me|ik voelde mij|als (?:ex|voormalig|gewezen)|mezelf een|"
    # EN
    r"i am|i'? ?m|im|i was|i feel like|i feel|i felt like|i've become|ive become|i became|i'm becoming|"
    r"call myself|i'm just|i'm not|i am not|as an? (?:former|ex|recovering)|me,? an?"
)
SELF_DESCRIPTION = re.compile(
    r"(?<![^\W_])(?:" + _SELF_LEAD + r")(?:\W+[\w']+){0,3}\W*$"
)

# A crisis told as part of recovery: "il y a trois ans j'avais écrit une lettre
# d'adieu; aujourd'hui je vais mieux". Needs a past marker in the sentence and
# a recovery marker in the post.
RECOVERED = _rx(
    r"je vais mieux|(?:ca|ça) va mieux|je m'? ?en suis sortie?|sortie? d'? ?affaire|j'? ?ai survecu|"
    r"aujourd'? ?hui (?:je|ca|j)|grace a vous|je suis (?:toujours|encore) la|"
    r"(?:het )?gaat (?:nu )?beter|ben er doorgekomen|heb het overleefd|ik ben er nog|dankzij jullie|"
    r"i'?m (?:doing )?better|got through|made it through|i survived|still here|thanks to (?:you|this forum)"
)
