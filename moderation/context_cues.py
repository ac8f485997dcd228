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
    r"call(?:ed|s|ing)? (?:me|us|him|her|them|you|people)|(?:being|been|get|gets|got|getting) called",
    r"keeps? (?:saying|telling)|kept (?:saying|telling)|blijft (?:maar )?zeggen|n'? ?arrete pas de (?:dire|me dire)",
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
    # A third person's words reported by the poster ("mijn broer zegt dat ze een verslaafde
    # is", "sa mère dit qu'il est un toxico", "my aunt says he's an addict"): their label.
    r"(?<!ik )(?<!'k )(?:zegt|zei|zeggen|zeiden|vindt|vinden|denkt|denken|dacht|dachten|noemt|beweert|beweren)"
    r" (?:dat|da) (?:ze|zij|hij|hem|haar|mijn|die|onze|mensen|iedereen)",
    r"(?<!je )(?:dit|disait|disent|disaient|pense|pensent|trouve|trouvent|croit|croient|affirme|pretend\w*)"
    r" (?:que|qu) ?'? ?(?:elle|il|ils|elles|ma|mon|mes|c'? ?est|ce sont|les gens|tout le monde)",
    r"(?<!i )(?:says|said|thinks|thought|claims|claimed|reckons) (?:that )?(?:she|he|they|my|mum|mom|dad|people)",
    # Advice someone else gives ("certains conseillent d'arrêter d'un coup", "m'a conseillé de").
    r"(?:m'? ?|me |nous |lui |leur )?(?:a|ont|avait|avaient) conseille",
    r"(?:certains|d'? ?autres|les gens|beaucoup|on|ils|elles) (?:conseill\w*|recommand\w*|disent|pretendent)",
    r"(?:sommigen|anderen|mensen|ze|zij) (?:raden|zeggen|beweren)|raadde (?:me|mij)|heeft (?:me|mij) aangeraden",
    r"(?:some people|some|others|people|they|many) (?:advise|recommend|say|suggest|tell|claim)|advised me|told me to",
    # Someone else's words after a colon ("Mijn vader zegt: gooi alles weg en bid", "ma mère dit : jette tout").
    r"(?<!ik )(?:zegt|zei|zeggen|zeiden|roept|riep|(?<!ai )dit|disait|disent|disaient|says|said|keeps saying) ?:",
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

# ... or said right after: the label is someone else's word ("les pillenslikkers comme dit mon
# beau-père", "junkies, zoals mijn broer ons noemt", "addicts, as my dad calls us").
REPORTED_AFTER = re.compile(
    r"\W{0,3}\s*(?:comme (?:(?:le |les |la )?(?:dit|disait|dirait|dise|disent|appelle|appellent)|on dit)|"
    r"zoals (?:[\w']+ ){1,3}(?:zegt|zei|zeggen|noemt|noemen|het noemt)|"
    r"as (?:[\w']+ ){1,3}(?:says|said|say|calls|called|call)(?: (?:us|them|it|me))?)(?![^\W_])"
)

