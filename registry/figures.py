"""Live figures shown beside each activity of the register: a handful of aggregate queries.

Figures are facts about the data today, not part of the declared register: they are
left out of the register's versions and of its hash.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q
from django.utils import timezone

from consent.models import Action, Consent, Objection
from org.models import AccessLog
from org.roles import Role
from prospects import retention
from prospects.models import ImportCleanup, Prospect, Source, Suppression, WebhookDelivery, WebhookEndpoint
from registry.activities import activities
from registry.fiche import Text
from registry.models import Erasure, SubjectRequest
from webforms import follow_up


@dataclass(frozen=True)
class Figure:
    key: str
    label: Text
    value: object  # an int, an ISO date, or a mapping of code to count

    def as_dict(self, language: str) -> dict:
        return {"key": self.key, "label": self.label.in_language(language), "value": self.value}


def live_figures(*, today: date | None = None) -> dict[str, list[Figure]]:
    """The figures of every activity, by activity code."""
    today = today or timezone.localdate()
    found = {
        "b2b_prospecting": _prospecting(today),
        "suppression_list": _objections(),
        "crm_users": _users(),
        "subject_requests": _requests(today),
    }
    consents = _consents_by_purpose()
    for activity in activities():
        found.setdefault(activity.code, []).extend(
            _consent_figure(consents, purpose) for purpose in activity.consent_purposes
        )
    return found


def prospects_by_source() -> dict[str, int]:
    """Prospects per source type; a prospect with two sources of different types counts in both."""
    rows = Source.objects.values("type").annotate(n=Count("prospect", distinct=True)).order_by("type")
    return {row["type"]: row["n"] for row in rows}


def prospects_by_audience() -> dict[str, int]:
    return _counts(Prospect.objects, "audience")


def _counts(queryset, field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("pk")).order_by(field)}


def _iso(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _prospecting(today: date) -> list[Figure]:
    totals = Prospect.objects.aggregate(
        total=Count("pk"),
        oldest=Min("collected_at"),
        restricted=Count("pk", filter=Q(restricted_at__isnull=False)),
    )
    grace = retention.grace_days()
    return [
        Figure("prospects", Text("Prospects", "Prospects"), totals["total"]),
        Figure(
            "by_source",
            Text("Prospects per source type", "Prospects par type de source"),
            prospects_by_source(),
        ),
        Figure(
            "by_audience",
            Text("Prospects per audience", "Prospects par public"),
            prospects_by_audience(),
        ),
        Figure(
            "oldest",
            Text("Oldest record collected on", "Plus ancienne fiche collectée le"),
            _iso(totals["oldest"]),
        ),
        Figure(
            "due",
            Text("Due for purge now", "À purger maintenant"),
            Prospect.objects.filter(retention.expired(today)).count(),
        ),
        Figure(
            "upcoming",
            Text(f"Purged within {grace} days", f"Purgés dans les {grace} jours"),
            retention.due_soon(today=today).count(),
        ),
        Figure("restricted", Text("Restricted (art. 18)", "Limités (art. 18)"), totals["restricted"]),
        # docs/rules.md §3: the sources of the data, each live form a collection channel of its own.
        Figure(
            "web_forms",
            Text(
                "Live web forms (collection channels) and the prospects each brought in",
                "Formulaires en ligne (canaux de collecte) et prospects apportés par chacun",
            ),
            follow_up.live_forms(),
        ),
        # GDPR 19 and 30(1)(d): the systems told of objections, erasures and other changes are
        # recipients; each active webhook endpoint is named with the events delivered to it.
        Figure(
            "webhook_recipients",
            Text(
                "Systems told of changes by webhook (recipients) and the events delivered to each",
                "Systèmes informés des changements par webhook (destinataires) et événements remis à chacun",
            ),
            webhook_recipients(),
        ),
        *_import_cleanup(),
    ]


def webhook_recipients() -> dict[str, int]:
    """Each active endpoint as "URL (description)" to the number of events delivered to it."""
    delivered = dict(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED)
        .values_list("endpoint")
        .annotate(n=Count("id"))
    )
    return {
        f"{endpoint.url} ({endpoint.description})" if endpoint.description else endpoint.url: delivered.get(
            endpoint.pk, 0
        )
        for endpoint in WebhookEndpoint.objects.filter(active=True).order_by("pk")
    }


def _import_cleanup() -> list[Figure]:
    """docs/rules.md §2.7: the delay after which an unfinished import's copies go, and the last run."""
    last = ImportCleanup.objects.order_by("-ran_at", "-id").first()
    return [
        Figure(
            "import_cleanup_hours",
            Text(
                "Files and staged rows of unfinished imports deleted after (hours)",
                "Fichiers et lignes en attente des imports non terminés supprimés après (heures)",
            ),
            settings.LOYAL_IMPORT["cleanup_hours"],
        ),
        Figure(
            "last_import_cleanup",
            Text("Last clean-up of import files", "Dernier nettoyage des fichiers d'import"),
            _iso(last.ran_at if last else None),
        ),
        Figure(
            "import_files_removed",
            Text(
                "Files of imports deleted by the last clean-up",
                "Fichiers d'imports supprimés au dernier nettoyage",
            ),
            last.files if last else 0,
        ),
        Figure(
            "orphan_files_removed",
            Text(
                "Files without an import deleted by the last clean-up",
                "Fichiers sans import supprimés au dernier nettoyage",
            ),
            last.orphan_files if last else 0,
        ),
    ]


def _consents_by_purpose() -> dict[str, dict[str, int]]:
    rows = Consent.objects.values("purpose__code", "action").annotate(n=Count("pk"))
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["purpose__code"], {})[row["action"]] = row["n"]
    return out


def _consent_figure(consents: dict, purpose: str) -> Figure:
    counts = consents.get(purpose, {})
    value = {
        Action.GRANT.value: counts.get(Action.GRANT, 0),
        Action.WITHDRAW.value: counts.get(Action.WITHDRAW, 0),
    }
    return Figure(f"consents_{purpose}", Text(f"Consents ({purpose})", f"Consentements ({purpose})"), value)


def _objections() -> list[Figure]:
    return [
        Figure(
            "objections", Text("Objections recorded", "Oppositions enregistrées"), Objection.objects.count()
        ),
        Figure(
            "suppressed",
            Text("Suppression list entries per origin", "Empreintes par origine"),
            _counts(Suppression.objects, "origin"),
        ),
    ]


def _users() -> list[Figure]:
    active = get_user_model().objects.filter(is_active=True, groups__name__in=Role.values)
    log = AccessLog.objects.aggregate(entries=Count("pk"), oldest=Min("at"))
    return [
        Figure(
            "users",
            Text("Active users per role", "Utilisateurs actifs par rôle"),
            _counts(active, "groups__name"),
        ),
        Figure("access_log", Text("Access-log entries kept", "Entrées du journal des accès"), log["entries"]),
        Figure(
            "access_log_oldest",
            Text("Oldest access-log entry", "Plus ancienne entrée du journal"),
            _iso(log["oldest"]),
        ),
    ]


def _requests(today: date) -> list[Figure]:
    return [
        Figure("open", Text("Open requests", "Demandes en cours"), SubjectRequest.objects.open().count()),
        Figure(
            "overdue",
            Text("Overdue requests", "Demandes en retard"),
            SubjectRequest.objects.overdue(today).count(),
        ),
        Figure("erasures", Text("Erasures", "Effacements"), Erasure.objects.count()),
    ]
