"""Campaigns, their outbox, and the Art. 14 notices owed to people whose data came from elsewhere.

The outbox (``Message``) is the single source of the worker's work: a message is
decided once per campaign and prospect, queued, then claimed with a worker's token,
re-checked, and sent (or refused at send time) by that worker alone (sending.py).
Losing the broker or a worker loses no work (``tasks.requeue_stalled``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.channels import Channel
from consent.models import Purpose
from org.roles import NeedToKnowQuerySet
from outreach.policy import Decision, Reason
from prospects.identity import EncryptedTextField
from prospects.models import InteractionType, Language, Prospect, ProspectList, SavedView


class CampaignChannel(models.TextChoices):
    """The channels a campaign may use; automated calling machines are not offered."""

    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    SMS = Channel.SMS.value, Channel.SMS.label
    PHONE = Channel.PHONE.value, Channel.PHONE.label
    POSTAL = Channel.POSTAL.value, Channel.POSTAL.label
    LINKEDIN_MSG = Channel.LINKEDIN_MSG.value, Channel.LINKEDIN_MSG.label


# The product sends e-mail itself; everything else is done by the rep from a gated
# checklist and logged (docs/rules.md §1.4: never automate LinkedIn; no SMS provider is wired).
SENT_BY_PRODUCT = frozenset({CampaignChannel.EMAIL})
# What a prospect needs on record to be reached on each channel (the gate's panel and a
# campaign's recipients both read it).
ADDRESS_FIELD = {
    CampaignChannel.EMAIL: "email_index",
    CampaignChannel.SMS: "phone_index",
    CampaignChannel.PHONE: "phone_index",
    CampaignChannel.LINKEDIN_MSG: "linkedin_index",
    CampaignChannel.POSTAL: "company_id",
}
# The timeline entry a contact on each channel leaves.
INTERACTION_OF_CHANNEL = {
    CampaignChannel.EMAIL: InteractionType.EMAIL_SENT,
    CampaignChannel.PHONE: InteractionType.CALL_OUTBOUND,
    CampaignChannel.POSTAL: InteractionType.LETTER_SENT,
    CampaignChannel.SMS: InteractionType.SMS_SENT,
    CampaignChannel.LINKEDIN_MSG: InteractionType.LINKEDIN_MESSAGE_SENT,
}


class CampaignKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    # A non-promotional message whose only purpose is to ask permission; one per person ever.
    CONSENT_REQUEST = "consent_request", _("Consent request")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DECIDED = "decided", _("Previewed")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")


class CampaignQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        """A rep sees their own campaigns and their team's."""
        return self.filter(Q(created_by=user) | Q(team__members__user=user)).distinct()

    def sending(self):
        return self.filter(status=CampaignStatus.SENDING)


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=CampaignChannel.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.PROMOTION
    )
    target_functions = models.JSONField(
        _("target job functions"),
        default=list,
        blank=True,
        help_text=_("The job functions the offer is for."),
    )
    offer_related_to_profession = models.BooleanField(
        _("the offer relates to the targeted people's profession"), default=False
    )
    # docs/rules.md §1.1 customer_similar (2): what the campaign offers, compared with what a
    # customer bought. None: the soft opt-in cannot be shown and fails closed.
    offer_category = models.ForeignKey(
        "prospects.ProductCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product or service category offered"),
    )
    subject_fr = models.CharField(_("subject (French)"), max_length=200, blank=True)
    body_fr = models.TextField(_("message (French)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    # CPCE L34-5: every message identifies the advertiser on whose behalf it is sent.
    sender_name = models.CharField(_("sender (person and company)"), max_length=200)
    sender_email = models.EmailField(_("sender email"))
    # Who the campaign is for: one static list, or one segment (a saved view, evaluated
    # again at send time); decisions.recipients reads it.
    target_list = models.ForeignKey(
        ProspectList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("list"),
    )
    target_segment = models.ForeignKey(
        SavedView,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("segment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    send_requested_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="campaign_keyset")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=CampaignChannel.values), name="campaign_channel_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=CampaignKind.values), name="campaign_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_known"
            ),
            models.CheckConstraint(
                condition=Q(target_list__isnull=False, target_segment__isnull=True)
                | Q(target_list__isnull=True, target_segment__isnull=False),
                name="campaign_targets_a_list_or_a_segment",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:campaign", args=[self.pk])

    @property
    def target(self) -> ProspectList | SavedView | None:
        return self.target_list or self.target_segment

    @property
    def is_editable(self) -> bool:
        return self.status in (CampaignStatus.DRAFT, CampaignStatus.DECIDED)

    @property
    def is_sent_by_product(self) -> bool:
        return self.channel in SENT_BY_PRODUCT

    @property
    def is_consent_request(self) -> bool:
        return self.kind == CampaignKind.CONSENT_REQUEST

    def template(self, language: str) -> tuple[str, str]:
        """Subject and body in ``language``; a person gets their own language or nothing (KASPR)."""
        if language == Language.EN:
            return self.subject_en, self.body_en
        return self.subject_fr, self.body_fr

    def template_ok(self, language: str) -> bool:
        """L34-5: an identified sender and a message in the person's language (the opt-out is added)."""
        subject, body = self.template(language)
        has_subject = bool(subject.strip()) or self.channel != CampaignChannel.EMAIL
        return bool(self.sender_name.strip() and self.sender_email.strip() and body.strip() and has_subject)

    def related_condition(self) -> Q | None:
        """docs/rules.md §1.1: the campaign declares target functions; the person's job title must match one.

        None when nothing can match. Both the bulk decision and the single-prospect
        re-check ask the database, so that they agree on case and accents.
        """
        functions = [str(function).strip() for function in self.target_functions if str(function).strip()]
        if not (self.offer_related_to_profession and functions):
            return None
        condition = Q()
        for function in functions:
            condition |= Q(job_title__icontains=function)
        return condition

    def analogous_categories(self) -> frozenset[int] | None:
        """The categories analogous to the offer: itself and those the admin declared similar."""
        if self.offer_category_id is None:
            return None
        similar = self.offer_category.similar_to.values_list("pk", flat=True)
        return frozenset([self.offer_category_id, *similar])

    def offer_related_for(self, prospect: Prospect) -> bool:
        condition = self.related_condition()
        return condition is not None and Prospect.objects.filter(condition, pk=prospect.pk).exists()


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")
    LOGGED = "logged", _("Contact logged by the rep")


class MessageQuerySet(models.QuerySet):
    def allowed(self):
        return self.exclude(decision=Decision.REFUSE)

    def refused(self):
        return self.filter(decision=Decision.REFUSE)

    def queued(self):
        return self.filter(status=MessageStatus.QUEUED)


class Message(models.Model):
    """An outbox row: one per campaign and prospect, with the gate's decision and why.

    ``gate_inputs`` keeps what the gate saw (docs/rules.md §1.1 inputs, see decisions.GateInputs),
    so that each decision can be explained later without the data that produced it.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="messages")
    # The row outlives an erased prospect as a count; the purge scrubs its content.
    prospect = models.ForeignKey(Prospect, null=True, on_delete=models.SET_NULL, related_name="+")
    consent_request = models.BooleanField(default=False, editable=False)
    gate_inputs = models.CharField(_("what the gate saw"), max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices)
    legal_reference = models.CharField(_("legal reference"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("content sent"), blank=True)
    carried_notice = models.BooleanField(_("carried the privacy notice"), default=False)
    refused_at_send = models.BooleanField(_("refused when re-checked at send time"), default=False)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent or logged at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    # The token of the worker sending it, until its sending is fully recorded (sending.py).
    claim = models.PositiveIntegerField(_("claimed by"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["prospect", "status"]),
            models.Index(fields=["claim"], condition=Q(claim__isnull=False), name="message_claimed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "prospect"], name="one_message_per_campaign_and_prospect"
            ),
            # Issue 5: a consent request is sent at most once to a person, ever.
            models.UniqueConstraint(
                fields=["prospect"],
                condition=Q(consent_request=True, status__in=["sent", "logged"]),
                name="one_consent_request_per_prospect",
            ),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="message_decision_known"),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_known"),
            # Fail closed: a refused message can never be sent or logged.
            models.CheckConstraint(
                condition=~Q(decision=Decision.REFUSE) | Q(status__in=["refused"]),
                name="refused_message_stays_refused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.prospect_id}"

    @property
    def allowed(self) -> bool:
        return self.decision != Decision.REFUSE

    @property
    def needs_notice(self) -> bool:
        return self.decision == Decision.ALLOW_WITH_NOTICE


class NoticeOutcome(models.TextChoices):
    SENT = "sent", _("Notice sent")
    PURGE_FLAGGED = "purge_flagged", _("No way to inform: flagged for purge")


class NoticeRecord(models.Model):
    """Proof of an Art. 13/14 notice given after collection, or of its impossibility (docs/rules.md §1.5, §5).

    ``message`` is set when the notice rode in a campaign's first message; empty for the
    standalone notice of the Art. 14 job. A ``purge_flagged`` row is what the DPO and the
    purge see for a person who cannot be informed within a month (GDPR 14(3)(a)).
    """

    prospect = models.ForeignKey(Prospect, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.ForeignKey("prospects.Source", null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=NoticeOutcome.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    template_version = models.CharField(_("notice version"), max_length=50, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("notice record")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["outcome", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=NoticeOutcome.values), name="notice_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}:{self.prospect_id}"


# --- The mailbox of replies and bounces (mailbox.py, inbound.py) ------------------------------


class MailboxState(models.Model):
    """Where the reading of one IMAP folder stands: the last UID handled and the last outcome.

    A UID means something only under its folder's UIDVALIDITY (RFC 3501 §2.3.1.1): a new
    value restarts the count from the beginning.
    """

    folder = models.CharField(max_length=200, unique=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    waiting = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.folder


class InboundKind(models.TextChoices):
    REPLY = "reply", _("Reply from a prospect")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    STOP = "stop", _("Reply asking to stop")
    BOUNCE_PERMANENT = "bounce_permanent", _("Permanent delivery failure")
    BOUNCE_TEMPORARY = "bounce_temporary", _("Temporary delivery failure")
    REP_COPY = "rep_copy", _("Copy of a rep's own e-mail")
    UNMATCHED = "unmatched", _("Unknown sender")
    UNREADABLE = "unreadable", _("Unreadable message")


class InboundMessage(models.Model):
    """One message read from the mailbox, once: its Message-ID digest and its UID are unique keys.

    Only what the rules need is kept: the kind, the date, and for a prospect's own message
    its subject and a short excerpt, encrypted; of a rep's copy of their own e-mail, the rep
    and the ``email_sent`` interactions it logged, nothing of its text. Bodies and
    attachments are never stored.
    """

    folder = models.CharField(_("mailbox folder"), max_length=200)
    uidvalidity = models.BigIntegerField(_("folder's UIDVALIDITY"))
    uid = models.BigIntegerField(_("message number in the folder (UID)"))
    # SHA-256 of the Message-ID header, so that the header itself is not kept.
    message_key = models.CharField(_("SHA-256 of the Message-ID"), max_length=64, null=True, blank=True)  # noqa: DJ001 NULL: unique but optional
    kind = models.CharField(_("what the message is"), max_length=20, choices=InboundKind.choices)
    prospect = models.ForeignKey(
        Prospect,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("prospect"),
    )
    interaction = models.ForeignKey(
        "prospects.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("timeline entry"),
    )
    # The rep whose BCC address a copy of their own e-mail reached (org/dropbox.py).
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rep whose BCC address it reached"),
    )
    # The campaign message it answers, read from In-Reply-To / References (content.py's Message-ID).
    answers = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign message it answers"),
    )
    sent_at = models.DateTimeField(_("date of the message"), null=True, blank=True)
    subject = EncryptedTextField(_("subject"), blank=True)
    excerpt = EncryptedTextField(_("the person's words (at most 280 characters)"), blank=True)
    processed_at = models.DateTimeField(_("read by Loyal on"), default=timezone.now)

    class Meta:
        verbose_name = _("message read from the mailbox")
        constraints = [
            models.UniqueConstraint(fields=["folder", "uidvalidity", "uid"], name="one_inbound_per_uid"),
            models.UniqueConstraint(fields=["message_key"], name="one_inbound_per_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uid}"


class UndeliverableAddress(models.Model):
    """An e-mail address a permanent delivery failure reported (RFC 3464), by its blind index."""

    email_index = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.status


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the rep")
    CONFIRMED = "confirmed", _("Confirmed: objection recorded")
    DISMISSED = "dismissed", _("Dismissed")


class ObjectionProposalQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        return self.filter(prospect__in=Prospect.objects.visible_to(user))

    def pending(self):
        return self.filter(status=ProposalStatus.PENDING)


class ObjectionProposal(models.Model):
    """A reply that reads like "stop": the gate treats it as an objection on e-mail until a rep
    confirms it (an objection from route ``reply``) or dismisses it with a reason."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="+", verbose_name=_("prospect")
    )
    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="+", verbose_name=_("message read")
    )
    status = models.CharField(
        _("decision"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    created_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    dismiss_reason = models.TextField(_("why it is not an objection"), blank=True)

    objects = ObjectionProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply that may ask to stop")

    def __str__(self) -> str:
        return f"{self.prospect_id} {self.status}"