# The negation's reach stops at a clause: a comma, or "and", "en", "mais" ("1 jaar zonder job en ik
# wil dood", "no job and I want to die" negate nothing of what follows).
NEGATION_BEFORE = re.compile(
    r"(?<![^\W_])(?:pas|jamais|aucune?|sans|niet|nie|nooit|geen|zonder|not|never|no|"
    r"don't|dont|doesn't|isn't|aren't|wasn't|n't)"
    r"(?:[^\w,;:.!?]+(?!(?:en|et|and|maar|mais|but|dus|donc|so|want|car|ou|or)\b)\w+){0,2}[^\w,;:.!?]*$"
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
    r"attention (?:aux?|a la|a l'?|a ces|a ceux)|mefie[zr]?\w*|ne vous faites pas avoir|faites gaffe",
    # "Attention : ...", "faites pas ça", "c'est des faux": a warning about fakes and sellers
    r"attention\s*[:!]|(?:faites|fais|faut) (?:surtout )?pas (?:ca|ça)|(?:c'? ?est|ce sont) (?:\w+ )?des faux",
    # NL
    r"niet (?:zomaar |zo maar |plots |direct )?(?:in (?:een|1|eens) keer|ineens|plots\w*|zomaar|"
    r"abrupt|direct|meteen|cold turkey|stoppen|kappen|doen)",
    r"stop (?:zeker|vooral|absoluut|alsjeblieft|aub)? ?(?:niet|ni|nie)",
    r"(?:stop|kap|gooi) (?:\w+ ){0,3}(?:ni|nie) (?:in (?:een|1|eens) keer|ineens|zomaar|meteen|direct)",
    r"pas op (?:voor|met)|waarschuwing|kijk uit",
    # "nooit", unless it is the outcome foretold ("anders kom je er nooit vanaf": advice to stop, not a warning)
    r"(?<!er )nooit(?! ?(?:vanaf|van af|af|uit|los)(?![^\W_]))|zeker niet|vooral niet|absoluut niet",
    r"gevaarlijk\w*|gevaar|risico\w*|levensgevaarlijk",
    r"afgeraden|af te raden|raad\w* .{0,20}af",
    r"(?:geen|geen goed|slecht) idee",
    r"epilep\w*|insult\w*|aanvallen|stuip\w*|toeval\w*",
    r"niet doen|doe dat niet|doe het niet|pas op|opgepast|let op|voorzichtig\w*",
    r"(?:raden|raad) (?:we|wij|ik|je|u)? ?(?:niet|nooit) aan|niet aan te raden|raden .{0,30}af",
    r"namaak|vervalst\w*|illegaal|oplicht\w*",
    r"(?:niet|nooit) (?:\w+ )?(?:kopen|bestellen)|(?:koop|bestel) (?:\w+ ){0,2}(?:niet|nooit|niks)|"
    r"(?:is|zijn|was) (?:\w+ )?nep",
    # EN
    r"(?:never|don't|dont|do not|shouldn't|should not|must not|mustn't|please don't)"
    r"(?: \w+){0,2} (?:stop|quit|go|do|come|try|jump|drop|attempt|just|buy|order|take|share)",
    r"(?:not a good|bad|terrible|awful) idea",
    r"(?:don't|do not|never|wouldn't|would not) (?:advise|recommend|suggest)",
    r"dangerous|danger|risky|seizures?|deadly|fatal|can kill|could kill|not recommended",
    r"unsafe|not safe|be careful|warning|avoid\w*|counterfeit|fake pills?|illegal",
    r"never,? ever|beware of|watch out for",
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
    r"(?<![\w'])(?:a|ont|avait|avaient) (?:\w+ ){0,2}(?:arrete|stoppe|coupe|lache|sevre)e?s?",
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
    r"il y a (?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quelques|plusieurs) \w+",
    r"en (?:19|20)\d\d|l'an dernier|l'annee derniere|a l'epoque|autrefois",
    r"destijds|vroeger|geleden|vorig jaar|in (?:19|20)\d\d",
    r"years ago|months ago|weeks ago|last year|back (?:then|in)|in (?:19|20)\d\d",
    r"(?:l'? ?|le |la )(?:hiver|ete|automne|printemps|mois|annee) (?:dernier|derniere|passe|passee)",
    r"vorige (?:maand|week|winter|zomer|herfst|lente)|(?:\d+|twee|drie|enkele) (?:maanden|jaar|weken) later",
    r"last (?:month|winter|summer|autumn|spring)|a (?:year|month|week) ago|(?:months|years|weeks) later",
    # A feast of a year gone by ("Last New Year I wrote a goodbye note. This year ... still here").
    r"last (?:christmas|new year'?s?|easter|birthday)|noel dernier|au dernier nouvel an|le nouvel an dernier|"
    r"vorige kerst(?:mis)?|vorig nieuwjaar|vorige verjaardag",
    # A habit of the past ("I used to pray not to wake up, every night. That was 2021.")
    r"used to|j'? ?avais l'? ?habitude|ik deed dat vroeger",
    # Thoughts had and over ("ik heb donkere gedachten gehad", "j'avais des idées noires"): with a
    # recovery in the post (RECOVERED), a past crisis told to encourage others.
    r"heb (?:\w+ ){1,3}gehad|j'? ?(?:avais|ai eu) (?:des |de |les )?(?:idees|pensees)",
    # A period of one's life set apart as over ("my suicidal phase in first bachelor feels like another life").
    r"another life|une autre vie|een ander leven|(?:phase|periode|period|fase) (?:in|en|au|de|of|van|toen)",
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
    r"benzo(?![-\s]?(?:vrij|vrije|free)\b)\w*|xan\w*|alpra\w*|temesta|loraz\w*|lorme\w*|loramet|metatop|noctamid|dormonoct",
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
    r"je suis|j'? ?suis|jsuis|chuis|suis|j'? ?etais|j etais|j'? ?ai ete|j'? ?avais ete|"
    r"je suis devenue?|suis devenue?|je deviens|"
    r"je me sens|je me sentais|me sens|j'? ?me sens|j'? ?me sentais|je me considere|je me vois|je me suis senti|"
    r"je reste|moi,? l'|"
    r"moi,? (?:une?|l'|le|la)|en tant qu'? ?(?:ancien|ancienne|ex)?|d'? ?ancienne?|(?:je|j') ?(?:l'|le|la)? ?suis|"
    r"j'? ?ai l'? ?impression d'? ?etre|(?:j'? ?ai|j'? ?avais) eu l'? ?impression d'? ?etre|"
    r"je ne suis (?:pas|plus)|je suis pas|je suis plus|"
    # Wishing to be it ("je voulais être clean pour mon mariage", "I want to be clean by summer").
    r"(?:je|j') ?(?:voulais|veux|voudrais|aimerais|vais|serai|serais) (?:etre|devenir|rester)|"
    r"i (?:want|wanted|wanna|would like|'d like|'ll|will) (?:to )?(?:be|stay|become)|ik (?:wil|wou|zou graag)|"
    # NL
    r"ik ben|'? ?k ben|kben|ben ik|ik was|was ik|ik voel me|ik voel mij|kvoel me|kvoel mij|voel me|voel mij|"
    r"ik ben geworden|ik word|ik blijf|ik noem mezelf|ik ben gewoon|ik ben toch|ik ben maar|ik ben niet|"
    r"ik voelde me|ik voelde mij|als (?:ex|voormalig|gewezen)|mezelf een|"
    # EN
    r"i am|i'? ?m|im|i was|i'? ?ve been|i have been|"
    r"i feel like|i feel|i felt like|i've become|ive become|i became|i'm becoming|"
    r"call myself|i'm just|i'm not|i am not|as an? (?:former|ex|recovering)|me,? an?|"
    # Inverted and elided subjects: "soms voel ik mij echt een junkie", "(I) feel like such a junkie"
    r"voel ik me|voel ik mij|voelde ik me|voelde ik mij|word ik|werd ik|zie ik mezelf|zie mezelf|"
    r"(?<![\w'] )(?<![\w'])(?:feel|feeling|felt) like|"
    # "I sometimes feel like a junkie": one adverb between the subject and the verb.
    r"i (?:sometimes|often|really|still|just|kinda|honestly|always|even|actually|genuinely|literally) "
    r"(?:feel|felt)(?: like)?"
)
# Words between the lead and the label: articles, adjectives, "echt", and a coordinated
# second label ("een mislukkeling en een verslaafde"); never a new clause or someone
# else ("ik ben bang dat die junkies", "je suis sûre que ces toxicos").
_NOT_BETWEEN = (
    r"(?!(?:dat|da|die|deze|ze|zij|hij|hun|que|qu|ces|cette|ce|ils|elles|il|elle|les|that|these|those|they|he|she|"
    r"them|because|omdat|parce|want|car|of|if|si|als)(?![\w']))"
)
SELF_DESCRIPTION = re.compile(
    r"(?<![^\W_])(?:" + _SELF_LEAD + r")(?:[^\w.!?;]+" + _NOT_BETWEEN + r"[\w']+){0,4}"
    r"(?:[^\w.!?;]+(?:en|et|and)[^\w.!?;]+(?:een|un|une|a|an|des|du|ne|zo'?n|such)"
    r"(?:[^\w.!?;]+" + _NOT_BETWEEN + r"[\w']+)?)?[^\w.!?;]*$"
)

