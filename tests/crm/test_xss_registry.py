"""XSS (issue 9), registry: data-subject requests, the breach register, the controller's details.

Hostile text is written through the DPO's and the administrator's forms, then read on the
registry's pages, the public privacy notice and the exports shown as HTML (the register
and the Art. 15 page), as described in tests/crm/hostile.py.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import strategies as st

from org.models import Organisation, Processor
from registry.models import Breach, ProcessingActivity, SubjectRequest
from tests import factories
from tests.crm.hostile import (
    check,
    email,
    emails,
    fill,
    filled,
    logged_in,
    marker,
    payloads,
    pk_of,
    post,
    read,
    refused,
    run,
    subject_access_page,
    texts,
)
from tests.org.test_processors import formset_data, organisation_data
from tests.registry.conftest import page_data

pytestmark = pytest.mark.slow

REQUEST = {"identity_check": 600, "reason": 600, "outcome": 600}
REQUEST_FIELDS = ("identity_check", "extension_reason", "outcome")
BREACH = {
    **{name: 600 for name in ("nature", "data_concerned", "people_concerned", "consequences", "measures")},
    **{name: 600 for name in ("risk_reasons", "communication_notes")},
    "processor_name": 300,
}
BREACH_FIELDS = (*BREACH, "delay_reason", "cnil_reference")
ON_THE_BREACH_LIST = (
    "nature", "data_concerned", "people_concerned", "consequences", "measures", "risk_reasons",
    "delay_reason", "cnil_reference",
)  # fmt: skip
# The register's activity texts, each in English and French, and the facts typed once for both.
ACTIVITY_TEXTS = (
    "purpose", "sub_purposes", "legal_basis", "data_subjects", "sensitive_data", "sources",
    "recipients_internal", "recipients_external", "transfers", "dpia_notes", "joint_controller", "rights",
)  # fmt: skip
ACTIVITY = {
    **{f"name_{lang}": 200 for lang in ("en", "fr")},
    **{f"{name}_{lang}": 600 for name in ACTIVITY_TEXTS for lang in ("en", "fr")},
    **{name: 300 for name in ("lia_reference", "dpia_reference")},
    **{name: 600 for name in ("other_processors", "backup_measures", "processor_contracts")},
}
# Texts typed into the activity's maps and its first retention rule, by the page's field names.
ACTIVITY_MAPS = {f"{prefix}_{lang}": 600 for prefix in ("category_identity", "measure_access_control")
                 for lang in ("en", "fr")}  # fmt: skip
RULE = {f"{part}_{lang}": 600 for part in ("data", "start", "then") for lang in ("en", "fr")}
ORGANISATION = {
    "name": 200, "address": 600, "legal_representative": 200, "eu_representative": 300, "dpo_name": 200,
    "dpo_address": 600, "transfers": 600,
}  # fmt: skip
PROCESSOR = {
    "role_label": 100, "name": 200, "documentation": 300, "public_description_en": 300,
    "public_description_fr": 300,
}  # fmt: skip
# What the register, its export and the public notice say of a processor; the Art. 15 page too.
PROCESSOR_IN_REGISTER = {f"org.Processor.{name}" for name in ("role_label", "name", "documentation")}
PROCESSOR_ON_ART15 = {f"org.Processor.{name}" for name in ("role_label", "name")}
ORGANISATION_EMAILS = ("email", "dpo_email")
FIELDS = {
    *(f"registry.SubjectRequest.{name}" for name in REQUEST_FIELDS),
    *(f"registry.Breach.{name}" for name in BREACH_FIELDS),
    "registry.BreachFollowUp.summary",
    *(f"registry.ProcessingActivity.{name}" for name in (*ACTIVITY, "data_categories", "security")),
    *(f"registry.RetentionRule.{name}" for name in RULE),
    *(f"org.Organisation.{name}" for name in (*ORGANISATION, *ORGANISATION_EMAILS)),
    *(f"org.Processor.{name}" for name in PROCESSOR),
}
# What the public notice and the Art. 15 page say of the controller.
ON_THE_NOTICE = {f"org.Organisation.{name}" for name in ("name", "address", "email", "dpo_name", "dpo_email")}
ON_THE_ART15_PAGE = {f"org.Organisation.{name}" for name in ("transfers", "email", "dpo_name", "dpo_email")}


@pytest.fixture
def clients(rep, dpo, admin_user):
    return logged_in(rep=rep, dpo=dpo, admin=admin_user)


def test_subject_requests_are_escaped(clients, rep):
    dpo, outcomes = clients["dpo"], Counter()

    def example(drawn):
        typed = filled(drawn, REQUEST)
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        today = timezone.localdate().isoformat()
        intake = {"kind": "access", "received_on": today, "channel": "email", "email": prospect.email}
        response = post(dpo, "/registry/requests/", intake | {"identity_check": typed["identity_check"]})
        assert response.status_code == 302, response.status_code
        item = SubjectRequest.objects.get(pk=pk_of(response))
        extension = {"months": "1", "reason": typed["reason"], "told_on": today}
        post(dpo, f"/registry/requests/{item.pk}/extend/", extension)
        refusal = {"status": "refused", "outcome": typed["outcome"], "remedies_told": "on"}
        post(dpo, f"/registry/requests/{item.pk}/close/", refusal)
        item.refresh_from_db()
        values = {f"registry.SubjectRequest.{name}": getattr(item, name) for name in REQUEST_FIELDS}
        values = {name: value for name, value in values.items() if value}
        outcomes.update(values.keys())
        read(dpo, f"/registry/requests/{item.pk}/", values, values)
        read(clients["admin"], "/registry/requests/", values)
        check(subject_access_page(clients["admin"], prospect), values, values, "Art. 15 export")

    run(texts(REQUEST), example)

    assert all(outcomes[f"registry.SubjectRequest.{name}"] >= 5 for name in REQUEST_FIELDS), outcomes


def test_breach_register_entries_are_escaped(clients):
    """A breach is recorded, then its late notification to the CNIL with the reason for the delay and
    its number, then a complementary notification."""
    dpo, outcomes = clients["dpo"], Counter()
    strategy = st.fixed_dictionaries(
        {"texts": texts(BREACH), "delay": payloads(), "late": payloads(), "number": payloads(lines=False),
         "follow_up": payloads()}
    )  # fmt: skip

    def example(drawn):
        typed = filled(drawn["texts"], BREACH) | {"delay_reason": fill(drawn["delay"], marker(), size=600)}
        now = timezone.localtime()
        discovered = (now - timedelta(hours=80)).strftime("%Y-%m-%dT%H:%M")
        response = post(dpo, "/registry/breaches/", typed | {"discovered_at": discovered})
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            return refused(
                response, {f"registry.Breach.{k}": v for k, v in typed.items()}, "/registry/breaches/"
            )
        breach = Breach.objects.get()
        late = {
            "cnil_notified_at": now.strftime("%Y-%m-%dT%H:%M"),
            "delay_reason": fill(drawn["late"], marker(), size=600),
            "reference": fill(drawn["number"], marker(), size=100),
        }
        post(
            dpo,
            f"/registry/breaches/{breach.pk}/notified/",
            {f"notified-{breach.pk}-{k}": v for k, v in late.items()},
        )
        summary = fill(drawn["follow_up"], marker(), size=600)
        post(dpo, f"/registry/breaches/{breach.pk}/follow-up/", {"notified_at": late["cnil_notified_at"],
                                                                 "summary": summary})  # fmt: skip
        breach.refresh_from_db()
        assert breach.cnil_notified_at is not None, "the notification was not recorded"
        values = {f"registry.Breach.{name}": getattr(breach, name) for name in BREACH_FIELDS}
        values = {name: value for name, value in values.items() if value}
        follow_up = breach.follow_ups.first()
        follow_ups = {"registry.BreachFollowUp.summary": follow_up.summary} if follow_up else {}
        outcomes.update([*values, *follow_ups])
        listed = {f"registry.Breach.{name}" for name in ON_THE_BREACH_LIST}
        read(dpo, "/registry/breaches/", values, listed & set(values))
        read(clients["admin"], "/registry/breaches/", values, listed & set(values))
        read(dpo, f"/registry/breaches/{breach.pk}/", values | follow_ups, values | follow_ups)
        read(dpo, "/registry/breaches/export/html/", values | follow_ups, values | follow_ups)
        read(dpo, "/registry/dashboard/", values)

    run(strategy, example)

    assert outcomes[302] >= 10, outcomes
    assert all(outcomes[name] >= 5 for name in FIELDS if name.startswith("registry.Breach")), outcomes


def test_the_register_activities_are_escaped_on_their_page_the_register_the_notice_and_the_exports(
    clients, rep
):
    """The DPO types hostile text into every text of an activity; it is read back by the DPO, the
    administrator, the public notice, the register's HTML export and the Art. 15 page."""
    dpo, admin, outcomes = clients["dpo"], clients["admin"], Counter()
    sizes = ACTIVITY | ACTIVITY_MAPS | {f"retention-0-{name}": size for name, size in RULE.items()}

    def example(drawn):
        record = ProcessingActivity.objects.get(code="b2b_prospecting")
        typed = filled(drawn, sizes)
        response = post(dpo, f"/registry/activities/{record.code}/", page_data(record, **typed))
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            return refused(response, typed, f"/registry/activities/{record.code}/")
        record.refresh_from_db()
        rule = record.retention.order_by("position").first()
        values = {f"registry.ProcessingActivity.{name}": getattr(record, name) for name in ACTIVITY}
        values |= {
            "registry.ProcessingActivity.data_categories": record.data_categories["identity"]["en"],
            "registry.ProcessingActivity.data_categories.fr": record.data_categories["identity"]["fr"],
            "registry.ProcessingActivity.security": record.security["access_control"]["en"],
            "registry.ProcessingActivity.security.fr": record.security["access_control"]["fr"],
        }
        values |= {f"registry.RetentionRule.{name}": getattr(rule, name) for name in RULE}
        outcomes.update(values.keys())
        english = {name for name in values if not name.endswith(("_fr", ".fr"))}
        read(dpo, f"/registry/activities/{record.code}/", values, values)
        read(admin, f"/registry/activities/{record.code}/", values, english)
        read(dpo, "/registry/", values, english)
        read(dpo, "/registry/export/html/", values, english)
        read(Client(), "/privacy/", values, data={"lang": "fr"})
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        check(subject_access_page(admin, prospect), values, (), "Art. 15 export")

    run(texts(sizes), example)

    assert outcomes[302] >= 10, outcomes
    assert all(outcomes[name] >= 10 for name in FIELDS if ".ProcessingActivity." in name), outcomes


