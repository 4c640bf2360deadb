"""Screening of the free-text notes reps write about prospects.

docs/rules.md §6 (minimisation and free text): notes must be objective, relevant and
non-insulting, and must hold no special-category data (GDPR art. 9). The CNIL's
2015 formal notice on "zones bloc-notes" asked for an automatic filter of
excessive comments; notes are also disclosed to the person in an access request
(art. 15).

Matching is on whole words after accent folding and lower-casing, so "Cancún"
does not match "cancer" nor "Gaylord" "gay". A term also matches its plural in
"s". Words too common in B2B notes to flag on their own are left out of the
vocabularies, on purpose:

- "nul", "nulle" ("match nul", "nulle part"), "con" ("pros and cons", Spanish
  "con"), "retard" (French for a delay), "lourd", "boulet", "fou";
- "noir", "black", "africain", "asiatique", "race": colours, markets and
  sporting events far more often than origins;
- "hôpital", "église", "syndicat", "union", "grève", "halal", "covid": a
  prospect may be a hospital, live on rue de l'Église, be a trade federation
  (syndicat professionnel, chambre syndicale) or sell halal food; "European
  Union" and strikes delaying a meeting say nothing about the person;
- "RN", "PS", "LR", "FO", "SUD": abbreviations with innocent meanings (P.S.,
  registered nurse, south).

A few innocent phrases that contain a flagged word ("enceinte connectée",
"assurance maladie", "sick of") are recognised and skipped.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class NoteCategory(models.TextChoices):
    HEALTH = "health", gettext_lazy("health data")
    RELIGION = "religion", gettext_lazy("religious beliefs")
    POLITICAL_OPINION = "political_opinion", gettext_lazy("political opinions")
    UNION_MEMBERSHIP = "union_membership", gettext_lazy("trade union membership")
    SEX_LIFE = "sex_life", gettext_lazy("sex life or sexual orientation")
    ETHNIC_ORIGIN = "ethnic_origin", gettext_lazy("racial or ethnic origin")
    INSULT = "insult", gettext_lazy("insulting or disparaging words")


@dataclass(frozen=True)
class NoteFlag:
    """One problem in a note: its category and the vocabulary term that revealed it."""

    category: str
    term: str


HEALTH_FR = frozenset({
    "malade", "maladie", "arrêt maladie", "congé maladie", "cancer", "tumeur", "chimio",
    "chimiothérapie", "enceinte", "grossesse", "congé maternité", "fausse couche", "dépression",
    "burn-out", "hospitalisé", "hospitalisée", "handicapé", "handicapée", "diabète",
    "alcoolique", "séropositif", "bipolaire",
})  # fmt: skip
HEALTH_EN = frozenset({
    "sick", "sick leave", "sick note", "illness", "disease", "cancer", "tumour", "tumor",
    "chemo", "chemotherapy", "pregnant", "pregnancy", "maternity leave", "miscarriage",
    "depression", "burnout", "hospitalised", "hospitalized", "diabetes", "diabetic",
    "alcoholic", "hiv", "bipolar",
})  # fmt: skip

RELIGION_FR = frozenset({
    "musulman", "musulmane", "catholique", "chrétien", "chrétienne", "juif", "juive",
    "protestant", "protestante", "évangélique", "bouddhiste", "hindou", "athée", "croyant",
    "croyante", "religion", "islam", "ramadan", "mosquée", "synagogue", "témoin de Jéhovah",
})  # fmt: skip
RELIGION_EN = frozenset({
    "muslim", "moslem", "catholic", "jewish", "jew", "protestant", "evangelical", "buddhist",
    "hindu", "atheist", "religion", "religious", "islam", "islamic", "ramadan", "mosque",
    "synagogue", "sikh", "mormon", "jehovah",
})  # fmt: skip

POLITICAL_OPINION_FR = frozenset({
    "communiste", "socialiste", "gauchiste", "facho", "fasciste", "nazi", "extrême droite",
    "extrême gauche", "anarchiste", "royaliste", "insoumis", "lepéniste", "macroniste",
    "Rassemblement national", "Front national", "France insoumise", "gilet jaune",
    "opinions politiques", "militant politique",
})  # fmt: skip
POLITICAL_OPINION_EN = frozenset({
    "communist", "socialist", "leftist", "fascist", "nazi", "far right", "far left",
    "alt-right", "marxist", "anarchist", "trump supporter", "maga", "brexiteer",
    "political views",
})  # fmt: skip

UNION_MEMBERSHIP_FR = frozenset({
    "syndiqué", "syndiquée", "syndicaliste", "délégué syndical", "déléguée syndicale",
    "représentant syndical", "représentante syndicale", "militant syndical",
    "militante syndicale", "section syndicale", "CGT", "CFDT", "CFE-CGC", "CFTC",
    "Force ouvrière", "UNSA", "FSU",
})  # fmt: skip
UNION_MEMBERSHIP_EN = frozenset({
    "trade union", "labor union", "labour union", "union member", "union membership",
    "union rep", "union representative", "shop steward", "unionised", "unionized",
    "union organiser", "union organizer", "teamsters",
})  # fmt: skip

SEX_LIFE_FR = frozenset({
    "homosexuel", "homosexuelle", "homo", "gay", "lesbienne", "bisexuel", "bisexuelle",
    "transgenre", "transsexuel", "orientation sexuelle", "vie sexuelle", "amant", "adultère",
    "libertin", "échangiste", "LGBT",
})  # fmt: skip
SEX_LIFE_EN = frozenset({
    "gay", "lesbian", "homosexual", "bisexual", "transgender", "queer", "sexual orientation",
    "sex life", "mistress", "adultery", "having an affair", "swinger", "LGBT", "LGBTQ",
})  # fmt: skip

ETHNIC_ORIGIN_FR = frozenset({
    "origine ethnique", "ethnie", "ethnique", "raciale", "métis", "métisse", "maghrébin",
    "maghrébine", "beur", "rebeu", "renoi", "gitan", "tzigane", "tsigane", "basané", "basanée",
    "couleur de peau", "personne de couleur", "bougnoule", "bicot", "chinetoque", "youpin",
})  # fmt: skip
ETHNIC_ORIGIN_EN = frozenset({
    "ethnicity", "ethnic origin", "ethnic", "racial", "mixed race", "hispanic", "latino",
    "latina", "caucasian", "arab", "gypsy", "skin colour", "skin color", "person of colour",
    "person of color", "people of colour", "people of color",
})  # fmt: skip

INSULT_FR = frozenset({
    "connard", "connasse", "conne", "abruti", "abrutie", "idiot", "idiote", "imbécile",
    "crétin", "crétine", "débile", "salaud", "salope", "enfoiré", "enculé", "pute", "pétasse",
    "bouffon", "pédé", "fainéant", "fainéante", "menteur", "menteuse", "escroc",
})  # fmt: skip
INSULT_EN = frozenset({
    "idiot", "stupid", "moron", "imbecile", "cretin", "dumbass", "jerk", "asshole",
    "arsehole", "bastard", "bitch", "dickhead", "wanker", "twat", "retarded", "loser",
    "scumbag", "fucking", "liar", "crook",
})  # fmt: skip

VOCABULARY: dict[str, frozenset[str]] = {
    NoteCategory.HEALTH.value: HEALTH_FR | HEALTH_EN,
    NoteCategory.RELIGION.value: RELIGION_FR | RELIGION_EN,
    NoteCategory.POLITICAL_OPINION.value: POLITICAL_OPINION_FR | POLITICAL_OPINION_EN,
    NoteCategory.UNION_MEMBERSHIP.value: UNION_MEMBERSHIP_FR | UNION_MEMBERSHIP_EN,
    NoteCategory.SEX_LIFE.value: SEX_LIFE_FR | SEX_LIFE_EN,
    NoteCategory.ETHNIC_ORIGIN.value: ETHNIC_ORIGIN_FR | ETHNIC_ORIGIN_EN,
    NoteCategory.INSULT.value: INSULT_FR | INSULT_EN,
}

# Phrases whose flagged word means something else here; they are skipped whole.
INNOCENT_PHRASES_FR = frozenset({
    "enceinte connectée", "enceinte bluetooth", "enceinte acoustique", "l'enceinte",
    "une enceinte", "cette enceinte", "les enceintes", "des enceintes", "assurance maladie",
    "dépression économique", "handicapé par", "handicapée par", "en protestant",
})  # fmt: skip
INNOCENT_PHRASES_EN = frozenset({
    "sick of", "sick and tired", "economic depression", "great depression", "idiot-proof",
    "gay-lussac", "homo sapiens", "arab emirates", "ethnic food",
})  # fmt: skip

_WORD = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})

# A vocabulary entry: its folded words, its category (None for an innocent phrase)
# and the term as written above.
_Entry = tuple[tuple[str, ...], str | None, str]


def screen_note(text: str) -> list[NoteFlag]:
    """Every problem found in ``text``, in order of first appearance, each reported once."""
    words = _words(text)
    flags: list[NoteFlag] = []
    position = 0
    while position < len(words):
        entry = _longest_match(words, position)
        if entry is None:
            position += 1
            continue
        phrase, category, term = entry
        if category is not None and NoteFlag(category, term) not in flags:
            flags.append(NoteFlag(category, term))
        position += len(phrase)
    return flags


def explain(flags: Iterable[NoteFlag]) -> str:
    """A message for the rep naming the categories found (not the words); "" when nothing was found."""
    found = {flag.category for flag in flags}
    special = [str(category.label) for category in NoteCategory if category in found and category != "insult"]
    sentences = []
    if special:
        categories = get_text_list(special, _("and"))
        sentences.append(_("This note mentions %(categories)s (art. 9 GDPR).") % {"categories": categories})
    if NoteCategory.INSULT in found:
        sentences.append(_INSULT_MESSAGE)
    if sentences:
        sentences.append(_ADVICE)
    return " ".join(str(sentence) for sentence in sentences)


_INSULT_MESSAGE = gettext_lazy(
    "This note contains insulting or disparaging words (art. 5(1)(c) GDPR: only adequate and relevant data)."
)
_ADVICE = gettext_lazy(
    "Keep notes factual and professional: the person can read them in an access request (art. 15 GDPR)."
)


def _fold(text: str) -> str:
    """Lower-case and strip accents, so that "Dépression" and "depression" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def _same_word(word: str, expected: str) -> bool:
    """Equal, or the plural in "s" of the expected word ("cancers", "syndiqués", "idiots")."""
    return word == expected or (len(word) > 3 and word.endswith("s") and word[:-1] == expected)