# A crisis told as part of recovery: "il y a trois ans j'avais écrit une lettre
# d'adieu; aujourd'hui je vais mieux". Needs a past marker in the sentence and
# a recovery marker in the post.
RECOVERED = _rx(
    r"je vais mieux|(?:ca|ça) va mieux|je m'? ?en suis sortie?|sortie? d'? ?affaire|j'? ?ai survecu|"
    r"aujourd'? ?hui (?:je|ca|j)|grace a vous|je suis (?:toujours|encore) la|"
    r"(?:het )?gaat (?:nu )?beter|ben er doorgekomen|heb het overleefd|ik ben er nog|dat ik er nog ben|dankzij jullie|"
    r"i'?m (?:doing )?better|got through|made it through|i survived|still here|thanks to (?:you|this forum)|"
    r"benzo-? ?vrij|benzo-? ?free|je suis sevree?|il y a de l'? ?espoir|er is hoop|there is hope|"
    r"it (?:gets|can get|(?:really )?does get|will get) better|"
    r"(?:maanden|jaar|weken) vrij|het kan beter worden|(?:gaat|va|is|feel|feeling) (?:nu |now )?"
    r"(?:veel|beaucoup|much|so much) (?:beter|mieux|better)|ca peut remonter|ca remonte|"
    r"gaat het (?:nu )?(?:veel |een stuk |al )?beter|how far i'? ?(?:ve|have) come|hoe ver ik (?:ben )?gekomen|"
    # A way out told to others ("on en sort", "ge raakt eruit", "it did for me"), a time off counted
    # ("vandaag 1 jaar zonder", "je n'ai plus pris de Lexomil depuis 2016", "since March 2014").
    r"on (?:s'? ?)?en sort|(?:ge|je) (?:raakt|komt) eruit|(?:het )?wordt (?:het )?beter|it did for me|"
    r"another life|une autre vie|een ander leven|"
    # "ik lach weer", "blij dat het niet gelukt is", "ça peut changer": the way out told
    r"ik (?:lach|kan) weer(?: lachen)?|blij dat het niet gelukt is|omdat er hoop is|(?:ca|ça) peut changer|"
    r"i (?:can )?laugh again|glad it didn'? ?t work|"
    r"0 ?mg (?:de \w+ )?depuis \d+ mois|\d+ maanden 0 ?mg|0 ?mg (?:for|since) \d+ months|"
    # "You can get here too", "tu peux y arriver aussi": the way out shown to others.
    r"you (?:can|will) get (?:here|there)|(?:tu peux|vous pouvez|on peut) y arriver|"
    r"(?:ge|je|jij|gij) (?:kunt|kan) dat ook|"
    r"\b\d+ (?:ans?|jaar|mois|maanden|years?|months) (?:sans|zonder|without|off|clean|vrij)\b|"
    r"(?:n'? ?ai plus|heb sinds \S+(?: \S+)? geen|haven'? ?t (?:taken|touched|had))\b"
)