def test_the_controllers_details_are_escaped_in_the_register_the_notice_and_the_exports(clients, rep):
    admin, dpo, outcomes = clients["admin"], clients["dpo"], Counter()
    strategy = st.fixed_dictionaries({"texts": texts(ORGANISATION), "emails": st.tuples(emails(), emails())})

    def example(drawn):
        typed = filled(drawn["texts"], ORGANISATION)
        typed |= {
            name: email(template) for name, template in zip(ORGANISATION_EMAILS, drawn["emails"], strict=True)
        }
        response = post(admin, "/registry/organisation/", typed | formset_data([]))
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            return refused(
                response, {f"org.Organisation.{k}": v for k, v in typed.items()}, "/registry/organisation/"
            )
        organisation = Organisation.objects.current()
        values = {f"org.Organisation.{name}": getattr(organisation, name) for name in typed}
        read(admin, "/registry/organisation/", values, values)
        read(dpo, "/registry/", values, values)
        read(Client(), "/privacy/", values, ON_THE_NOTICE)
        read(Client(), "/privacy/", values, ON_THE_NOTICE, data={"lang": "fr"})
        read(dpo, "/registry/export/html/", values, values)
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        check(subject_access_page(admin, prospect), values, ON_THE_ART15_PAGE, "Art. 15 export")

    run(strategy, example)

    assert outcomes[302] >= 10, outcomes


