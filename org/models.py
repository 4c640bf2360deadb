from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from org.countries import EU_EEA, ISO_3166_ALPHA_2


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
    # The secret of a rep's personal BCC address, ``<local>+<token>@<domain>`` of the mailbox
    # (org/dropbox.py): random, unguessable, replaced when the rep asks.
    dropbox_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

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
    # The processors are ``Processor`` rows; the transfers they make are derived from them
    # (``transfer_lines``), this text only adds what they do not say.
    transfers = models.TextField(
        _("other transfers outside the EU"),
        blank=True,
        help_text=_(
            "Only transfers not made by a processor listed below: recipient, country, safeguard and "
            "where its documentation is."
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

    def processor_list(self) -> list["Processor"]:
        """The processors as saved; until an admin saves the organisation, ``settings.LOYAL_PROCESSORS``."""
        if self._state.adding:
            return [Processor(organisation=self, **values) for values in settings.LOYAL_PROCESSORS]
        if not hasattr(self, "_processor_list"):  # read once per instance: one per chunk of messages
            self._processor_list = list(self.processors.all())
        return self._processor_list

    def transfer_lines(self, language: str, processors: list["Processor"] | None = None) -> list[str]:
        """Each transfer outside the EU/EEA with its safeguard (GDPR 13(1)(f), 14(1)(f), 30(1)(e)):
        one per processor located outside, then the organisation's own statement, if any."""
        processors = self.processor_list() if processors is None else processors
        lines = [processor.transfer_line(language) for processor in processors if processor.is_transfer]
        if self.transfers.strip():
            lines.append(self.transfers.strip())
        if not lines:
            with translation.override(language):
                lines.append(str(_("None: every processor is in the EU/EEA.")))
        return lines


def _colon(language: str) -> str:
    return " : " if language.startswith("fr") else ": "


class Processor(models.Model):
    """A processor of the organisation: who, where, under which safeguard (GDPR 28, 30(1)(d)-(e), 44-46).

    Every notice, the register and the subject-access answer name it by its own text in the
    reader's language (CJEU C-154/21: the actual recipients). An empty country or safeguard is
    a fact still missing: no campaign starts until it is entered (outreach/content.py).
    """

    class Role(models.TextChoices):
        HOSTING = "hosting", _("Hosting")
        EMAILING = "emailing", _("Emailing")
        OTHER = "other", _("Other")

    class Safeguard(models.TextChoices):
        EU_EEA = "eu_eea", _("In the EU/EEA (no transfer)")
        ADEQUACY = "adequacy", _("Adequacy decision (art. 45)")
        SCC = "scc", _("Standard contractual clauses (art. 46(2)(c))")
        BCR = "bcr", _("Binding corporate rules (art. 47)")
        NONE = "none", _("None")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="processors")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    role_label = models.CharField(
        _("role (other)"),
        max_length=100,
        blank=True,
        help_text=_("What the processor does, for the role Other."),
    )
    name = models.CharField(_("processor (legal name)"), max_length=200)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 code of where the data are, e.g. FR, US."),
    )
    safeguard = models.CharField(
        _("transfer safeguard"), max_length=10, choices=Safeguard.choices, blank=True
    )
    documentation = models.CharField(
        _("documentation"),
        max_length=300,
        blank=True,
        help_text=_("Where the Art. 28 contract and the transfer safeguard are documented."),
    )
    public_description_en = models.CharField(
        _("text shown to people (English)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. Hosting: OVHcloud, France."),
    )
    public_description_fr = models.CharField(
        _("text shown to people (French)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. Hébergement : OVHcloud, France."),
    )

    class Meta:
        verbose_name = _("processor")
        ordering = ["role", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["hosting", "emailing", "other"]), name="processor_role_known"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        self.country = self.country.strip().upper()
        if self.country in EU_EEA and not self.safeguard:
            self.safeguard = self.Safeguard.EU_EEA  # in the EU/EEA there is no transfer to safeguard
        if self.country and self.country not in ISO_3166_ALPHA_2:
            errors["country"] = _("Enter the country as its two-letter ISO 3166 code (e.g. FR, DE, US).")
        elif self.country and self.country in EU_EEA and self.safeguard not in ("", self.Safeguard.EU_EEA):
            errors["safeguard"] = _(
                "The country is in the EU/EEA: there is no transfer, choose In the EU/EEA."
            )
        elif self.country and self.country not in EU_EEA:
            if self.safeguard == self.Safeguard.NONE:
                errors["safeguard"] = _(
                    "A processor outside the EU/EEA needs a safeguard: an adequacy decision, standard "
                    "contractual clauses or binding corporate rules (GDPR art. 44-46)."
                )
            elif self.safeguard == self.Safeguard.EU_EEA:
                errors["safeguard"] = _("The country is outside the EU/EEA: name the transfer's safeguard.")
        if self.role == self.Role.OTHER and not self.role_label.strip():
            errors["role_label"] = _("Say what the processor does when its role is Other.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_transfer(self) -> bool:
        return bool(self.country) and self.country not in EU_EEA

    def role_text(self, language: str) -> str:
        if self.role == self.Role.OTHER:
            return self.role_label
        with translation.override(language):
            return str(self.get_role_display())

    def public_text(self, language: str) -> str:
        """The processor as people read it, with its country (GDPR 13(1)(e), 14(1)(e))."""
        own = self.public_description_fr if language.startswith("fr") else self.public_description_en
        text = own.strip() or f"{self.role_text(language)}{_colon(language)}{self.name}"
        return f"{text} ({self.country})" if self.country else text

    def register_line(self, language: str) -> str:
        """Role, name, country, safeguard and documentation, for the register (GDPR 30(1)(d)-(e))."""
        with translation.override(language):
            country = self.country or str(_("country not entered"))
            safeguard = (
                str(self.get_safeguard_display()) if self.safeguard else str(_("safeguard not entered"))
            )
            line = f"{self.role_text(language)}{_colon(language)}{self.name}, {country}, {safeguard}"
            if self.documentation.strip():
                line += f"; {_('documentation')}{_colon(language)}{self.documentation.strip()}"
        return line

    def safeguard_text(self) -> str:
        return str(self.get_safeguard_display()) if self.safeguard else str(_("safeguard not entered"))

    def transfer_line(self, language: str) -> str:
        with translation.override(language):
            safeguard = (
                str(self.get_safeguard_display()) if self.safeguard else str(_("safeguard not entered"))
            )
        return f"{self.name} ({self.role_text(language)}), {self.country}{_colon(language)}{safeguard}"


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
