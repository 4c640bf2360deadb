"""What consent and objection are: declared purposes, consent events with their proof, objections.

Consent rows are append-only events (GDPR 7(1): the controller must be able to show
consent was given; 7(3): withdrawing is as easy as giving). A withdrawal is a new row,
never an edit. A double opt-in grant counts only from its ``Confirmation``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consent.channels import Channel
from prospects.models import Prospect, Suppression


class ConsentState(models.TextChoices):
    """The gate's ``consent`` input (docs/rules.md §1.1) for one prospect, channel and purpose."""

    NONE = "none", _("No consent")
    VALID = "valid", _("Valid consent")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class Route(models.TextChoices):
    """How an objection or a withdrawal reached us; the same codes as the suppression origins."""

    LINK = Suppression.Origin.LINK.value, _("Unsubscribe link")
    REPLY = Suppression.Origin.REPLY.value, _("Reply to a message")
    PHONE = Suppression.Origin.PHONE.value, _("Phone")
    LETTER = Suppression.Origin.LETTER.value, _("Letter")
    BROKER = Suppression.Origin.BROKER.value, _("From the broker")
    REQUEST = Suppression.Origin.REQUEST.value, _("Data-subject request")
    PREFERENCES = Suppression.Origin.PREFERENCES.value, _("Preference page")


# What a rep may record by hand; the link and the preference page are the person's own acts.
STAFF_ROUTES = (Route.REPLY, Route.PHONE, Route.LETTER, Route.BROKER, Route.REQUEST)