def test_the_processors_are_escaped_in_the_register_the_notice_and_the_art15_page(clients, rep):
    admin, dpo, outcomes = clients["admin"], clients["dpo"], Counter()

    def example(drawn):
        typed = filled(drawn, PROCESSOR)
        # An activity the public notice shows uses processors of the role Other, so that their label shows.
        ProcessingActivity.objects.filter(code="b2b_prospecting").update(
            processors=["hosting", "emailing", "other"]
        )
        row = {"role": "other", "country": "US", "safeguard": "scc", **typed}
        response = post(admin, "/registry/organisation/", organisation_data() | formset_data([row]))
        outcomes[response.status_code] += 1
        if response.status_code != 302:
            return refused(
                response, {f"org.Processor.{k}": v for k, v in typed.items()}, "/registry/organisation/"
            )
        processor = Processor.objects.get()
        values = {f"org.Processor.{name}": getattr(processor, name) for name in typed}
        read(admin, "/registry/organisation/", values, values)
        read(dpo, "/registry/", values, PROCESSOR_IN_REGISTER)
        read(dpo, "/registry/export/html/", values, PROCESSOR_IN_REGISTER)
        read(Client(), "/privacy/", values, PROCESSOR_IN_REGISTER, data={"lang": "fr"})
        prospect = factories.prospect(by=rep, email=f"{marker()}@acme.example")
        check(subject_access_page(admin, prospect), values, PROCESSOR_ON_ART15, "Art. 15 export")

    run(texts(PROCESSOR), example)

    assert outcomes[302] >= 10, outcomes
