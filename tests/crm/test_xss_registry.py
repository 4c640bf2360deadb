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

from org.models import Organisation
from registry.models import Breach, SubjectRequest
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

pytestmark = pytest.mark.slow

REQUEST = {"identity_check": 600, "reason": 600, "outcome": 600}
REQUEST_FIELDS = ("identity_check", "extension_reason", "outcome")
BREACH = {name: 600 for name in ("nature", "data_concerned", "people_concerned", "consequences", "measures")}
BREACH_FIELDS = (*BREACH, "delay_reason")
ORGANISATION = {
    "name": 200, "address": 600, "legal_representative": 200, "eu_representative": 300, "dpo_name": 200,
    "dpo_address": 600, "hosting": 300, "emailing": 300, "transfers": 600,
}  # fmt: skip
ORGANISATION_EMAILS = ("email", "dpo_email")
FIELDS = {
    *(f"registry.SubjectRequest.{name}" for name in REQUEST_FIELDS),
    *(f"registry.Breach.{name}" for name in BREACH_FIELDS),
    *(f"org.Organisation.{name}" for name in (*ORGANISATION, *ORGANISATION_EMAILS)),
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
    """A breach is recorded, then its late notification to the CNIL with the reason for the delay."""
    dpo, outcomes = clients["dpo"], Counter()
    strategy = st.fixed_dictionaries({"texts": texts(BREACH), "delay": payloads(), "late": payloads()})

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
        }
        post(dpo, f"/registry/breaches/{breach.pk}/notified/", late)
        breach.refresh_from_db()
        assert breach.cnil_notified_at is not None, "the notification was not recorded"
        values = {f"registry.Breach.{name}": getattr(breach, name) for name in BREACH_FIELDS}
        read(dpo, "/registry/breaches/", values, values)
        read(clients["admin"], "/registry/breaches/", values, values)
        read(dpo, "/registry/dashboard/", values)

    run(strategy, example)

    assert outcomes[302] >= 10, outcomes


def test_the_controllers_details_are_escaped_in_the_register_the_notice_and_the_exports(clients, rep):
    admin, dpo, outcomes = clients["admin"], clients["dpo"], Counter()
    strategy = st.fixed_dictionaries({"texts": texts(ORGANISATION), "emails": st.tuples(emails(), emails())})

    def example(drawn):
        typed = filled(drawn["texts"], ORGANISATION)
        typed |= {
            name: email(template) for name, template in zip(ORGANISATION_EMAILS, drawn["emails"], strict=True)
        }
        response = post(admin, "/registry/organisation/", typed)
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
