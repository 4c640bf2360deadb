from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Subquery, Value
from django.db.models.functions import Coalesce, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.models import Profile
from org.roles import NeedToKnowQuerySet
from prospects.audience import Audience
from prospects.identity import EncryptedTextField


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class SourceType(models.TextChoices):
    """Where a prospect came from; each type has its own required evidence (provenance.py)."""

    BUSINESS_CARD = "business_card", _("Business card")
    LINKEDIN_CONNECTION = "linkedin_connection", _("LinkedIn connection")
    LINKEDIN_PUBLIC_PROFILE = "linkedin_public_profile", _("LinkedIn public profile")
    WEB_FORM_NOTICE = "web_form_notice", _("Web form with notice")
    WEB_FORM_CONSENT = "web_form_consent", _("Web form with consent")
    BROKER = "broker", _("Rented list (broker)")
    EVENT = "event", _("Event badge scan")
    INBOUND = "inbound", _("The person contacted us")
    CUSTOMER_SALE = "customer_sale", _("Customer sale")
    MANUAL = "manual", _("Other (manual)")


class Notice(models.TextChoices):
    """Whether the person was told of the processing (Art. 13 at collection, Art. 14 later)."""

    AT_COLLECTION = "at_collection", _("Informed at collection (Art. 13)")
    ART14_SENT = "art14_sent", _("Art. 14 notice sent")
    NONE = "none", _("Not informed yet")


class LegalHoldScope(models.TextChoices):
    """What a legal hold keeps (GDPR 17(3)(b), (e); docs/rules.md §2.6): that scope only."""

    RECORD = "record", _("The whole record")
    EXCHANGES = "exchanges", _("The exchanges only: timeline, messages and notes, with the name")


class RestrictionGround(models.TextChoices):
    """Why processing is restricted (GDPR 18(1)); the purge reads it (docs/rules.md §2.6)."""

    ACCURACY = "accuracy", _("Accuracy contested, while it is verified (art. 18(1)(a))")
    UNLAWFUL = "unlawful", _("Unlawful processing, the person opposes erasure (art. 18(1)(b))")
    CLAIMS = "claims", _("No longer needed, but needed by the person for a legal claim (art. 18(1)(c))")
    OBJECTION = "objection", _("Objection pending verification (art. 18(1)(d))")
    LEGAL_HOLD = "legal_hold", _("Kept under a legal hold after an erasure request (art. 17(3))")


class StageOutcome(models.TextChoices):
    """Whether a stage of the pipeline is still open, or closes it won or lost."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(models.Model):
    """A stage of the sales pipeline, in the order the admin sets (pipeline.py)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=StageOutcome.choices, default=StageOutcome.OPEN
    )

    class Meta:
        verbose_name = _("stage")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=StageOutcome.values), name="stage_outcome_known")
        ]

    def __str__(self) -> str:
        return self.name


