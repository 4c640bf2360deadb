"""XSS, the pipeline: stage and category names the admin types, the refusal's evidence a rep types.

Each is written through its form and read back, escaped, on every page that shows it.
"""

import pytest

from prospects.models import ProductCategory, Prospect, Stage
from tests import factories
from tests.crm.hostile import logged_in, marker, post, read

pytestmark = pytest.mark.django_db

FIELDS = {
    "prospects.Stage.name",
    "prospects.ProductCategory.name",
    "prospects.Prospect.customer_opt_out_evidence",
}
PAYLOADS = ('<script>alert("{m}")</script>', "\"><img src=x onerror=alert('{m}')>", "<svg onload={m}>")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_stage_category_and_evidence_are_escaped_on_every_page(payload):
    rep = factories.user(role="sales", username="rep")
    admin = factories.user(role="admin", username="admin")
    clients = logged_in(sales=rep, admin=admin)
    prospect = factories.prospect(by=rep)
    stage_name, category_name, evidence = (payload.format(m=marker()) for _ in range(3))

    post(
        clients["admin"],
        "/prospects/pipeline/stages/",
        {"name": stage_name, "outcome": "open", "position": 0},
    )
    post(clients["admin"], "/prospects/pipeline/categories/", {"name": category_name})
    stage, category = Stage.objects.get(name=stage_name), ProductCategory.objects.get(name=category_name)
    post(clients["sales"], f"/prospects/{prospect.pk}/stage/", {"stage": stage.pk})
    post(
        clients["sales"],
        f"/prospects/{prospect.pk}/customer/",
        {
            "is_customer": "on",
            "customer_category": category.pk,
            "customer_opt_out_offered": "on",
            "customer_opt_out_evidence": evidence,
        },
    )

    names = {"prospects.Stage.name": stage_name, "prospects.ProductCategory.name": category_name}
    every = {**names, "prospects.Prospect.customer_opt_out_evidence": evidence}
    assert Prospect.objects.get(pk=prospect.pk).customer_opt_out_evidence == evidence
    read(clients["admin"], "/prospects/pipeline/", names, shown=names)
    read(clients["sales"], "/prospects/board/", names, shown=["prospects.Stage.name"])
    read(clients["sales"], f"/prospects/{prospect.pk}/", every, shown=every)
    read(clients["sales"], f"/prospects/?stage={stage.pk}", names, shown=["prospects.Stage.name"])
