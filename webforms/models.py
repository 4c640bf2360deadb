"""Web forms hosted by Loyal: a definition, its immutable versions, and counts without people.

A consent or a notice is proved by the exact text the person saw (GDPR 7(1), 13; docs/rules.md
§2.4): every edit of a form makes a new ``FormVersion`` whose ``sha256`` is the hash of its
rendered text, and proofs point to that version. ``FormTally`` counts submissions per form,
day and outcome, and keeps nothing about who sent them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prospects.models import Language


class Field(models.TextChoices):
    """The fields a form may show; name and e-mail are always shown (webforms/definitions.py)."""

    NAME = "name", _("Name")
    EMAIL = "email", _("Work e-mail")
    PHONE = "phone", _("Work phone")
    COMPANY = "company", _("Company")
    JOB_TITLE = "job_title", _("Job title")
    MESSAGE = "message", _("Message")


class WebForm(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    # The rep whose team the prospects of the form join; deleting them never deletes a form.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    is_live = models.BooleanField(_("live"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    """One version of a form, never changed once written: the proofs point to it."""

    form = models.ForeignKey(WebForm, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("fields shown"), default=list)
    notice = models.TextField(_("notice"))
    # [{"purpose": code, "channel": code, "wording": text}], in the order shown.
    consents = models.JSONField(_("consent boxes"), default=list)
    rendered = models.TextField(_("text shown"))
    sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ("form", "-number")
        constraints = [models.UniqueConstraint(fields=("form", "number"), name="form_version_once")]
        verbose_name = _("web form version")
        verbose_name_plural = _("web form versions")

    def __str__(self) -> str:
        return f"{self.form.slug} v{self.number}"

    @property
    def label(self) -> str:
        """The version's name in proofs and evidence (``notice_version``)."""
        return f"{self.form.slug}-v{self.number}"


class Outcome(models.TextChoices):
    RECEIVED = "received", _("Received")
    HONEYPOT = "honeypot", _("Refused: hidden field filled in (robot)")
    TOO_FAST = "too_fast", _("Refused: sent faster than a person types")
    NO_TOKEN = "no_token", _("Sent back: no valid page token")
    RATE_LIMITED = "rate_limited", _("Refused: too many submissions")
    INVALID = "invalid", _("Sent back: a field was refused")


class FormTally(models.Model):
    """How many submissions a form had on a day, by outcome; no address, no person."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField(_("day"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ("-day", "outcome")
        constraints = [models.UniqueConstraint(fields=("form", "day", "outcome"), name="form_tally_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.outcome}: {self.count}"


class RateWindow(models.Model):
    """Hits of one client (a keyed hash of the address) or one form in a one-minute window.

    In the database, so that every gunicorn worker and machine counts together.
    """

    scope = models.CharField(max_length=8)
    key = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("scope", "key", "started_at"), name="rate_window_once")
        ]
        indexes = [models.Index(fields=("started_at",), name="rate_window_started")]

    def __str__(self) -> str:
        return f"{self.scope} {self.started_at}: {self.hits}"
