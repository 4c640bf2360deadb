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

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user_id}"