def _longest_match(words: list[str], position: int) -> _Entry | None:
    word = words[position]
    candidates = _INDEX.get(word, []) + (_INDEX.get(word[:-1], []) if word.endswith("s") else [])
    matches = [
        entry
        for entry in candidates
        if len(entry[0]) <= len(words) - position
        and all(_same_word(words[position + i], expected) for i, expected in enumerate(entry[0]))
    ]
    # The longest phrase wins: "arrêt maladie" over "maladie", "sick of" over "sick".
    return max(matches, key=lambda entry: len(entry[0]), default=None)


def _build_index() -> dict[str, list[_Entry]]:
    """Entries by their first folded word, so that each word of a note costs one lookup.

    Spellings that fold to the same words ("dépression", "depression") make one
    entry, the first in sorted order, so that the reported term never depends on
    set iteration order.
    """
    terms = [(category, term) for category, vocabulary in VOCABULARY.items() for term in sorted(vocabulary)]
    terms += [(None, phrase) for phrase in sorted(INNOCENT_PHRASES_FR | INNOCENT_PHRASES_EN)]
    entries: dict[tuple[str, ...], _Entry] = {}
    for category, term in terms:
        words = tuple(_words(term))
        entries.setdefault(words, (words, category, term))
    index: dict[str, list[_Entry]] = {}
    for entry in entries.values():
        index.setdefault(entry[0][0], []).append(entry)
    return index


_INDEX = _build_index()
