"""Register versions: one per change of the declared content, signed off by the DPO, with a diff."""

import pytest
from django.core.exceptions import ValidationError

from org.models import Organisation
from registry import art30, versions
from registry.models import RegisterVersion
from tests import factories
from tests.registry.conftest import attest_every_fact

pytestmark = pytest.mark.django_db


def test_building_twice_without_change_keeps_one_version():
    art30.build_register(language="en")
    art30.build_register(language="fr")

    assert RegisterVersion.objects.count() == 1


def test_live_figures_do_not_make_a_version(rep):
    from tests import factories

    art30.build_register(language="en")
    factories.prospect(by=rep)

    register = art30.build_register(language="en")

    assert RegisterVersion.objects.count() == 1
    figures = {f["key"]: f["value"] for f in register["activities"][0]["figures"]}
    assert figures["prospects"] == 1
    assert figures["by_source"] == {"business_card": 1}


def _rename_processor(role: str, name: str) -> None:
    """Save the organisation with its processors, the one of ``role`` renamed."""
    current = Organisation.objects.current()
    processors = current.processor_list()
    current.save()
    for processor in processors:
        processor.organisation = current
        processor.name = name if processor.role == role else processor.name
        processor.save()


def test_a_changed_controller_makes_a_new_version_and_the_diff_shows_it(dpo):
    attest_every_fact(by=dpo)
    first = versions.record(art30.content())
    versions.sign_off(first, by=dpo)
    _rename_processor("hosting", "EuroHost SAS")

    register = art30.build_register(language="en")
    current = RegisterVersion.objects.get(number=register["version"])
    changes = versions.changes(versions.last_signed(), current, language="en", labels=art30.labels("en"))

    assert current.number == first.number + 1
    assert not current.is_signed
    processors = [c for c in changes if c.field == "Processors"]
    assert processors and all("EuroHost SAS" in c.after and "EuroHost" not in c.before for c in processors)
    assert {c.where for c in processors} >= {"B2B prospecting by social selling"}


def test_the_dpo_signs_off_the_current_version_once(dpo):
    attest_every_fact(by=dpo)
    version = versions.record(art30.content())

    signed = versions.sign_off(version, by=dpo)

    assert signed.signed_by == dpo and signed.signed_at is not None
    with pytest.raises(ValidationError):
        versions.sign_off(signed, by=dpo)


def test_an_older_version_cannot_be_signed_off(dpo):
    old = versions.record(art30.content())
    _rename_processor("emailing", "EuroMail SAS")
    versions.record(art30.content())

    with pytest.raises(ValidationError):
        versions.sign_off(old, by=dpo)


def test_an_activity_update_date_is_that_of_the_first_version_with_its_current_wording():
    first = versions.record(art30.content())
    _rename_processor("emailing", "EuroMail SAS")
    second = versions.record(art30.content())

    updates = versions.activity_updates()

    assert first.created_at < second.created_at
    # Prospecting and campaigns name the emailing provider; the user accounts do not.
    assert updates["b2b_prospecting"] == updates["campaigns"] == second.created_at
    assert updates["crm_users"] == updates["subject_requests"] == first.created_at


def test_the_sign_off_page_is_for_the_dpo_only(client, dpo, admin_user):
    attest_every_fact(by=dpo)
    version = versions.record(art30.content())
    factories.log_in(client, admin_user)

    refused = client.post(f"/registry/versions/{version.number}/sign/")
    factories.log_in(client, dpo)
    asked = client.post(f"/registry/versions/{version.number}/sign/")
    assert asked.status_code == 200 and RegisterVersion.objects.get(pk=version.pk).signed_by is None
    accepted = client.post(f"/registry/versions/{version.number}/sign/", {"confirm": "yes"})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    version.refresh_from_db()
    assert version.signed_by == dpo
