"""Belgian help lines, from shared/reference/belgian-helplines.md (verified rows only give numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import translations
from app.i18n_markers import N_


@dataclass(frozen=True)
class HelpLine:
    name: str  # a service's own name (not translated), or a msgid with `generic`
    number: str | None
    languages: tuple[str, ...]
    what: str  # msgid
    website: str | None = None
    #: The name in each language where the service has one of its own ("Antigifcentrum" in Dutch).
    local_names: tuple[tuple[str, str], ...] = ()
    #: A number with no service's name (112): `name` is a msgid, translated.
    generic: bool = False

    def label(self, lang: str) -> str:
        """The name to show a reader of `lang`: never the number itself."""
        if self.generic:
            return translations(lang).gettext(self.name)
        return dict(self.local_names).get(lang, self.name)

    def answers_in(self, lang: str) -> str | None:
        """For a reader of `lang` whom this line does not answer in their language: the language it does."""
        if lang in self.languages:
            return None
        names = [translations(lang).gettext(LANGUAGE_NAMES[code]) for code in self.languages if code in LANGUAGE_NAMES]
        return ", ".join(names) or None


#: "in Dutch" beside a call button read in French: a caller knows before dialling.
LANGUAGE_NAMES = {"fr": N_("in French"), "nl": N_("in Dutch"), "en": N_("in English")}


HELPLINES: tuple[HelpLine, ...] = (
    HelpLine("Centre de Prévention du Suicide", "0800 32 123", ("fr",),
             N_("Suicidal thoughts: free, anonymous, day and night.")),
    HelpLine("Zelfmoordlijn", "1813", ("nl",),
             N_("Suicidal thoughts: free and anonymous, also by chat at 1813.be."), "https://www.1813.be"),
    HelpLine("Télé-Accueil", "107", ("fr",), N_("Someone to talk to: free, anonymous, day and night.")),
    HelpLine("Tele-Onthaal", "106", ("nl",),
             N_("Someone to talk to: free and anonymous, day and night, also by chat."), "https://www.tele-onthaal.be"),
    HelpLine("Centre Antipoisons / Antigifcentrum", "070 245 245", ("fr", "nl"),
             N_("Overdose or poisoning, including medicines: doctors and pharmacists, day and night."),
             local_names=(("fr", "Centre Antipoisons"), ("nl", "Antigifcentrum"))),
    HelpLine(N_("Emergency number"), "112", ("fr", "nl", "en"), N_("Emergency: when a life is in danger."),
             generic=True),
)

# Services whose phone numbers we could not verify: we name them and link to them instead.
OTHER_SERVICES: tuple[HelpLine, ...] = (
    HelpLine("De DrugLijn (VAD)", None, ("nl",),
             N_("Questions about alcohol, drugs and medicines: phone, mail and chat (not an emergency line)."),
             "https://www.druglijn.be"),
    HelpLine("Infor-Drogues", None, ("fr",),
             N_("Questions about drugs and medicines: helpline and written questions online."),
             "https://infordrogues.be"),
)


def for_locale(locale: str, lines: tuple[HelpLine, ...] = HELPLINES) -> list[HelpLine]:
    """Lines in the reader's language first; in a bilingual country the others follow."""
    return sorted(lines, key=lambda line: 0 if locale in line.languages else 1)
