"""What the accountability records are: the processing activities and register versions,
data-subject requests, erasures and breaches (GDPR 5(2), 12, 17, 30, 33(5)). The
controller's identity is ``org.Organisation``."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from prospects.models import Prospect, PurgeRun
from registry.fiche import Period

LINES = _("One item per line.")


class LegalBasis(models.TextChoices):
    """The lawful bases of GDPR 6(1), by their letter."""

    CONSENT = "a", _("Consent (art. 6(1)(a))")
    CONTRACT = "b", _("Contract (art. 6(1)(b))")
    LEGAL_OBLIGATION = "c", _("Legal obligation (art. 6(1)(c))")
    VITAL_INTERESTS = "d", _("Vital interests (art. 6(1)(d))")
    PUBLIC_TASK = "e", _("Public task (art. 6(1)(e))")
    LEGITIMATE_INTEREST = "f", _("Legitimate interest (art. 6(1)(f))")


class DpiaStatus(models.TextChoices):
    """GDPR 35: where the activity stands as to a data protection impact assessment."""

    NOT_REQUIRED = "not_required", _("Screened: no DPIA required")
    IN_PROGRESS = "in_progress", _("DPIA in progress")
    DONE = "done", _("DPIA carried out")


class ProcessingActivity(models.Model):
    """One processing activity of the Art. 30 record, as the DPO keeps it (docs/rules.md §3.1-3.2).

    Seeded from the code's declarations (``registry.activities``); edited on its page by
    the DPO only (``registry.records.update_activity``), every change kept with who and
    when. Texts are held in both languages of the register; references the organisation
    attests (LIA, DPIA, backups, Art. 28 contracts) are empty until the DPO enters them.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_on = models.DateField(_("created on"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    purpose_en = models.TextField(_("purpose (English)"))
    purpose_fr = models.TextField(_("purpose (French)"))
    sub_purposes_en = models.TextField(_("sub-purposes (English)"), blank=True, help_text=LINES)
    sub_purposes_fr = models.TextField(_("sub-purposes (French)"), blank=True, help_text=LINES)
    legal_bases = models.JSONField(_("lawful bases (art. 6(1))"), default=list)
    legal_basis_en = models.TextField(_("legal basis, as stated (English)"), help_text=LINES)
    legal_basis_fr = models.TextField(_("legal basis, as stated (French)"), help_text=LINES)
    lia_reference = models.CharField(
        _("legitimate interest assessment: reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the LIA is kept. Required when the basis is legitimate interest (art. 6(1)(f))."),
    )
    data_subjects_en = models.TextField(_("categories of data subjects (English)"), help_text=LINES)
    data_subjects_fr = models.TextField(_("categories of data subjects (French)"), help_text=LINES)
    data_categories = models.JSONField(_("categories of data"), default=dict)
    sensitive_data_en = models.TextField(_("sensitive data (English)"))
    sensitive_data_fr = models.TextField(_("sensitive data (French)"))
    sources_en = models.TextField(_("sources of the data (English)"), help_text=LINES)
    sources_fr = models.TextField(_("sources of the data (French)"), help_text=LINES)
    recipients_internal_en = models.TextField(_("internal recipients (English)"), help_text=LINES)
    recipients_internal_fr = models.TextField(_("internal recipients (French)"), help_text=LINES)
    recipients_external_en = models.TextField(_("external organisations (English)"), help_text=LINES)
    recipients_external_fr = models.TextField(_("external organisations (French)"), help_text=LINES)
    processors = models.JSONField(_("processors named in the organisation's details"), default=list)
    other_processors = models.TextField(
        _("other processors"), blank=True, help_text=_("One per line: name, service, country.")
    )
    transfers_en = models.TextField(_("transfers outside the EU (English)"), blank=True)
    transfers_fr = models.TextField(_("transfers outside the EU (French)"), blank=True)
    security = models.JSONField(_("security measures"), default=dict)
    backup_measures = models.TextField(
        _("backups and restore tests"),
        blank=True,
        help_text=_(
            "As the organisation attests them: encryption, frequency, the date and report of the last "
            "restore test."
        ),
    )
    processor_contracts = models.TextField(
        _("Art. 28 contracts with the processors"),
        blank=True,
        help_text=_("The reference of each processor's contract, audit rights included (GDPR 28(3)(h))."),
    )
    dpia_status = models.CharField(_("DPIA status"), max_length=20, choices=DpiaStatus.choices, blank=True)
    dpia_reference = models.CharField(
        _("DPIA or screening: reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the DPIA, or the screening that found none required, is kept."),
    )
    dpia_notes_en = models.TextField(_("DPIA: reasoning (English)"), blank=True)
    dpia_notes_fr = models.TextField(_("DPIA: reasoning (French)"), blank=True)
    joint_controller_en = models.TextField(_("joint controller (English)"))
    joint_controller_fr = models.TextField(_("joint controller (French)"))
    rights_en = models.TextField(_("exercise of rights (English)"))
    rights_fr = models.TextField(_("exercise of rights (French)"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dpia_status="") | Q(dpia_status__in=DpiaStatus.values), name="activity_dpia_known"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return self.name_fr if language.startswith("fr") else self.name_en


class RetentionRule(models.Model):
    """How long one category of data of an activity is kept (GDPR 30(1)(f)).

    With a ``period`` other than ``fixed`` the duration is the one the purge applies,
    read when the register is built; only a fixed period holds years or months.
    """

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="retention", verbose_name=_("activity")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    data_en = models.TextField(_("data (English)"))
    data_fr = models.TextField(_("data (French)"))
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.FIXED)
    years = models.PositiveSmallIntegerField(_("years"), default=0)
    months = models.PositiveSmallIntegerField(_("months"), default=0)
    start_en = models.TextField(_("from (English)"))
    start_fr = models.TextField(_("from (French)"))
    then_en = models.TextField(_("at the end (English)"))
    then_fr = models.TextField(_("at the end (French)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention rule")
        ordering = ["activity", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period__in=Period.values), name="retention_period_known"),
            models.CheckConstraint(
                condition=(Q(period=Period.FIXED) & (Q(years__gt=0) | Q(months__gt=0)))
                | (~Q(period=Period.FIXED) & Q(years=0, months=0)),
                name="retention_fixed_has_a_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.position}"


class RegisterVersion(models.Model):
    """One state of the register's declared content (live figures excluded), with the DPO's sign-off."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        verbose_name = _("register version")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True, signed_at__isnull=True)
                | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="version_signed_by_someone_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (art. 15)")
    RECTIFICATION = "rectification", _("Rectification (art. 16)")
    ERASURE = "erasure", _("Erasure (art. 17)")
    RESTRICTION = "restriction", _("Restriction (art. 18)")
    PORTABILITY = "portability", _("Portability (art. 20)")
    OBJECTION = "objection", _("Objection (art. 21)")


class RequestChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Answered")
    REFUSED = "refused", _("Refused, with reasons")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class SubjectRequestQuerySet(models.QuerySet):
    def with_deadline(self):
        return self.annotate(deadline_on=Coalesce(F("extended_until"), F("due_on")))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date):
        """Open requests past their deadline (GDPR 12(3): one month, or the extension)."""
        return self.open().with_deadline().filter(deadline_on__lt=today)


class SubjectRequest(models.Model):
    """A request from a person exercising a right (GDPR 12, 15-21).

    It names no one by itself: the person is linked through ``prospect`` (found by the
    blind index at intake), and the link is cut when their record is erased, so the
    request log outlives them without their data.
    """

    kind = models.CharField(_("right exercised"), max_length=20, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("received by"), max_length=20, choices=RequestChannel.choices)
    identity_check = models.TextField(
        _("identity check"),
        blank=True,
        help_text=_("How the identity was confirmed. No copy of an ID document (EDPB 01/2022)."),
    )
    prospect = models.ForeignKey(
        Prospect,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subject_requests",
        verbose_name=_("prospect"),
    )
    due_on = models.DateField(_("due on"))
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_on = models.DateField(_("extension decided on"), null=True, blank=True)
    extension_told_on = models.DateField(
        _("person told of the extension on"),
        null=True,
        blank=True,
        help_text=_("GDPR 12(3): within one month of receipt, with the reasons."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handled by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    remedies_told = models.BooleanField(
        _("told of the complaint to the CNIL and of the judicial remedy"),
        default=False,
        help_text=_("GDPR 12(4): a refusal gives its reasons and these two routes."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    response_sha256 = models.CharField(_("SHA-256 of what was delivered"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = SubjectRequestQuerySet.as_manager()

    # Blanked when the person's record is erased (prospects.purge): the rest holds no personal data.
    PURGE_SCRUBBED_FIELDS = ("identity_check",)

    class Meta:
        verbose_name = _("data-subject request")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="request_kind_known"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="request_status_known"),
            # GDPR 12(3): an extension is told to the person with its reasons.
            models.CheckConstraint(
                condition=Q(extended_until__isnull=True)
                | (~Q(extension_reason="") & Q(extended_on__isnull=False)),
                name="request_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def deadline(self) -> date:
        return self.extended_until or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ErasureGround(models.TextChoices):
    """GDPR 17(1): why the data are erased."""

    REQUEST = "request", _("The person asked (art. 17(1))")
    OBJECTION = "objection", _("The person objected (art. 17(1)(c))")
    UNLAWFUL = "unlawful", _("Unlawfully processed (art. 17(1)(d))")


class ErasureOutcome(models.TextChoices):
    """GDPR 17(3): what was erased; a legal hold keeps its scope (docs/rules.md §2.6)."""

    ERASED = "erased", _("Erased")
    PARTIAL = "partial", _("Partly erased: the held data are kept (art. 17(3))")
    REFUSED = "refused", _("Refused: the whole record is held (art. 17(3))")


class Erasure(models.Model):
    """Evidence of an erasure (GDPR 17, 5(2)): who, when, on which ground. No personal data.

    The rows removed per table are those of the purge run that did the deletion.
    """

    at = models.DateTimeField(_("erased at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("erased by")
    )
    ground = models.CharField(_("ground"), max_length=20, choices=ErasureGround.choices)
    request = models.ForeignKey(
        SubjectRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="erasures",
        verbose_name=_("request"),
    )
    run = models.OneToOneField(
        PurgeRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="erasure",
        verbose_name=_("deletion run"),
    )
    suppressed = models.PositiveIntegerField(_("identifiers added to the suppression list"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ErasureOutcome.choices, default=ErasureOutcome.ERASED
    )
    # GDPR 12(4): what the person was told is kept, and why. No identifier of the person.
    kept = models.TextField(_("what is kept and why"), blank=True)

    class Meta:
        verbose_name = _("erasure")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ground__in=ErasureGround.values), name="erasure_ground_known"),
            models.CheckConstraint(
                condition=Q(outcome__in=ErasureOutcome.values), name="erasure_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.ground}"


class InformedBy(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")


class RestrictionLift(models.Model):
    """GDPR 18(3): the person was told before the restriction was lifted; when, how, in which words.

    Part of the person's record: it goes with it at erasure or purge (prospects/deletion.py).
    """

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="restriction_lifts")
    ground = models.CharField(_("restriction ground"), max_length=20, blank=True)
    restricted_at = models.DateTimeField(_("restricted since"))
    informed_on = models.DateField(_("person informed on"))
    informed_by = models.CharField(_("informed by"), max_length=20, choices=InformedBy.choices)
    text = models.TextField(_("what the person was told"))
    lifted_at = models.DateTimeField(_("lifted at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lifted by")
    )

    class Meta:
        verbose_name = _("restriction lifted")
        ordering = ["-lifted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(informed_by__in=InformedBy.values), name="restriction_lift_channel_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lifted_at:%Y-%m-%d}"


class RiskLevel(models.TextChoices):
    """The risk a breach is likely to result in for the people (GDPR 33(1), 34(1))."""

    UNLIKELY = "unlikely", _("Unlikely to result in a risk: no notification (art. 33(1))")
    RISK = "risk", _("A risk to the people: the CNIL is notified (art. 33(1))")
    HIGH = "high", _("A high risk: the people are told too (art. 34(1))")


class NoCommunicationGround(models.TextChoices):
    """GDPR 34(3): why people exposed to a high risk need not be told one by one."""

    UNINTELLIGIBLE = (
        "unintelligible",
        _("The data are unintelligible to others, e.g. encrypted (art. 34(3)(a))"),
    )
    MEASURES = "measures", _("Later measures make the high risk no longer likely (art. 34(3)(b))")
    DISPROPORTIONATE = (
        "disproportionate",
        _(
            "Telling each person would take disproportionate effort: a public communication instead "
            "(art. 34(3)(c))"
        ),
    )


class Breach(models.Model):
    """An entry of the breach register, whether notified or not (GDPR 33(5)).

    It holds the facts, effects and remedial action (33(5)), what a notification to the
    CNIL gives (33(3), the CNIL's form), the risk assessment that decides whether to
    notify (33(1)) and to tell the people (34), and the notification's phases (33(4)).
    Entries are completed as facts come in: ``registry.breaches`` keeps each change.
    """

    discovered_at = models.DateTimeField(
        _("aware since"),
        help_text=_(
            "When the controller became aware of it, a processor's alert included: the 72 hours run from it."
        ),
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    nature = models.TextField(_("nature of the breach"), help_text=_("What happened and how it was found."))
    confidentiality = models.BooleanField(
        _("loss of confidentiality"),
        default=False,
        help_text=_("Data disclosed or accessed without authorisation."),
    )
    integrity = models.BooleanField(
        _("loss of integrity"), default=False, help_text=_("Data altered without authorisation.")
    )
    availability = models.BooleanField(
        _("loss of availability"),
        default=False,
        help_text=_("Data lost or destroyed, for a time or for good."),
    )
    data_concerned = models.TextField(_("categories of data concerned"))
    records_count = models.PositiveIntegerField(_("approximate number of records"), null=True, blank=True)
    people_concerned = models.TextField(_("categories of people concerned"))
    people_count = models.PositiveIntegerField(_("approximate number of people"), null=True, blank=True)
    consequences = models.TextField(_("likely consequences"))
    measures = models.TextField(_("measures taken or proposed"))
    processor_name = models.CharField(_("processor that alerted us"), max_length=300, blank=True)
    processor_alerted_at = models.DateTimeField(_("processor's alert at (art. 33(2))"), null=True, blank=True)
    risk = models.CharField(_("risk to the people"), max_length=20, choices=RiskLevel.choices, blank=True)
    risk_reasons = models.TextField(
        _("risk assessment: the reasons"),
        blank=True,
        help_text=_("Required when the breach is not notified because it is unlikely to result in a risk."),
    )
    cnil_notified_at = models.DateTimeField(_("notified to the CNIL at"), null=True, blank=True)
    cnil_reference = models.CharField(_("CNIL notification number"), max_length=100, blank=True)
    phased = models.BooleanField(
        _("initial notification, complementary information to follow (art. 33(4))"), default=False
    )
    delay_reason = models.TextField(
        _("why later than 72 hours"),
        blank=True,
        help_text=_("GDPR 33(1): required when the CNIL is notified, or still not notified, after 72 hours."),
    )
    people_informed_at = models.DateTimeField(_("people informed at (art. 34)"), null=True, blank=True)
    no_communication_ground = models.CharField(
        _("ground for not telling each person (art. 34(3))"),
        max_length=20,
        choices=NoCommunicationGround.choices,
        blank=True,
    )
    communication_notes = models.TextField(
        _("what the people were told, and how; or why not"),
        blank=True,
        help_text=_(
            "Art. 34(2): the communication describes the breach in plain words, its likely consequences "
            "and the measures, and names a contact."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk="") | Q(risk__in=RiskLevel.values), name="breach_risk_known"
            ),
            models.CheckConstraint(
                condition=Q(no_communication_ground="")
                | Q(no_communication_ground__in=NoCommunicationGround.values),
                name="breach_ground_known",
            ),
            # GDPR 33(4): only a notification made can be completed later.
            models.CheckConstraint(
                condition=Q(phased=False) | Q(cnil_notified_at__isnull=False),
                name="breach_phased_when_notified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.discovered_at:%Y-%m-%d}"

    @property
    def notified_within_72h(self) -> bool:
        return (
            self.cnil_notified_at is not None
            and self.cnil_notified_at - self.discovered_at <= timezone.timedelta(hours=72)
        )


class BreachFollowUp(models.Model):
    """A complementary notification to the CNIL, after an initial one (GDPR 33(4))."""

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("breach")
    )
    notified_at = models.DateTimeField(_("sent to the CNIL at"))
    summary = models.TextField(_("what it adds"))
    completes = models.BooleanField(_("completes the notification"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("complementary notification")
        ordering = ["notified_at", "id"]

    def __str__(self) -> str:
        return f"{self.breach_id}@{self.notified_at:%Y-%m-%d}"