# A question someone asked the poster ("mon psy m'a demandé si j'avais des idées noires",
# "mijn psychologe vroeg of ik plannen had", "my GP asked if I'd had thoughts of self-harm"):
# the words are the question's, not the poster's.
ASKED = _rx(
    r"(?:m'? ?|me |nous |lui )?(?:a|ont|avait|avaient) demande (?:si|s'? ?)",
    r"(?:me |m'? ?)?demand(?:e|ait|aient|ent|ant) (?:si|s'? ?)|demandait si|se demande si",
    r"vr(?:oeg|oegen|aagt|agen) (?:me |mij |ons )?of|wilde weten of|wou weten of",
    r"ask(?:ed|s|ing)? (?:me |us |him |her )?(?:if|whether)|wanted to know (?:if|whether)",
    r"wonder(?:ed|s|ing)? (?:if|whether)",
)

# Someone with a prescription pad or a pharmacy behind the act ("ma pharmacienne peut me
# dépanner 2 comprimés en attendant l'ordonnance", "mon médecin m'a coupé le Xanax d'un coup",
# "le médecin de garde a refusé de me dépanner"): the care channel, not a member's offer or advice.
# The professional must be the subject of the same clause: nobody else ("quelqu'un", "iemand")
# and no clause break between.
CARE_AGENT = re.compile(
    r"(?<![^\W_])(?:pharmacien\w*|pharmacie\w*|apothe\w*|chemist|pharmacist|medecin\w*|docteur\w*|toubib|"
    r"generaliste|psychiatre|neurolog\w*|dokter\w*|huisarts\w*|arts|psychiater|doctor|gp|ma psy|mon psy)"
    r"(?:(?![,;:]|(?<![^\W_])(?:mais|maar|but|donc|dus|alors|quelqu|qqn|iemand|someone|anyone|anybody|qui|wie|who)"
    r"(?![^\W_])).){0,70}$"
)
# ... unless the point is that they hand it out without a prescription ("la pharmacie à côté
# de la Bourse donne des benzos sans ordonnance si t'insistes").
NO_PRESCRIPTION = _rx(
    r"sans (?:ordonnance|ordo|prescription)|zonder (?:voorschrift|recept)|without (?:a )?(?:prescription|script)|"
    r"no (?:script|prescription|questions)|si (?:tu|t'? ?) ?insist\w*|complaisance|geen vragen|"
    r"sans (?:poser de )?questions?"
)
# The poster takes back an answer to such a question ("j'ai dit non. j'ai menti").
ADMITTED = _rx(
    r"j'? ?ai menti|c'? ?est faux|c'? ?etait faux|pas vrai|ik heb gelogen|dat was gelogen|was gelogen|niet waar|"
    r"i lied|that was a lie|not true|wasn't true"
)
# A wish given up or past, not advice nor a decision ("ik wou alles weggooien, dan heb ik mijn
# huisarts gebeld"). A present wish ("je voudrais arrêter d'un coup") is the poster's own plan.
WISHED = _rx(
    r"ik wou|wou ik|had zin|in de verleiding|j'? ?aurais (?:bien )?voulu|j'? ?ai eu envie|j'? ?avais envie|"
    r"j'? ?etais tentee?|i wanted to|i was tempted|was tempted|part of me wanted|"
    r"(?:didn'?t|did not|wouldn'?t|would not) want to|je (?:ne )?voulais pas|(?:ik )?wou (?:ik )?(?:niet|ni)|"
    r"wilde ik (?:niet|ni)"
)
# ... or a wish the poster gives up in the same breath ("..., maar ik doe het niet").
RENOUNCED = _rx(
    r"maar ik doe het (?:niet|ni|nie)|maar dat doe ik (?:niet|ni|nie)|maar ik ga het (?:niet|ni|nie) doen|"
    r"mais je (?:ne )?le fais pas|mais je (?:ne )?vais pas le faire|but i (?:won'?t|will not|am not going to|"
    r"'?m not going to|don'?t)"
)
BRIDGING = _rx(
    r"en attendant (?:que |qu'? ?|le |la |l'? ?|mon |ma |son |sa )*"
    r"(?:medecin|docteur|ordonnance|prescription|renouvel\w*)",
    r"(?:tot|in afwachting van) (?:mijn |het |de |een )*(?:nieuwe )?(?:voorschrift|dokter|huisarts|recept)",
    r"until (?:my |the |a )*(?:new )?(?:prescription|script|doctor|gp)",
)

