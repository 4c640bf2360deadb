"""The purge and GDPR 18 and 14 (docs/rules.md §2.6, §5): restricted records wait, people never
informed within a month of an indirect collection go, with that reason recorded."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from outreach.notices import send_art14_notices
from prospects import retention, timeline
from prospects.models import Propagation, Prospect, PurgeRun
from tests import factories
from tests.prospects.purge_subjects import TODAY, at, collected_on, exists

pytestmark = pytest.mark.django_db

NOW = at(TODAY)


def purge() -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_expired", stdout=out)
    return out.getvalue()


def rented(*, days_ago: int, by, **fields):
    """A person from a broker's list, obtained ``days_ago`` days before the run (GDPR 14)."""
    day = TODAY - timedelta(days=days_ago)
    fields.setdefault("source_type", "broker")
    if fields["source_type"] == "broker":
        fields["evidence"] = {**factories.EVIDENCE["broker"], "delivery_date": day.isoformat()}
    return collected_on(day, by=by, **fields)


def test_the_purge_leaves_a_restricted_record_past_its_deadline_until_the_restriction_is_lifted(rep):
    old = collected_on(TODAY - timedelta(days=365 * 3 + 10), by=rep, last_name="Restricted")
    Prospect.objects.filter(pk=old.pk).update(restricted_at=timezone.now(), restriction_ground="claims")

    purge()
    kept = exists(old)
    Prospect.objects.filter(pk=old.pk).update(restricted_at=None, restriction_ground="")
    purge()

    assert kept and not exists(old)
    assert PurgeRun.objects.order_by("pk").last().counts == {"retention_expired": 1}


def test_a_person_never_informed_a_month_after_a_rented_list_is_deleted_with_that_reason(rep):
    # No e-mail address: the Art. 14 job cannot reach them and flags them (outreach/notices.py).
    late = rented(days_ago=31, by=rep, last_name="Late", email="", phone="+33 6 11 22 33 44")
    recent = rented(days_ago=29, by=rep, last_name="Recent", email="", phone="+33 6 11 22 33 55")
    informed = rented(days_ago=31, by=rep, last_name="Informed", email="informed@acme.fr")
    with time_machine.travel(at(TODAY - timedelta(days=8)), tick=False):
        counts = send_art14_notices()

    output = purge()

    assert counts["sent"] == 1 and counts["purge_flagged"] == 2
    assert not exists(late) and exists(recent) and exists(informed)
    run = PurgeRun.objects.get()
    assert run.counts == {"art14_overdue": 1} and "art14_overdue" in output
    # The other systems' copies go too (GDPR 19); the broker is not told of our own purge.
    entry = Propagation.objects.get(event="purge")
    assert list(entry.recipients.values_list("kind", flat=True)) == ["other_systems"]


def test_a_hold_a_restriction_or_a_current_customer_stops_the_day_30_deletion(rep, dpo):
    held = rented(days_ago=40, by=rep, last_name="Held")
    with time_machine.travel(NOW, tick=False):
        retention.place_legal_hold(held, until=TODAY + timedelta(days=10), reason="Claim", by=dpo)
    restricted = rented(days_ago=40, by=rep, last_name="Restricted")
    Prospect.objects.filter(pk=restricted.pk).update(
        restricted_at=timezone.now(), restriction_ground="accuracy"
    )
    customer = rented(days_ago=40, by=rep, last_name="Customer")
    Prospect.objects.filter(pk=customer.pk).update(is_customer=True)
    direct = collected_on(TODAY - timedelta(days=40), by=rep, last_name="Card", source_type="manual")

    purge()

    assert all(exists(p) for p in (held, restricted, customer, direct))


def test_the_python_and_sql_forms_of_the_day_30_rule_agree(rep, dpo):
    people = [
        rented(days_ago=31, by=rep, last_name="A"),
        rented(days_ago=29, by=rep, last_name="B"),
        rented(days_ago=60, by=rep, last_name="C", source_type="linkedin_public_profile",
               evidence={"profile_url": "https://www.linkedin.com/in/c-x"}, email="c@acme.fr"),
        collected_on(TODAY - timedelta(days=60), by=rep, last_name="D", source_type="manual"),
        rented(days_ago=45, by=rep, last_name="E"),
    ]  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        retention.place_legal_hold(people[4], until=TODAY + timedelta(days=10), reason="Claim", by=dpo)

    selected = set(Prospect.objects.filter(retention.art14_overdue(NOW)).values_list("pk", flat=True))
    one_by_one = {p.pk for p in Prospect.objects.all() if retention.is_art14_overdue(p, now=NOW)}

    assert selected == one_by_one == {people[0].pk, people[2].pk}


def _expired_with_exchanges(*, by, last_name: str):
    person = collected_on(
        TODAY - timedelta(days=365 * 3 + 10), by=by, last_name=last_name, email=f"{last_name}@acme.fr"
    )
    with time_machine.travel(at(TODAY - timedelta(days=365 * 3 + 9)), tick=False):
        timeline.record_interaction(person, type="email_sent", by=by)
        timeline.add_note(person, text="Asked for a quote", by=by)
    return person


def test_the_purge_blocks_only_what_a_holds_scope_keeps(rep, dpo):
    exchanges = _expired_with_exchanges(by=rep, last_name="Exchanges")
    record = _expired_with_exchanges(by=rep, last_name="Record")
    free = _expired_with_exchanges(by=rep, last_name="Free")
    with time_machine.travel(NOW, tick=False):
        for person, scope in ((exchanges, "exchanges"), (record, "record")):
            retention.place_legal_hold(
                person, until=TODAY + timedelta(days=90), reason="Claim", by=dpo, scope=scope
            )

    purge()
    purge()  # the reduced record, restricted, is not taken again

    kept = Prospect.objects.get(pk=exchanges.pk)
    assert (kept.last_name, kept.email, kept.email_index) == ("Exchanges", "", None)
    assert kept.restriction_ground == "legal_hold" and kept.restricted_at is not None
    assert kept.interactions.count() == 1 and kept.notes.count() == 1
    assert not kept.sources.exists()
    whole = Prospect.objects.get(pk=record.pk)
    assert whole.email == "record@acme.fr" and whole.sources.exists() and not whole.is_restricted
    assert not exists(free)
    first, second = PurgeRun.objects.order_by("pk")
    assert first.counts == {"retention_expired": 1, "held_exchanges_kept": 1}
    assert second.counts == {}
    assert Propagation.objects.filter(event="purge").count() == 2


def test_a_dry_run_reduces_no_held_record(rep, dpo):
    exchanges = _expired_with_exchanges(by=rep, last_name="Exchanges")
    with time_machine.travel(NOW, tick=False):
        retention.place_legal_hold(
            exchanges, until=TODAY + timedelta(days=90), reason="Claim", by=dpo, scope="exchanges"
        )
        call_command("purge_expired", "--dry-run", stdout=StringIO())

    kept = Prospect.objects.get(pk=exchanges.pk)
    assert kept.email == "exchanges@acme.fr" and kept.sources.exists() and not kept.is_restricted
    assert PurgeRun.objects.get().counts == {"held_exchanges_kept": 1}
