"""No dead ends: every page of the DPO's work is reachable from their home page."""

import pytest
from django.urls import reverse

from tests.factories import log_in

pytestmark = pytest.mark.django_db

DPO_PAGES = (
    "registry:dashboard",
    "registry:register",
    "registry:requests",
    "registry:access_log",
    "registry:breaches",
    "registry:erasures",
    "registry:propagation",
    "registry:list_exports",
    "retention:purges",
    "consent:suppression",
)


def test_the_dpo_home_links_every_page_of_their_work(client, dpo):
    log_in(client, dpo)
    page = client.get(reverse("home")).content.decode()
    missing = [name for name in DPO_PAGES if f'href="{reverse(name)}"' not in page]
    assert missing == []
    for name in DPO_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_header_leads_the_dpo_and_the_admin_to_the_dashboard(client, dpo, admin_user):
    for person in (dpo, admin_user):
        log_in(client, person)
        header = client.get(reverse("prospects:list")).content.decode().split("<main", 1)[0]
        assert f'href="{reverse("registry:dashboard")}"' in header
