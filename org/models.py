from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CodeOfConductQuerySet(models.QuerySet):
    def current(self) -> "CodeOfConduct | None":
        return self.order_by("-version").first()


class CodeOfConduct(models.Model):
    """A version of the social-selling code of conduct that every rep acknowledges."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CodeOfConductQuerySet.as_manager()

    class Meta:
        verbose_name = _("code of conduct")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def text(self) -> str:
        return self.text_fr if (get_language() or "").startswith("fr") else self.text_en


class ConductAcknowledgement(models.Model):
    """A rep's acknowledgement of one version of the code, with its date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    conduct = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("code of conduct acknowledgement")
        constraints = [
            models.UniqueConstraint(fields=["user", "conduct"], name="one_ack_per_user_and_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.conduct.version}"


class Team(models.Model):
    """A sales team: its reps share its prospects (GDPR 5(1)(f), need-to-know)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What the product needs to know about a user beyond Django's account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    # When the last password-reset link was mailed: one an hour at most (org/views.py), so
    # an anonymous form cannot mail-bomb a colleague.
    password_reset_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A rep's daily e-mail of their day (prospects/agenda.py): opt-in, and the day last sent,
    # so that a second run of the job on the same day sends nothing.
    day_digest = models.BooleanField(_("e-mail me my day every morning"), default=False, db_default=False)
    day_digest_sent_on = models.DateField(_("day digest last sent on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user_id}"


class OrganisationQuerySet(models.QuerySet):
    def current(self) -> "Organisation":
        """The stored identity, or the defaults of ``settings.LOYAL_CONTROLLER`` until an admin saves one."""
        return self.filter(pk=Organisation.SINGLETON).first() or Organisation(
            pk=Organisation.SINGLETON, **settings.LOYAL_CONTROLLER
        )


class Organisation(models.Model):
    """The controller, its representatives and DPO, and its processors.

    The header of the Art. 30 register (30(1)(a), (d), (e)) and the identity every notice
    and message gives (GDPR 13, 14; CPCE L34-5). One row, edited by an administrator; it
    lives in the project so that every app can name the controller.
    """

    SINGLETON = 1

    name = models.CharField(_("controller (legal name)"), max_length=200)
    address = models.TextField(_("address"))
    email = models.EmailField(_("privacy contact email"))
    legal_representative = models.CharField(_("legal representative"), max_length=200)
    eu_representative = models.CharField(
        _("representative in the EU (Art. 27)"), max_length=300, blank=True, help_text=_("Empty: not needed.")
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200)
    dpo_email = models.EmailField(_("DPO email"))
    dpo_address = models.TextField(_("DPO postal address"), blank=True)
    hosting = models.CharField(_("hosting provider (processor)"), max_length=300)
    emailing = models.CharField(_("emailing provider (processor)"), max_length=300)
    transfers = models.TextField(
        _("transfers outside the EU"),
        help_text=_(
            "Recipient, country, safeguard (adequacy decision, SCCs) and where its documentation is."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_organisation")]

    def __str__(self) -> str:
        return self.name


class AccessAction(models.TextChoices):
    VIEW = "view", _("Prospect page viewed")
    API_READ = "api_read", _("Prospect read through the API")
    EXPORT = "export", _("Prospect exported")
    SUBJECT_ACCESS = "subject_access", _("Subject-access export (GDPR art. 15)")
    DUPLICATE_CHECK = "duplicate_check", _("Found as a duplicate of another team's prospect")


class AccessLog(models.Model):
    """Who read or exported which prospect, and when (CNIL délib. 2021-122: traceability).

    Lives in the project rather than in an app because pages of ``prospects`` write it
    and pages of ``registry`` read it. The prospect link has no database constraint: an
    entry outlives a purged prospect until its own 12-month purge, and holds nothing
    but the id once the prospect is gone.
    """

    # Empty for an export run from the command line by the server's operator.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    prospect = models.ForeignKey(
        "prospects.Prospect",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="access_log",
        verbose_name=_("prospect"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["prospect", "-at"]), models.Index(fields=["-at", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values), name="access_action_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.prospect_id}"


class ListExport(models.Model):
    """A copy of the prospect list taken out of Loyal: who, when, which filter, how many rows.

    One entry per export, however many rows it holds (CNIL délib. 2021-122: exports are
    traced; docs/rules.md §6). It stores the filter as typed, never the rows, and is
    purged with the access log.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)

    class Meta:
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(format__in=["csv", "xlsx"]), name="list_export_format_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.format} {self.rows}"