class Purpose(models.Model):
    """A declared purpose; ``code`` is the processing activity's code in the Art. 30 register."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("purpose")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_fr if (get_language() or "").startswith("fr") else self.label_en


class Action(models.TextChoices):
    GRANT = "grant", _("Consent given")
    WITHDRAW = "withdraw", _("Consent withdrawn")


class Method(models.TextChoices):
    CHECKBOX = "checkbox", _("Ticked box (not pre-ticked)")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in by email")
    SIGNED_FORM = "signed_form", _("Signed form")
    ORAL = "oral", _("Oral, with the wording read out")


# Methods whose proof is the browser's trace: address and user agent (EDPB 05/2020 §108).
ONLINE_METHODS = (Method.CHECKBOX, Method.DOUBLE_OPT_IN)


class ConsentQuerySet(models.QuerySet):
    def counting(self):
        """Events that decide the state: withdrawals, and grants that count for this controller.

        SQL form of ``Consent.counts``.

        A double opt-in grant counts from its confirmation, and not before (GDPR 7(1)).
        A broker's grant counts only if its form named us (ePrivacy 13(1); CNIL partner rules).
        ``effective_at`` orders the events: when the person acted, or confirmed.
        """
        effective = Case(
            When(method=Method.DOUBLE_OPT_IN, then=F("confirmation__confirmed_at")),
            default=F("given_at"),
        )
        not_named = Q(action=Action.GRANT) & ~Q(broker="") & Q(broker_named_us=False)
        return self.annotate(effective_at=effective).filter(effective_at__isnull=False).exclude(not_named)


class Consent(models.Model):
    """One consent event for a purpose and a channel, with its proof (GDPR 7(1); docs/rules.md §2.4)."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="consents")
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="consents", verbose_name=_("purpose")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    action = models.CharField(_("event"), max_length=10, choices=Action.choices)
    given_at = models.DateTimeField(_("when the person acted"), default=timezone.now)
    # Proof of a grant: how, what the person was shown, where and by whom.
    method = models.CharField(_("how"), max_length=20, choices=Method.choices, blank=True)
    wording = models.TextField(_("wording shown"), blank=True)
    wording_version = models.CharField(_("wording version"), max_length=50, blank=True)
    wording_sha256 = models.CharField(_("SHA-256 of the wording"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser (user agent)"), max_length=500, blank=True)
    evidence_ref = models.CharField(_("where the signed form is kept"), max_length=300, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collected by"),
    )
    broker = models.CharField(_("collected by the broker"), max_length=200, blank=True)
    broker_contract_ref = models.CharField(_("broker contract reference"), max_length=200, blank=True)
    broker_named_us = models.BooleanField(_("the broker's form named us"), default=False)
    # A withdrawal's route.
    received_via = models.CharField(_("received via"), max_length=20, choices=Route.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["prospect", "purpose", "channel", "-given_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="consent_channel_known"),
            models.CheckConstraint(condition=Q(action__in=Action.values), name="consent_action_known"),
            # GDPR 7(1): a grant without its proof cannot exist.
            models.CheckConstraint(
                condition=Q(action=Action.WITHDRAW)
                | (
                    Q(method__in=Method.values)
                    & ~Q(wording="")
                    & ~Q(wording_version="")
                    & ~Q(wording_sha256="")
                    & (Q(collected_by__isnull=False) | ~Q(broker=""))
                ),
                name="consent_grant_has_proof",
            ),
            models.CheckConstraint(
                condition=Q(action=Action.GRANT) | (Q(method="") & Q(received_via__in=Route.values)),
                name="consent_withdrawal_has_route",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.purpose_id} · {self.channel}"

    @property
    def is_pending(self) -> bool:
        """A double opt-in grant not confirmed yet: it does not count."""
        return self.method == Method.DOUBLE_OPT_IN and not hasattr(self, "confirmation")

    @property
    def counts(self) -> bool:
        """Python form of ``Consent.objects.counting()``, for one event (the API shows it)."""
        if self.method == Method.DOUBLE_OPT_IN:
            effective_at = self.confirmation.confirmed_at if hasattr(self, "confirmation") else None
        else:
            effective_at = self.given_at
        not_named = self.action == Action.GRANT and self.broker != "" and not self.broker_named_us
        return effective_at is not None and not not_named


class Confirmation(models.Model):
    """The second step of a double opt-in: the person clicked the link we emailed."""

    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="confirmation")
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser (user agent)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("double opt-in confirmation")

    def __str__(self) -> str:
        return f"{self.consent_id}@{self.confirmed_at:%Y-%m-%d}"


class BrokerExport(models.Model):
    """A download of a broker's pending objections, with the identifiers in clear (who, when, how many)."""

    broker = models.CharField(_("broker"), max_length=200)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("exported by")
    )
    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    rows = models.PositiveIntegerField(_("objections forwarded"))

    class Meta:
        verbose_name = _("objections forwarded to a broker")
        ordering = ["-exported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.broker} {self.exported_at:%Y-%m-%d}"


class ObjectionQuerySet(models.QuerySet):
    def awaiting_broker(self):
        """Objections from broker-sourced prospects not forwarded yet (CNIL partner rules)."""
        return self.exclude(broker="").filter(forwarded_in__isnull=True, prospect__isnull=False)


class Objection(models.Model):
    """An Art. 21 objection, on one channel or all (``channel`` empty), from any route.

    It outlives the prospect (the link is set to null on erasure); the suppression list
    holds the keyed hashes that keep blocking the person.
    """

    # Blanked when the record goes; the scope stays. The propagation entry keeps the broker's
    # references for as long as the broker is still to be told (GDPR 19).
    PURGE_SCRUBBED_FIELDS = ("broker", "broker_contract_ref", "broker_list_id")

    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="objections"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True, help_text=_("Empty: every channel."))
    received_via = models.CharField(_("received via"), max_length=20, choices=Route.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # Broker-sourced prospects: the broker must remove the person from its list too.
    broker = models.CharField(_("broker to tell"), max_length=200, blank=True)
    broker_contract_ref = models.CharField(_("broker contract reference"), max_length=200, blank=True)
    broker_list_id = models.CharField(_("broker list identifier"), max_length=200, blank=True)
    forwarded_in = models.ForeignKey(
        BrokerExport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("forwarded to the broker in"),
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["prospect", "channel"]),
            models.Index(fields=["broker", "forwarded_in"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["", *Channel.values]), name="objection_channel_known"
            ),
            models.CheckConstraint(condition=Q(received_via__in=Route.values), name="objection_route_known"),
        ]

    def __str__(self) -> str:
        return f"{self.received_via}:{self.channel or 'all'}"

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label if self.channel else _("All channels")

    @property
    def forwarded_at(self):
        return self.forwarded_in.exported_at if self.forwarded_in_id else None
