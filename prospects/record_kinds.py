"""The kinds of records a purge or an erasure removed, in words (issue 19: no table names).

A purge run counts rows per model label (prospects/deletion.py), with ``:detached`` for the
rows kept and unlinked and ``:reduced`` for a record reduced to its suppression hashes. The DPO
reads them as "Prospects: 3, Consents: 2". The labels are strings, so no app above this one is
imported; tests/prospects/test_record_kinds.py checks that every model of the deletion plan has
its words here, and a model added later without them is shown by its verbose name meanwhile.
"""

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prospects.models import PurgeReason

KINDS = {
    "prospects.Prospect": pgettext_lazy("kind of record", "Prospects"),
    "prospects.HistoricalProspect": _("Earlier versions of prospects"),
    "prospects.Interaction": pgettext_lazy("kind of record", "Interactions"),
    "prospects.Note": pgettext_lazy("kind of record", "Notes"),
    "prospects.HistoricalNote": _("Earlier versions of notes"),
    "prospects.Source": pgettext_lazy("kind of record", "Sources"),
    "prospects.HistoricalSource": _("Earlier versions of sources"),
    "prospects.NextStep": pgettext_lazy("kind of record", "Next steps"),
    "prospects.ListMember": _("List memberships"),
    "prospects.StageChange": _("Pipeline moves"),
    "prospects.Propagation": _("Notices to recipients of the data"),
    "consent.Consent": pgettext_lazy("kind of record", "Consents"),
    "consent.Confirmation": _("Consent confirmations"),
    "consent.Objection": pgettext_lazy("kind of record", "Objections"),
    "outreach.Message": pgettext_lazy("kind of record", "Messages"),
    "outreach.InboundMessage": _("Messages received"),
    "outreach.ObjectionProposal": _("Stop replies to decide"),
    "outreach.NoticeRecord": _("Privacy notices given"),
    "registry.RestrictionLift": _("Restriction lifts"),
    "registry.SubjectRequest": _("Data-subject requests"),
}
HELD_EXCHANGES_KEPT = "held_exchanges_kept"  # prospects/purge.py counts these under this key
HOW = {
    "": "{kind}",
    "detached": _("{kind}, kept without the person"),
    "reduced": _("{kind}, reduced to the suppression hashes"),
}


def kind_of(key: str) -> str:
    """``prospects.Prospect:reduced`` as "Prospects, reduced to the suppression hashes"."""
    label, _colon, how = key.partition(":")
    kind = KINDS.get(label)
    if kind is None:
        try:
            kind = capfirst(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            kind = _("Other records")
    return str(HOW.get(how, "{kind}")).format(kind=kind)


def reason_of(key: str) -> str:
    """A purge run's count key (a PurgeReason value, or the held records kept) in words."""
    if key == HELD_EXCHANGES_KEPT:
        return str(_("Kept in part under a legal hold"))
    return str(PurgeReason(key).label) if key in PurgeReason.values else key


def counts_in_words(counts: dict | None) -> list[tuple[str, int]]:
    """(reason, prospects) for each count of a purge run."""
    return [(reason_of(key), count) for key, count in (counts or {}).items()]


def rows_in_words(rows: dict | None) -> list[tuple[str, int]]:
    """(kind, count) for each count of a purge run, in the order of the run."""
    return [(kind_of(key), count) for key, count in (rows or {}).items()]