# A label negated as a predicate: "je ne suis pas une toxico", "kzen gene drugsgebruiker",
# "we are not addicts". "On ne fréquente pas LES toxicomanes" negates the verb, not the label.
NEGATED_LABEL = re.compile(
    r"(?<![^\W_])(?:pas|plus|jamais|niet|nie|ni|geen|gene|not|never|no)"
    r"(?:\W+(?:vraiment|echt|really|zomaar|gewoon|just|juste|simplement|forcement|necessarily|allemaal|tous|all))?"
    r"(?:\W+(?:etre|zijn|be|being))?"
    r"(?:\W+(?:un|une|des|de|du|d|een|ne|a|an|some|zo'?n|such))?(?:\W+(?:vraie?|echte|real|simple|gewone))?\W*$"
)

# A farewell addressed to the pills or the illness ("une lettre d'adieu à mon Xanax", "dire adieu
# à mon dernier quart de Lexotan", "een afscheidsbrief aan de zolpidem", "a goodbye letter to my anxiety").
FAREWELL_TO_HABIT = re.compile(
    r"(?:\W+(?:ecrire|schrijven|write|writing|zeggen|dire|say|saying|nemen|neem))?\W+(?:a|aan|to|van|au|aux)"
    r"(?:\W+(?:mon|ma|mes|la|le|l|de|het|mijn|my|the|this|that|ce|cette|ces|die|dat))?"
    r"(?:\W+(?:dernier|derniere|laatste|last|vieux|vieille|oude|old)\W+\w+(?:\W+(?:de|d|van|of))?)?"
    r"\W+(?:benzo\w*|xan\w*|alpra\w*|temesta|loraz\w*|lorme\w*|loramet|lexotan|lexomil|bromaz\w*|"
    r"seresta|oxaz\w*|stilnoct|zolpi\w*|imovane|zopi\w*|rivotril|clonaz\w*|valium|diaz\w*|"
    r"cachets?|comprimes?|pilules?|medocs?|somniferes?|pil|pillen|pilletjes|slaappil\w*|pills?|meds|"
    r"anxi\w*|angst\w*|insomni\w*|slapeloosheid|dependance|verslaving|addiction|habit|gewoonte|habitude)"
    r"(?![^\W_])"
)

# Crisis words named as a withdrawal symptom in general ("les idées suicidaires font partie des
# effets du sevrage ?", "suicidal thoughts in withdrawal are common, they are a symptom"), with no
# first person in the sentence, or told in the past: psychoeducation, not a crisis.
SYMPTOM_TALK = _rx(
    r"symptomes?|effets? (?:secondaires?|indesirables?|du sevrage|de sevrage|des benzos?)|"
    r"(?:font|fait) partie (?:du|des|de)|"
    r"symptoo?m\w*|bijwerking\w*|ontwenningsverschijnsel\w*|ontwenningssymptoo?m\w*|"
    r"symptoms?|side effects?|withdrawal effects?|(?:are|is) (?:very )?common (?:in|during)"
)
FIRST_PERSON = _rx(
    r"je|j|moi|me|m|mon|ma|mes|ik|k|kzit|kheb|kben|mij|me|mijn|m'n|mezelf|i|i'm|im|me|my|myself|mine"
)

# The poster reported an offer to the platform or the moderators ("Reported it.", "Gemeld bij het
# platform", "Mods, please remove this one"): the offer is told, not made.
REPORTED_OFFER = _rx(
    r"reported (?:it|them|him|her|this|the \w+)|i reported|i'? ?ve reported|"
    r"(?:j'? ?ai |je l'? ?ai |je les ai |on l'? ?a )signale\w*|"
    r"signale (?:a|aux) (?:la )?(?:moderation|modos?|plateforme)|"
    r"(?:heb |ik heb )?(?:het |hem |ze |dat )?gemeld|gemeld bij|"
    r"mods?,? (?:please )?(?:remove|delete)|(?:moderat\w*|modos?),? (?:svp |aub |please )?"
    r"(?:supprime\w*|verwijder\w*|remove|delete)"
)

