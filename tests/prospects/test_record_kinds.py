"""Purge runs and erasures name kinds of records, in the reader's language, never tables."""

from django.utils import translation

from prospects.deletion import deletion_plan
from prospects.record_kinds import KINDS, counts_in_words, kind_of, rows_in_words


def labels_of(link) -> set[str]:
    labels = {link.model._meta.label} | ({link.history._meta.label} if link.history else set())
    for child in link.children:
        labels |= labels_of(child)
    return labels


def test_every_model_the_deletion_plan_reaches_has_words():
    missing = labels_of(deletion_plan()) - set(KINDS)

    assert missing == set()


def test_a_run_reads_as_kinds_of_records_in_the_readers_language():
    rows = {"prospects.Prospect": 2, "consent.Objection:detached": 1, "prospects.Prospect:reduced": 1}

    with translation.override("fr"):
        french = rows_in_words(rows)
    english = rows_in_words(rows)

    assert english == [
        ("Prospects", 2),
        ("Objections, kept without the person", 1),
        ("Prospects, reduced to the suppression hashes", 1),
    ]
    assert french[1] == ("Oppositions, sans lien avec la personne", 1)


def test_a_model_without_words_is_shown_by_its_verbose_name_and_an_unknown_label_as_other_records():
    assert kind_of("org.Team") == "Teams"
    assert kind_of("nowhere.Gone") == "Other records"


def test_purge_reasons_read_as_their_labels():
    assert counts_in_words({"erasure": 3}) == [("Erasure request (GDPR art. 17)", 3)]
    assert counts_in_words({"held_exchanges_kept": 1}) == [("Kept in part under a legal hold", 1)]
