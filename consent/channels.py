"""The ways a prospect can be reached, and which of them the law treats as e-mail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    AUTO_CALL = "auto_call", _("Automated call")
    PHONE = "phone", _("Phone call")
    POSTAL = "postal", _("Post")
    LINKEDIN_MSG = "linkedin_msg", _("LinkedIn message")


# CPCE L34-5 / ePrivacy art. 13: these are "courrier électronique" (docs/rules.md §1.1-1.2).
ELECTRONIC_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.AUTO_CALL, Channel.LINKEDIN_MSG})
