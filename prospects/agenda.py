"""A rep's day: their open next steps, overdue, due today and in the next seven days, and the
Art. 14 notices that wait for them; shown on their home page and sent as a daily e-mail they
opt into on their profile page.

Days are the organisation's (``TIME_ZONE``): "today" is the local calendar day.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from org.models import Profile
from org.roles import Role
from prospects import retention, suppression
from prospects.models import NextStep, Notice, Prospect, Source
from prospects.provenance import indirect

logger = logging.getLogger(__name__)

WEEK = 7


@dataclass
class Day:
    """What a rep has to do, as of ``today``."""

    today: date
    overdue: list[NextStep] = field(default_factory=list)
    due_today: list[NextStep] = field(default_factory=list)
    this_week: list[NextStep] = field(default_factory=list)
    notices: list[Source] = field(default_factory=list)
    # Replies read from the mailbox that may ask to stop, for the rep to decide first. Filled by
    # the home page from outreach.proposals (the layer above this one), empty in the digest.
    stop_replies: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_today or self.this_week or self.notices or self.stop_replies)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def day_of(user, *, now: datetime | None = None, limit: int = 200) -> Day:
    """The open steps ``user`` owns, due up to the end of the seventh day after today, and the
    notices their prospects need; at most ``limit`` of each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow, week_end = _start_of(today + timedelta(days=1)), _start_of(today + timedelta(days=WEEK + 1))
    # Among the steps the rep may see: a prospect given to another team takes its steps out of view.
    steps = (
        NextStep.objects.visible_to(user)
        .open()
        .filter(owner=user, due_at__lt=week_end)
        .select_related("prospect", "prospect__company")
        .order_by("due_at", "id")
    )
    start = _start_of(today)
    return Day(
        today=today,
        overdue=list(steps.filter(due_at__lt=start)[:limit]),
        due_today=list(steps.filter(due_at__gte=start, due_at__lt=tomorrow)[:limit]),
        this_week=list(steps.filter(due_at__gte=tomorrow)[:limit]),
        notices=list(notices_due(user, now=now)[:limit]),
    )


def notices_due(user, *, now: datetime):
    """Art. 14 notices the rep must give by hand: sources of their prospects obtained from someone
    else, the person not informed yet, due (a month after the data were obtained, GDPR 14(3)(a);
    docs/rules.md §5) within the next seven days, and no e-mail the daily job could send it to.

    Those with a usable e-mail address are the job's (outreach/notices.py), not the rep's. Past
    the month, the record is the purge's unless the DPO documents 14(5)(b); it is still listed
    until then, first, so that the rep sees it is late.
    """
    horizon = now + timedelta(days=WEEK) - retention.ART14_MONTH
    no_email = Q(prospect__email_index__isnull=True) | Q(
        prospect__in=Prospect.objects.filter(owner=user)
        .filter(suppression.objected(channel="email"))
        .values("pk")
    )
    return (
        Source.objects.filter(indirect(), prospect__owner=user, acquired_at__lte=horizon)
        .exclude(notice=Notice.ART14_SENT)
        .filter(prospect__restricted_at__isnull=True)
        .filter(no_email)
        .select_related("prospect")
        .annotate(due_at=F("acquired_at") + retention.ART14_MONTH)
        .order_by("acquired_at", "id")
    )


# --- The daily e-mail ------------------------------------------------------------------------------


def opted_in():
    """Active sales reps who asked for their day by e-mail and have an address to receive it."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SALES, profile__day_digest=True)
        .exclude(email="")
        .order_by("pk")
    )


def send_day_digests(*, now: datetime | None = None) -> int:
    """One e-mail per opted-in rep with something on their day; never two the same day.

    Each rep's profile row is locked and marked with the day before the mail is handed to the
    mail server, in one transaction: a second run the same day, even at once in another
    worker, finds the day marked and sends nothing. A failed send rolls the mark back, so the
    next run tries again. Returns the number of e-mails sent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    connection = get_connection()
    sent = 0
    for user_id in opted_in().values_list("pk", flat=True):
        sent += _send_one(user_id, now=now, today=today, connection=connection)
    logger.info("day digests sent: %d", sent)
    return sent


def _send_one(user_id: int, *, now: datetime, today: date, connection) -> int:
    with transaction.atomic():
        profile = (
            Profile.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(user_id=user_id, day_digest=True)
            .exclude(day_digest_sent_on=today)
            .first()
        )
        if profile is None:
            return 0
        day = day_of(profile.user, now=now)
        if day.is_empty:
            return 0
        profile.day_digest_sent_on = today
        profile.save(update_fields=["day_digest_sent_on"])
        _digest_email(profile.user, day, connection=connection).send()
    return 1


def _digest_email(user, day: Day, *, connection) -> EmailMessage:
    context = {"user": user, "day": day, "site_url": settings.LOYAL_SITE_URL.rstrip("/")}
    count = len(day.overdue) + len(day.due_today)
    subject = ngettext(
        "Loyal: your day, %(count)d step due or overdue",
        "Loyal: your day, %(count)d steps due or overdue",
        count,
    ) % {"count": count}
    body = render_to_string("prospects/day_digest.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email], connection=connection)
