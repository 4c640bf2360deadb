"""Screening of free-text notes: no art. 9 data, no insults (docs/rules.md §6, CNIL "zones bloc-notes")."""

import pytest

from prospects.notes import (
    INNOCENT_PHRASES_EN,
    INNOCENT_PHRASES_FR,
    VOCABULARY,
    NoteCategory,
    NoteFlag,
    explain,
    screen_note,
)


def categories(text: str) -> set[str]:
    return {flag.category for flag in screen_note(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Met at Salon VivaTech, interested in the API, call back in March",
        "Rencontrée au salon Big Data Paris, budget validé pour le T3, rappeler en mars.",
        "Wants a demo of the import module; decision maker is the CFO.",
        "Vacances à Cancún jusqu'au 15, relancer ensuite.",
        "Gaylord Perry (CTO) was copied; pros and cons of both offers discussed.",
        "Christian Dupont, DSI, préfère être contacté par email.",
    ],
)
def test_factual_note_has_no_flag(text):
    flags = screen_note(text)

    assert flags == []


@pytest.mark.parametrize(
    "text",
    [
        "Elle est en arrêt maladie jusqu'en mai.",
        "Il est Malade depuis janvier, rappeler plus tard.",
        "Sa collègue dit qu'elle est enceinte.",
        "Traitement contre le cancer en cours.",
        "Dépression après son licenciement.",
        "Back from sick leave next week.",
        "She is pregnant, due in June.",
        "Recovering from chemotherapy.",
    ],
)
def test_note_with_health_data_is_flagged_in_french_and_english(text):
    found = categories(text)

    assert found == {"health"}


@pytest.mark.parametrize(
    "text",
    [
        "Quel connard, il a raccroché.",
        "Un abruti fini.",
        "Complètement idiot, aucune chance.",
        "Total moron, never answers.",
        "Stupid questions all meeting long.",
        "The buyer is a jerk.",
    ],
)
def test_note_with_an_insult_is_flagged_in_french_and_english(text):
    found = categories(text)

    assert found == {"insult"}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Il est musulman, éviter les déjeuners pendant le ramadan.", "religion"),
        ("Very catholic family man.", "religion"),
        ("Électeur du Front national, éviter la politique.", "political_opinion"),
        ("Far right views, careful.", "political_opinion"),
        ("Syndiqué à la CGT.", "union_membership"),
        ("She is the trade union rep on site.", "union_membership"),
        ("Il est homosexuel.", "sex_life"),
        ("He is gay.", "sex_life"),
        ("D'origine maghrébine.", "ethnic_origin"),
        ("Asked about his ethnicity.", "ethnic_origin"),
    ],
)
def test_each_special_category_is_recognised(text, category):
    found = categories(text)

    assert found == {category}


@pytest.mark.parametrize(
    "text",
    [
        "Match nul hier soir, il était de bonne humeur.",
        "Nulle part ailleurs qu'à Lyon.",
        "Il est en retard sur son planning.",
        "Cherche une enceinte connectée pour l'accueil.",
        "Nous livrons des enceintes Bluetooth.",
        "Client : la Caisse d'Assurance Maladie de Lyon.",
        "Sick of cold calls, prefers email.",
        "Process has to be idiot-proof.",
        "Expanding to the United Arab Emirates.",
    ],
)
def test_ambiguous_everyday_words_are_not_flagged(text):
    flags = screen_note(text)

    assert flags == []


@pytest.mark.parametrize("spelling", ["DÉPRESSION", "dépression", "Depression", "depression"])
def test_case_and_accents_do_not_matter(spelling):
    text = f"Parle de sa {spelling}."

    flags = screen_note(text)

    assert flags == [NoteFlag("health", "depression")]


def test_phrase_is_reported_as_the_whole_phrase_not_its_words():
    text = "En arrêt-maladie, puis en congé maladie."

    flags = screen_note(text)

    assert flags == [NoteFlag("health", "arrêt maladie"), NoteFlag("health", "congé maladie")]


def test_plural_forms_are_matched():
    text = "Arrêts maladie répétés; ses collègues sont des idiots."

    flags = screen_note(text)

    assert flags == [NoteFlag("health", "arrêt maladie"), NoteFlag("insult", "idiot")]


def test_every_problem_is_reported_once_in_order_of_appearance():
    text = "Malade, catholique et malade encore; quel idiot."

    flags = screen_note(text)

    assert flags == [
        NoteFlag("health", "malade"),
        NoteFlag("religion", "catholique"),
        NoteFlag("insult", "idiot"),
    ]


def test_every_vocabulary_term_is_flagged_on_its_own():
    terms = [(category, term) for category, vocabulary in VOCABULARY.items() for term in vocabulary]

    missed = [(category, term) for category, term in terms if category not in categories(term)]

    assert missed == []


def test_innocent_phrases_are_not_flagged_on_their_own():
    phrases = INNOCENT_PHRASES_FR | INNOCENT_PHRASES_EN

    flagged = [phrase for phrase in phrases if screen_note(phrase)]

    assert flagged == []


def test_every_category_has_a_vocabulary():
    expected = {category.value for category in NoteCategory}

    sizes = {category: len(terms) for category, terms in VOCABULARY.items()}

    assert set(sizes) == expected
    assert all(15 <= size <= 45 for size in sizes.values())


def test_explanation_names_each_category_found_without_the_words():
    flags = screen_note("Arrêt maladie, syndiqué, et un vrai connard.")

    message = explain(flags)

    assert "health data" in message
    assert "trade union membership" in message
    assert "art. 9 GDPR" in message
    assert "insulting" in message
    assert "factual and professional" in message
    assert "connard" not in message
    assert "maladie" not in message


def test_explanation_of_insults_alone_does_not_cite_art_9():
    flags = screen_note("Total moron.")

    message = explain(flags)

    assert "art. 9" not in message
    assert "insulting" in message


def test_explanation_is_empty_when_nothing_was_found():
    flags = screen_note("Call back in March.")

    message = explain(flags)

    assert message == ""