# The poster talking to themselves ("je me suis dit 'tu ressembles à une vieille junkie'", "Da zeg
# ik al heel de dag tegen mezelf", "I told myself I'm a junkie"): a label one gives oneself.
SELF_TALK = _rx(
    r"je me (?:suis )?(?:dit|dis|disais|traite\w*)|me suis (?:dit|traitee?)|(?:en )?me regardant dans le miroir",
    r"zeg ik (?:al \w+ \w+ \w+ )?tegen mezelf|zei ik tegen mezelf|tegen mezelf gezegd|noem(?:de)? ik mezelf|"
    r"in de spiegel",
    r"i (?:told|tell) myself|i said to myself|i call(?:ed)? myself|in the mirror",
)

# Words someone else writes or says, told by a helper ("when someone on this forum writes that
# they are thinking about ending things", "als iemand hier schrijft dat het niet meer hoeft"),
# and a helper's question about a third person ("how do you support a friend who keeps saying
# she can't go on"): not the poster in crisis.
OTHERS_WORDS = _rx(
    r"(?:when|if|whenever) (?:someone|somebody|anyone|anybody|a member|people|a friend|a loved one)\W"
    r"(?:[^.!?]{0,60}?\W)?(?:writes?|says?|talks?|posts?|mentions?|tells? you|speaks?)",
    r"(?:quand|si|lorsqu'? ?|lorsque) ?(?:quelqu'? ?un|qqn|une? membre|les gens|un ami|une amie|un proche)\W"
    r"(?:[^.!?]{0,60}?\W)?(?:ecrit|dit|parle|poste|raconte|evoque)",
    r"(?:als|wanneer|indien) (?:iemand|een lid|mensen|een vriend|een vriendin)\W"
    r"(?:[^.!?]{0,60}?\W)?(?:schrijft|zegt|praat|post|vertelt|spreekt)",
    r"how (?:do|can|should|would) (?:you|i|we) (?:best )?(?:support|help|respond to|react to|talk to|ask)",
    r"comment (?:aider|soutenir|reagir|accompagner|parler a|demander a|lui demander)|"
    r"comment (?:je peux|on peut|puis-je) (?:l'? ?)?"
    r"(?:aider|soutenir)",
    r"hoe (?:help|steun|reageer|reageren|ondersteun|praat|praten|vraag|vragen) (?:je|ik|ge|jullie)|"
    r"hoe kan ik \w+ (?:helpen|steunen)",
    # A stranger's words retold ("un monsieur a dit 'j'ai pensé à mourir'",
    # "iemand schreef 'ik wil er niet meer zijn'").
    r"(?:un monsieur|une dame|un homme|une femme|quelqu'? ?un|qqn|une? membre|someone|somebody|a man|a woman|a guy|"
    r"a member|iemand|een man|een vrouw|een meneer|een mevrouw|een lid) (?:\w+ ){0,3}"
    r"(?:a dit|disait|a ecrit|ecrivait|said|wrote|posted|schreef|zei|postte)",
)

# Crisis words taken back in their sentence ("typing 'can't sleep want to die' into google — not
# literally, just exhausted").
NOT_LITERAL = _rx(
    r"not (?:literally|for real)|figuratively|pas (?:litteralement|au sens propre|pour de vrai)|au (?:sens )?figure",
    r"niet (?:letterlijk|echt gemeend)|figuurlijk|bij wijze van spreken",
    # said as a joke ("disait '... dormir pour toujours' comme une blague"), unless taken back
    r"(?:comme une blague|pour blaguer|als (?:een )?grap|as a joke)(?! ?,? ?(?:mais|maar|but)\b)",
    # hiding from winter ("disappear under the duvet until March")
    r"(?:disappear|vanish) (?:under|into) (?:the|my) (?:duvet|covers|blankets?)|"
    r"disparaitre sous (?:la|ma) couette|verdwijnen onder (?:mijn|het|de|m'n) (?:dekbed|dekens|deken)",
    # a last post "in a good way"
    r"in a good way|dans le bon sens|op een goeie? manier",
)
# ... or taken back in a sentence that follows ("C'était une façon de parler, je vais bien").
NOT_LITERAL_AFTER = _rx(
    r"(?:une |un )?(?:facon|maniere) de parler|bij wijze van spreken|(?:een )?manier van spreken|"
    r"(?:just )?(?:a )?figure of speech|just an expression|not literally|pas litteralement|niet letterlijk|"
    # "Not in a scary way, just bear mode."
    r"not in a (?:scary|dark|bad|suicidal|worrying) way|pas dans (?:le mauvais|ce) sens|"
    r"niet op (?:een|die) (?:enge|donkere|slechte|zorgwekkende) manier|niet zo bedoeld|"
    # reassurance right after ("Pas envie de me faire du mal hein, rassurez-vous"), a week in bed
    r"rassurez[- ]vous|rassure[- ]toi|don'?t worry|maak je geen zorgen|geen paniek|"
    r"sous (?:ma|la) couette (?:pendant|jusqu|toute|tout le)|under (?:the|my) (?:duvet|covers) (?:for|until|all)|"
    r"onder (?:mijn|het|de) (?:dekbed|dekens) (?:tot|voor|heel)",
)