class ProductCategory(models.Model):
    """What a customer bought or a campaign offers: the analogy test of the soft opt-in (customers.py).

    ``similar_to`` is the admin's statement that two categories are analogous (L34-5 al.4).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    similar_to = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("similar to"))

    class Meta:
        verbose_name = _("product or service category")
        verbose_name_plural = _("product or service categories")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("web domain"), max_length=253, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            # A name is matched case-insensitively (intake.py's ``iexact``, the import's
            # ``upper(name) = upper(...)``): this index serves both.
            models.Index(Upper("name"), name="company_name_upper"),
        ]

    def __str__(self) -> str:
        return self.name


# Never contacted sorts as the oldest contact: a row comparison cannot order NULLs.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
LAST_CONTACT_KEY = Coalesce(F("last_prospect_contact_at"), Value(NEVER))


class ProspectQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        """A rep sees their team's prospects.

        The team as a scalar subquery, not a join through the members: the database reads it
        once and walks the (team, created_at, id) index, newest first, for the list's page.
        """
        return self.filter(team_id=Subquery(Profile.objects.filter(user=user).values("team_id")[:1]))


class Prospect(models.Model):
    """A natural person met in a professional capacity. Minimal data: no birth date, sex or home."""

    # Empty only on a company record (company_only): the constraint below says so.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("company"),
    )
    # The company's name copied onto the row, the list's sort key for "company": an index
    # serves a keyset page only over columns of one table, and a join to companies would
    # sort every row of a team or of the base per page. A company is never renamed, and
    # every writer of ``company`` sets it too (intake.py, import_staging.py).
    company_sort = models.CharField(max_length=200, blank=True, default="", db_default="", editable=False)
    email = EncryptedTextField(_("work email"), blank=True)
    email_index = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 NULL: unique but optional
    phone = EncryptedTextField(_("work phone"), blank=True)
    phone_index = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 NULL: unique but optional
    linkedin_url = models.CharField(_("LinkedIn profile"), max_length=300, blank=True)
    linkedin_index = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 NULL: unique but optional
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    audience_justification = models.TextField(_("why the audience was set by hand"), blank=True)
    # docs/rules.md §1.2: a one-person business (entrepreneur individuel, liberal profession)
    # is a natural person, and its addresses are its own, a role address included.
    # A default in the database too: the import and the bench insert prospects set-based.
    sole_trader = models.BooleanField(
        _("sole trader (entrepreneur individuel)"), default=False, db_default=False
    )
    # GDPR 4(1), docs/rules.md §1.2: a company or department record naming no person is no
    # personal data; it alone escapes the notices, G6 and the retention purge.
    company_only = models.BooleanField(_("company record, no person named"), default=False, db_default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prospects", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "org.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("team"),
    )
    collected_at = models.DateTimeField(_("collected at"), default=timezone.now)
    last_prospect_contact_at = models.DateTimeField(
        _("last contact from the prospect"), null=True, blank=True
    )
    retention_until = models.DateField(_("kept until"), db_index=True)
    legal_hold_until = models.DateField(_("legal hold until"), null=True, blank=True)
    legal_hold_reason = models.CharField(_("legal hold reason"), max_length=300, blank=True)
    legal_hold_placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("legal hold placed by"),
    )
    legal_hold_placed_at = models.DateTimeField(_("legal hold placed at"), null=True, blank=True)
    legal_hold_scope = models.CharField(
        _("legal hold scope"),
        max_length=20,
        choices=LegalHoldScope.choices,
        blank=True,
        default="",
        db_default="",
    )
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage")
    )
    is_customer = models.BooleanField(_("customer"), default=False)
    # docs/rules.md §1.1 customer_similar: the sale, what was sold and the refusal offered then.
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    customer_category = models.ForeignKey(
        ProductCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("what was sold"),
    )
    customer_opt_out_offered = models.BooleanField(
        _("a free refusal of prospecting was offered at the sale"), default=False, db_default=False
    )
    customer_opt_out_offered_at = models.DateField(_("refusal offered on"), null=True, blank=True)
    customer_opt_out_evidence = models.CharField(
        _("how the refusal was offered"), max_length=300, blank=True, default="", db_default=""
    )
    customer_relationship_ended_at = models.DateField(
        _("end of the customer relationship"), null=True, blank=True
    )
    restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    restriction_ground = models.CharField(
        _("restriction ground"),
        max_length=20,
        choices=RestrictionGround.choices,
        blank=True,
        default="",
        db_default="",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The deadline the owner was last warned about in the retention digest (retention.py).
    retention_warned_for = models.DateField(
        _("retention digest sent for"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "retention_warned_for", "company_sort"])
    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("prospect")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(company_only=True, first_name="", last_name="", sole_trader=False))
                | (Q(company_only=False) & ~Q(first_name="") & ~Q(last_name="")),
                name="prospect_named_unless_company_only",
            ),
            models.UniqueConstraint(fields=["email_index"], name="one_prospect_per_email"),
            models.UniqueConstraint(fields=["phone_index"], name="one_prospect_per_phone"),
            models.UniqueConstraint(fields=["linkedin_index"], name="one_prospect_per_linkedin"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="prospect_audience_known"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"]),
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["-created_at", "-id"], name="prospect_keyset"),
            # A rep's list: their team's prospects, newest first (prospects/listing.py).
            models.Index(fields=["team", "-created_at", "-id"], name="prospect_team_keyset"),
            # The other sorts of the list (listing.SORTS): keyset on (sort column, id), one
            # index for a team's list and one for the DPO's and admins' whole base.
            models.Index(fields=["team", "last_name", "first_name", "id"], name="prospect_team_name"),
            models.Index(fields=["last_name", "first_name", "id"], name="prospect_name_keyset"),
            models.Index(fields=["team", "retention_until", "id"], name="prospect_team_retention"),
            models.Index(fields=["retention_until", "id"], name="prospect_retention_keyset"),
            models.Index(F("team"), LAST_CONTACT_KEY, F("id"), name="prospect_team_contact"),
            models.Index(LAST_CONTACT_KEY, F("id"), name="prospect_contact_keyset"),
            models.Index(fields=["team", "company_sort", "id"], name="prospect_team_company"),
            models.Index(fields=["company_sort", "id"], name="prospect_company_keyset"),
            # By owner: the rows grouped by their owner's id. A name would have to be copied
            # onto every row and would go stale at each rename on the users page.
            models.Index(fields=["team", "owner", "id"], name="prospect_team_owner"),
            models.Index(fields=["owner", "id"], name="prospect_owner_keyset"),
            # The list filtered by stage, newest first, and sorted by stage (listing.SORTS:
            # one range of (stage, id) per stage, in the pipeline's order).
            models.Index(fields=["team", "stage", "-created_at", "-id"], name="prospect_team_stage_new"),
            models.Index(fields=["stage", "-created_at", "-id"], name="prospect_stage_new"),
            models.Index(fields=["team", "stage", "id"], name="prospect_team_stage"),
            models.Index(fields=["stage", "id"], name="prospect_stage_keyset"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("prospects:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        if self.company_only:  # a company record names no person: it goes by the company
            return self.company_name
        return f"{self.first_name} {self.last_name}"

    @property
    def company_name(self) -> str:
        return self.company.name if self.company else ""

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    def hold_scope(self, *, today) -> str:
        """The scope of the legal hold running on ``today``, or "" (an older hold without one keeps all)."""
        if self.legal_hold_until is None or self.legal_hold_until < today:
            return ""
        return self.legal_hold_scope or LegalHoldScope.RECORD


class StageChange(models.Model):
    """A move of a prospect from one stage to another: who and when (pipeline.py).

    Never a contact from the prospect: it moves no retention clock.
    """

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["prospect", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.from_stage_id}->{self.to_stage_id}"


class Source(models.Model):
    """Provenance of a prospect, with the evidence its type requires."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="sources")
    type = models.CharField(_("source type"), max_length=30, choices=SourceType.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    acquired_at = models.DateTimeField(_("acquired at"), default=timezone.now)
    notice = models.CharField(_("notice"), max_length=20, choices=Notice.choices, default=Notice.NONE)
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        ordering = ["acquired_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=SourceType.values), name="source_type_known")
        ]

    def __str__(self) -> str:
        return self.get_type_display()


class InteractionType(models.TextChoices):
    EMAIL_SENT = "email_sent", _("Email sent")
    EMAIL_OPEN = "email_open", _("Email opened")
    EMAIL_CLICK = "email_click", _("Link clicked in an email")
    EMAIL_REPLY = "email_reply", _("Reply to our message")
    EMAIL_INBOUND = "email_inbound", _("Email from the prospect")
    EMAIL_BOUNCE = "email_bounce", _("Email bounced")
    AUTO_REPLY = "auto_reply", _("Automatic reply or out of office")
    CALL_OUTBOUND = "call_outbound", _("Call made")
    CALL_INBOUND = "call_inbound", _("Call from the prospect")
    VOICEMAIL_LEFT = "voicemail_left", _("Voicemail left")
    # C. conso D223-9: a consumer who refused is not called again for 60 days.
    CALL_REFUSED = "call_refused", _("Call made: the person refused the offer")
    LINKEDIN_MESSAGE_SENT = "linkedin_message_sent", _("LinkedIn message sent")
    LINKEDIN_MESSAGE_RECEIVED = "linkedin_message_received", _("LinkedIn message received")
    LINKEDIN_CONNECTION_ACCEPTED = "linkedin_connection_accepted", _("LinkedIn connection accepted")
    LETTER_SENT = "letter_sent", _("Letter sent")
    SMS_SENT = "sms_sent", _("SMS sent")
    MEETING = "meeting", _("Meeting held")
    DEMO_REQUEST = "demo_request", _("Demo or quote request")
    FORM_SUBMISSION = "form_submission", _("Web form submitted")
    CONTENT_DOWNLOAD = "content_download", _("Content downloaded with identification")
    ORDER = "order", _("Order or contract")
    REPERMISSION_YES = "repermission_yes", _("Said yes to being kept informed")
    ENRICHMENT = "enrichment", _("Data refreshed or enriched")
    PROFILE_VIEW = "profile_view", _("Profile or website visit")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the prospect")
    OUTBOUND = "outbound", _("From us")
    NONE = "none", _("Neither")


class Interaction(models.Model):
    """Append-only timeline. Whether it is a voluntary contact is derived from the type."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="interactions")
    type = models.CharField(_("type"), max_length=40, choices=InteractionType.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, editable=False)
    is_voluntary_prospect_contact = models.BooleanField(editable=False)
    occurred_at = models.DateTimeField(_("when"))
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("interaction")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["prospect", "-occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=InteractionType.values), name="interaction_type_known"
            )
        ]

    def __str__(self) -> str:
        return self.get_type_display()


class Note(models.Model):
    """A rep's note on a prospect; screened for special-category data (Art. 9) and insults."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("note")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.author_id}@{self.created_at:%Y-%m-%d}"


class NextStepQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        """A rep sees the steps on their team's prospects, whoever owns them."""
        return self.filter(
            prospect__team_id=Subquery(Profile.objects.filter(user=user).values("team_id")[:1])
        )

    def open(self):
        return self.filter(done_at__isnull=True)


class NextStep(models.Model):
    """What is to be done next about a prospect, by whom and when (prospects/next_steps.py).

    Goes with the prospect when it is erased or purged. Completing it never moves the
    retention deadline; the interaction it may log follows the timeline's own rules.
    """

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="next_steps")
    what = models.CharField(_("next step"), max_length=300)
    due_at = models.DateTimeField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="next_steps", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("done by"),
    )
    # The interaction logged when the step was done, if one was.
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("interaction logged"),
    )

    objects = NextStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("next step")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="next_step_done_has_who",
            ),
        ]
        indexes = [
            # A rep's day: their open steps by due date (agenda.py).
            models.Index(
                fields=["owner", "due_at"], name="next_step_open_by_owner", condition=Q(done_at__isnull=True)
            ),
            models.Index(fields=["prospect", "due_at"], name="next_step_prospect"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_id}@{self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Suppression(models.Model):
    """A keyed hash of an identifier whose owner objected; outlives the prospect (docs/rules.md §2.3)."""

    ALL_CHANNELS = "all"

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        LINKEDIN = "linkedin", _("LinkedIn profile")

    class Origin(models.TextChoices):
        LINK = "link", _("Unsubscribe link")
        REPLY = "reply", _("Reply")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        BROKER = "broker", _("Broker")
        REQUEST = "request", _("Data-subject request")
        ERASURE = "erasure", _("Erasure")
        PREFERENCES = "preferences", _("Preference page")

    kind = models.CharField(_("identifier"), max_length=10, choices=Kind.choices)
    digest = models.CharField(_("keyed hash"), max_length=64)
    channel = models.CharField(_("channel"), max_length=20, default=ALL_CHANNELS)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppression")
        constraints = [
            models.UniqueConstraint(fields=["digest", "channel"], name="one_suppression_per_scope")
        ]
        indexes = [models.Index(fields=["digest"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.channel}"


class PurgeReason(models.TextChoices):
    RETENTION_EXPIRED = "retention_expired", _("Retention period over (GDPR art. 5(1)(e))")
    CUSTOMER_RETENTION_EXPIRED = (
        "customer_retention_expired",
        _("Customer relationship ended long enough ago"),
    )
    ERASURE = "erasure", _("Erasure request (GDPR art. 17)")
    OBJECTION = "objection", _("Objection to every channel: record reduced to its hash (GDPR art. 5(1)(c))")
    ART14_OVERDUE = (
        "art14_overdue",
        _("Not informed within a month of an indirect collection (GDPR art. 14(3)(a))"),
    )


class PurgeRun(models.Model):
    """One run of the retention purge, or one erasure: counts only, never who (GDPR 5(2), 5(1)(e)).

    Counts are written in the same transaction as each chunk's deletions, so that a run
    killed half-way still says exactly what it removed.
    """

    reason = models.CharField(_("reason"), max_length=40, choices=PurgeReason.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    as_of = models.DateField(_("deadlines applied as of"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last chunk started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    purged = models.PositiveIntegerField(_("prospects removed"), default=0)
    counts = models.JSONField(_("prospects removed per reason"), default=dict)
    rows = models.JSONField(_("rows removed per table"), default=dict)
    chunks = models.PositiveIntegerField(_("chunks committed"), default=0)
    # Why the run stopped before its end; a run found unfinished by the next one gets one.
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("triggered by"),
    )

    class Meta:
        verbose_name = _("purge run")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at"], name="purgerun_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=PurgeReason.values), name="purgerun_reason_known")
        ]

    def __str__(self) -> str:
        return f"{self.reason}@{self.started_at:%Y-%m-%d}"


class PropagationEvent(models.TextChoices):
    OBJECTION = "objection", _("Objection (GDPR art. 21)")
    ERASURE = "erasure", _("Erasure (GDPR art. 17)")
    PURGE = "purge", _("Retention purge (GDPR art. 5(1)(e))")
    RECTIFICATION = "rectification", _("Rectification (GDPR art. 16)")
    RESTRICTION = "restriction", _("Restriction (GDPR art. 18)")
    RESTRICTION_LIFTED = "restriction_lifted", _("Restriction lifted (GDPR art. 18(3))")


class RecipientKind(models.TextChoices):
    BROKER = "broker", _("Source broker")
    # Placeholder until the integrations read the queue: the controller's other systems.
    OTHER_SYSTEMS = "other_systems", _("Our other systems")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")


class Propagation(models.Model):
    """A change the recipients of a person's data must be told of (GDPR 19, 28(3)(g); docs/rules.md §2.3).

    Written in the same transaction as the objection, erasure or purge it reports, and
    kept after the record goes: the prospect link is cut, never cascaded. It holds only
    what a recipient needs to act: the keyed hashes of the identifiers, as the
    suppression list holds them, and for a person from a rented list the broker's name,
    contract and list references. Nothing in clear.
    """

    Event = PropagationEvent

    # Kept when the record goes: the hashes and the broker's references are what the recipient needs.
    PURGE_SCRUBBED_FIELDS = ()

    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="propagations"
    )
    event = models.CharField(_("change"), max_length=20, choices=PropagationEvent.choices)
    channel = models.CharField(_("channel"), max_length=20, blank=True, help_text=_("Empty: every channel."))
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    record_erased = models.BooleanField(
        _("record erased"), default=False, help_text=_("Recipients delete their copies too.")
    )
    email_digest = models.CharField(_("keyed hash of the email"), max_length=64, blank=True)
    phone_digest = models.CharField(_("keyed hash of the phone"), max_length=64, blank=True)
    linkedin_digest = models.CharField(_("keyed hash of the LinkedIn URL"), max_length=64, blank=True)
    broker = models.CharField(_("source broker"), max_length=200, blank=True)
    broker_contract_ref = models.CharField(_("broker contract reference"), max_length=200, blank=True)
    broker_list_id = models.CharField(_("broker list identifier"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("propagation (GDPR art. 19)")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=PropagationEvent.values), name="propagation_event_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}:{self.channel or 'all'}@{self.occurred_at:%Y-%m-%d}"


class Recipient(models.Model):
    """One recipient of a propagation entry, and whether and how it was told (GDPR 19)."""

    Kind = RecipientKind
    Status = DeliveryStatus

    propagation = models.ForeignKey(Propagation, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(_("recipient"), max_length=20, choices=RecipientKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_how = models.CharField(_("sent how"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("propagation recipient")
        constraints = [
            models.UniqueConstraint(fields=["propagation", "kind"], name="one_recipient_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=RecipientKind.values), name="recipient_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="recipient_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", sent_at__isnull=True) | Q(status="sent", sent_at__isnull=False),
                name="recipient_sent_has_date",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.status}"


class ImportJobQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        """A rep sees the imports they started."""
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """A file of prospects loaded with one provenance; its progress and counts (importing.py).

    Holds no personal data itself: the rejected rows are named by line number and reason.
    ``loaded_through`` is the last line whose batch committed, so that a run killed
    half-way resumes after it and loads every good row exactly once.
    """

    class Status(models.TextChoices):
        INSPECTING = "inspecting", _("Reading the file")
        DRAFT = "draft", _("Waiting for its column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        VCARD = "vcf", "vCard"

    filename = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, editable=False)
    uploaded = models.BooleanField(default=False, editable=False)  # the server's copy, removed when done
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    encoding = models.CharField(max_length=20, blank=True, editable=False)
    delimiter = models.CharField(max_length=1, blank=True, editable=False)
    source_type = models.CharField(_("source type"), max_length=30, choices=SourceType.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    # Every row a company record: no name, a company or department coordinate (docs/rules.md §1.2).
    company_only = models.BooleanField(_("company records, no person named"), default=False, db_default=False)
    # Asked once at the mapping when no column gives each row's language: never assumed.
    language = models.CharField(
        _("language of the file's people"), max_length=2, choices=Language.choices, blank=True
    )
    mapping = models.JSONField(_("column mapping"), default=dict)  # field -> column heading
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # What the worker read of the file (import_files.py): the headings, how many rows, and the
    # first rows encrypted for the mapping page, cleared once the mapping is chosen.
    headings = models.JSONField(default=list, editable=False)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    preview = EncryptedTextField(blank=True, editable=False)
    # Business cards (.vcf): how many held a photo or a note, dropped as a prospect keeps neither.
    dropped_photos = models.PositiveIntegerField(_("cards whose photo was dropped"), default=0)
    dropped_notes = models.PositiveIntegerField(_("cards whose note was dropped"), default=0)
    # The clean-up deleted its file and staged rows (import_cleanup.py): it cannot resume.
    cleared_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    staged_through = models.PositiveIntegerField(default=0, editable=False)
    staged = models.BooleanField(default=False, editable=False)
    checked = models.BooleanField(default=False, editable=False)
    last_line = models.PositiveIntegerField(null=True, blank=True, editable=False)
    loaded_through = models.PositiveIntegerField(default=0, editable=False)
    loaded = models.PositiveIntegerField(_("prospects loaded"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Last sign of life: queued, or a step written. A job silent for long lost its task.
    heartbeat_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_type__in=SourceType.values), name="import_source_known"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("prospects:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_active(self) -> bool:
        """A worker reads or loads it: its page polls for progress."""
        return self.status in (self.Status.INSPECTING, self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_resume(self) -> bool:
        return self.status == self.Status.FAILED and self.cleared_at is None and self.headings != []


class ImportCleanup(models.Model):
    """One run of the clean-up of import files and staging tables: what it removed, never whose."""

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    older_than = models.DateTimeField(_("removed what was older than"))
    jobs = models.JSONField(_("imports cleared"), default=list)  # ids of the ImportJob rows
    files = models.PositiveIntegerField(_("files of imports deleted"), default=0)
    orphan_files = models.PositiveIntegerField(_("files without an import deleted"), default=0)
    staging_tables = models.PositiveIntegerField(_("staging tables dropped"), default=0)

    class Meta:
        verbose_name = _("import clean-up")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"import-cleanup@{self.ran_at:%Y-%m-%d %H:%M}"


class RejectionReason(models.TextChoices):
    """Why a row of an import file was not loaded."""

    MISSING_NAME = "missing_name", _("First or last name missing")
    MALFORMED_EMAIL = "malformed_email", _("Malformed email address")
    MALFORMED_PHONE = "malformed_phone", _("Malformed phone number")
    MALFORMED_LINKEDIN = "malformed_linkedin", _("Not a LinkedIn profile address")
    MISSING_PROFILE_LINK = "missing_profile_link", _("LinkedIn source without the profile link")
    NO_CONTACT_POINT = "no_contact_point", _("No email, phone or LinkedIn profile")
    TOO_LONG = "too_long", _("Value too long")
    UNKNOWN_LANGUAGE = "unknown_language", _("Unknown language")
    PRIVATE_ADDRESS = "private_address", _("Free-mail address on a LinkedIn source (needs a reason)")
    SCRAPING = "scraping", _("Collected with a scraping or email-finder tool")
    OPPOSED = "opposed", _("The person objected (suppression list)")
    ALREADY_RECORDED = "already_recorded", _("Already recorded")
    DUPLICATE_IN_FILE = "duplicate_in_file", _("Duplicate of an earlier line of the file")
    # A file of company records (docs/rules.md §1.2, GDPR 4(1)): a row naming a person is refused.
    NAMED_IN_COMPANY_FILE = "named_in_company_file", _("A name in a file of company records")
    PERSONAL_COORDINATE = (
        "personal_coordinate",
        _("A person's address or number in a file of company records"),
    )
    MISSING_COMPANY = "missing_company", _("Company name missing")
    UNKNOWN_STAGE = "unknown_stage", _("Not one of the pipeline's stages")
    UNKNOWN_CATEGORY = "unknown_category", _("Not one of the product or service categories")
    MALFORMED_DATE = "malformed_date", _("Not a date (YYYY-MM-DD or DD/MM/YYYY), or a date in the future")
    # A business card of a .vcf file that the vCard parser cannot read (prospects/import_vcards.py).
    UNREADABLE_CARD = "unreadable_card", _("Not a readable vCard (broken or cut short)")


class ImportRejection(models.Model):
    """A row of an import that was not loaded, named by its line in the file and the reason."""

    Reason = RejectionReason

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=30, choices=RejectionReason.choices)
    field = models.CharField(_("column"), max_length=30, blank=True)
    duplicate_of = models.PositiveIntegerField(_("duplicate of line"), null=True, blank=True)

    class Meta:
        verbose_name = _("rejected import row")
        ordering = ["job", "line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="one_rejection_per_line"),
            models.CheckConstraint(
                condition=Q(reason__in=RejectionReason.values), name="import_rejection_reason_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class TeamQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        """A rep sees their team's lists."""
        return self.filter(team_id=Subquery(Profile.objects.filter(user=user).values("team_id")[:1]))


class ProspectList(models.Model):
    """A static list of a team's prospects, added by hand or in bulk; a campaign may target it."""

    name = models.CharField(_("name"), max_length=200)
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("list")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="one_list_name_per_team")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('prospects:list')}?in_list={self.pk}"


class ListMember(models.Model):
    """A prospect on a list: who added it and when. Goes with the prospect when it is erased."""

    prospect_list = models.ForeignKey(ProspectList, on_delete=models.CASCADE, related_name="members")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("list member")
        ordering = ["prospect_list", "prospect"]
        constraints = [
            models.UniqueConstraint(fields=["prospect_list", "prospect"], name="one_membership_per_list")
        ]
        indexes = [models.Index(fields=["prospect"])]

    def __str__(self) -> str:
        return f"{self.prospect_list_id}:{self.prospect_id}"


class SavedViewQuerySet(NeedToKnowQuerySet):
    def of_rep(self, user):
        return self.usable_by(user)

    def usable_by(self, user):
        """A user's own views and the views their team shares."""
        team = Subquery(Profile.objects.filter(user=user).values("team_id")[:1])
        return self.filter(Q(created_by=user) | Q(shared=True, team_id=team))


class SavedView(models.Model):
    """A named filter of the prospect list, private or shared with the team.

    Used as a campaign's segment it is evaluated when used: at the preview and again at
    send time, so a campaign reaches the prospects that match then.
    """

    name = models.CharField(_("name"), max_length=200)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=20, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved view")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookEventType(models.TextChoices):
    """What a webhook endpoint can subscribe to (prospects/webhooks.py; docs/rules.md §2.3)."""

    PROSPECT_CREATED = "prospect.created", _("A prospect was recorded")
    PROSPECT_UPDATED = "prospect.updated", _("A prospect's record was changed")
    CONSENT_GRANTED = "consent.granted", _("A consent was granted")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("A consent was withdrawn")
    OBJECTION_RECORDED = "objection.recorded", _("An objection was recorded (GDPR art. 21)")
    PROSPECT_ERASED = "prospect.erased", _("A prospect was erased (GDPR art. 17)")
    PROSPECT_PURGED = "prospect.purged", _("A prospect was purged at the end of retention")
    PROSPECT_RECTIFIED = "prospect.rectified", _("A prospect's identifiers were rectified (GDPR art. 16)")
    PROSPECT_RESTRICTED = "prospect.restricted", _("A prospect's processing was restricted (GDPR art. 18)")
    RESTRICTION_LIFTED = "prospect.restriction_lifted", _("A restriction was lifted (GDPR art. 18(3))")


class WebhookEndpoint(models.Model):
    """A system of the organisation's that Loyal tells of changes, signed (Standard Webhooks).

    The secret is generated by Loyal, shown once to the admin who registers the endpoint and
    kept encrypted at rest: Loyal needs it in clear to sign each delivery.
    """

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("signing secret"))
    active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One event in the outbox; its ``key`` is the stable ``webhook-id`` of every attempt."""

    Type = WebhookEventType

    key = models.CharField(_("webhook-id"), max_length=40, unique=True)
    type = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # What the recipient needs and no more: references and hashes, never a name or an address.
    data = models.JSONField(_("data"), default=dict)

    class Meta:
        verbose_name = _("webhook event")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=WebhookEventType.values), name="webhook_event_known"),
        ]

    def __str__(self) -> str:
        return f"{self.type}:{self.key}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One event for one endpoint: pending until a 2xx answer, retried with a growing wait."""

    Status = WebhookDeliveryStatus

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint"),
            models.CheckConstraint(
                condition=Q(status__in=WebhookDeliveryStatus.values), name="webhook_delivery_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id}->{self.endpoint_id}:{self.status}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, the answer's status code (none when unreachable), how long."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    ok = models.BooleanField(_("delivered"), default=False)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}@{self.at:%Y-%m-%d %H:%M}:{self.status_code}"