# Words addressed to others who may be in the dark now, right before the crisis words ("pour ceux
# qui ont des idées noires ce soir : le CPS répond 24h/24", "voor wie vanavond donkere gedachten
# heeft", "for anyone who feels suicidal tonight"): a helper's message, not the poster's crisis.
# Up to six words, none of them the poster ("je", "ik", "I") and no clause break between.
_OTHERS_WORDS = r"(?: (?!(?:je|j|ik|k|i|moi|mij|me|my|mijn|mon|ma|mes)\b)[^\s,;:.!?]+){0,6}"
# Comfort found: "het helpt om te lezen dat ik niet alleen ben", "je ne suis pas seule", "I'm not
# alone". With no word of danger in the post, the learned layer's crisis reading of such a reply
# is not kept (a brand-new member's thank-you got the help lines and skipped the first-post hold).
NOT_ALONE = _rx(
    r"(?:ik|we|wij|ge|gij|je|jij) (?:ben|bent|zijn|zijt|sta|staan|staat) (?:hier |dus |echt )?"
    r"(?:niet|nie|ni) (?:meer )?alleen",
    r"(?:ik|we|wij|ge|gij|je|jij) (?:hier |dus |echt )?(?:niet|nie|ni) (?:meer )?alleen "
    r"(?:ben|bent|zijn|zijt|sta|staan|staat)",
    r"(?:je|on|nous|tu|vous) (?:ne |n'? ?)?(?:suis|est|sommes|es|etes) (?:vraiment |donc )?pas (?:tout )?seule?s?",
    r"(?:i'?m|i am|we'?re|we are|you'?re|you are) (?:really |so )?not alone",
)

# "Je vends ma machine à café (rien à voir avec les médocs)": the poster says it is no medication.
NOT_MEDS = _rx(
    r"rien a voir avec (?:les |des )?(?:medocs|medicaments|cachets|pilules)",
    r"(?:niks|niets) (?:te maken )?met (?:pillen|medicatie|medicijnen)(?: te maken)?",
    r"nothing to do with (?:pills|meds|medication|medicine)",
)

ADDRESSED = _rx(
    r"(?:pour|a) (?:ceux|celles|tous ceux|toutes celles|celui|celle) qui" + _OTHERS_WORDS + " $",
    r"(?:voor|aan) (?:wie|iedereen die|al wie|degenen die|diegenen die|wie er)" + _OTHERS_WORDS + " $",
    r"(?:for|to) (?:anyone|those|whoever|everyone|anybody|all of you)(?: who| that)?" + _OTHERS_WORDS + " $",
)

# A warning against buying ("Even een waarschuwing", "Attention aux sites", "never buy benzos
# online"), anywhere in the post ...
WARNED_POST = _rx(
    r"waarschuwing|avertissement|warning|mise en garde|met(?:tent)? en garde|attention (?:aux?|a la|a ces)|"
    r"pas op (?:voor|met)|beware|watch out for",
    r"koop (?:dus |zeker |vooral |toch )?(?:niks|niets|nooit|geen)|n'? ?achetez (?:rien|jamais|pas)|"
    r"(?:never|don'?t|do not) (?:ever )?(?:buy|order)",
    r"arrete[zs]? (?:d'? ?|de )(?:acheter|commander)|ne commande[zs]? (?:jamais|rien|pas)|"
    r"koop (?:\w+ ){0,2}(?:niks|niets|nooit|geen)|stop (?:met )?(?:kopen|bestellen)|stop (?:buying|ordering)",
    # Fakes and scams named as such ("faites pas ça, c'est des faux", "NIET kopen", "PSA: ... are scams")
    r"(?:faites|fais) (?:surtout )?pas (?:ca|ça)|(?:c'? ?est|ce sont) (?:\w+ )?des faux|"
    r"(?:niet|nooit) (?:\w+ )?(?:kopen|bestellen)|(?:is|zijn|was) (?:\w+ )?nep\b|"
    r"(?:are|were) (?:\w+ ){0,2}(?:scams?|fakes?)\b|"
    # "Please, nobody here do that", "Faites attention à vos ados", a closing "Don't."
    r"(?:nobody|no one|niemand|personne) (?:\w+ )?(?:do|try|buy|order|doen|kopen|bestellen|fait|faites|achete)\b|"
    r"je voulais (?:vous )?pr[ée]venir|soyez prudent\w*|sois prudent\w*|wees (?:dus )?voorzichtig|"
    r"ik wil(?:de)? jullie waarschuwen|heads up|\bpsa\b|pressed fakes?|"
    r"faites attention|fais attention|(?:^|[.!?]\s+)(?:please )?don'?t[.!]*\s*$",
)
# ... from a poster who offers, asks or gives a contact of their own is no warning.
OWN_SUPPLY = _rx(
    r"(?:envoie|envoyez|ecris|ecrivez|stuur|send|message|text|dm|pm|mp|pb)[- ](?:moi|me|mij)|"
    r"je (?:vends|vend|donne)|ik (?:verkoop|geef)|i (?:sell|can sell)|contact me|hit me up|"
    r"quelqu'? ?un (?:a|aurait)|heeft iemand|anyone (?:have|got)"
)

# A parent or friend telling what someone else does, and asking how to help ("Mon fils achète sur
# Snap. Comment je peux lui parler ?"): worry, not an offer.
# "Clean" counted in time at the head of a sentence ("1 jaar clean van de Xanax vandaag!!",
# "Five months clean today"): a member's own count.
# Tapering named as what is "for the weak" ("die afbouwschema's zijn voor watjes", "les paliers c'est
# pour les faibles"): advice to stop at once, which the cold-turkey rules flag; the people who take
# the medication are not the target.
TAPER_TARGET = _rx(
    r"(?:afbouw\w*|schema'?s?|paliers?|diminu\w*|degress\w*|sevrage progressif|tapering|taper|weaning|"
    r"10 ?%|10 procent|traag afbouwen|les demi|halveren)\W+(?:\w+\W+){0,4}$"
)
# "en une semaine t'es clean", "binnen de week zijt ge clean": the outcome promised to the reader by
# advice to stop, not a label for anyone.
SECOND_CLEAN = re.compile(r"(?:^|\W)(?:t'? ?|tu |vous |ge |gij |je |jij |you'?re |you are |you'll be |u )$")
OWN_COUNT = re.compile(r"\W*(?:\d+|een|twee|drie|vier|vijf|zes|tien|un|une|deux|trois|quatre|cinq|six|dix|"
                       r"one|two|three|four|five|six|ten) \w+ clean")
# What a benzo is swapped for when the swap is a remedy, not a trade between people ("swap the
# lorazepam for valerian and a glass of wine", "remplace le xanax par un whisky").
REMEDY = _rx(
    r"valeri\w*|cbd|melatonin\w*|wine|vin|wijn|alcohol|alcool|whisky|whiskey|beer|biere|bier|pint|pintje|"
    r"tisane|thee|tea|kamille\w*|camomille|passiflor\w*|magnesium|homeopath\w*|herbal|kruiden\w*|"
    r"a glass|glasses|un verre|een glas|glazen|glass of|verre de|burgundy|bourgogne|peket|pequet|jenever|genievre|"
    r"joint\w*|wiet|weed|beuh|kava|vodka|gin|rioja|cava|prosecco|champagne|bottle of|bouteille de|fles|"
    r"kratom|ashwagandha|lavend\w*|lavande|chamomile|rhodiola"
)
THIRD_SUBJECT = _rx(
    r"mon (?:fils|ado|frere|mari|copain|ami|neveu|cousin)|ma (?:fille|soeur|femme|copine|amie|niece|cousine)|"
    r"il|elle|ils|mijn (?:zoon|dochter|broer|zus|man|vrouw|vriend|vriendin|neef|nicht)|hij|zij|"
    r"my (?:son|daughter|brother|sister|husband|wife|boyfriend|girlfriend|friend|nephew|niece|cousin)|he|she"
)
HELPER_WORRY = _rx(
    r"comment (?:je peux |puis-je |on peut )?(?:lui parler|l'? ?aider|reagir|aborder)|des parents qui|"
    r"je m'? ?inquiete|inquiete? pour|j'? ?ai peur qu",
    r"hoe (?:kan ik|moet ik|praat ik|help ik) |ouders die|ik maak me zorgen|ongerust|bezorgd om",
    r"how (?:do|can|should) i (?:talk|help|approach|bring)|parents who|i'? ?m worried|worried (?:about|sick)",
)
