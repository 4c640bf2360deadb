"""Who an address belongs to (docs/rules.md §1.2): company role address, named work address, private."""

import pytest

from prospects.audience import Audience, classify_email


@pytest.mark.parametrize(
    "email", ["contact@acme.fr", "info@acme.fr", "commercial@acme.fr", "sales+fr@acme.com"]
)
def test_role_address_of_a_company_is_b2b_generic(email):
    audience = classify_email(email)

    assert audience == Audience.B2B_GENERIC


@pytest.mark.parametrize("email", ["jean.dupont@acme.fr", "jdupont@acme.fr", "contact.jean@acme.fr"])
def test_named_work_address_is_b2b_nominative(email):
    audience = classify_email(email)

    assert audience == Audience.B2B_NOMINATIVE


@pytest.mark.parametrize(
    "email",
    [
        "jean.dupont@gmail.com",
        "jean.dupont@orange.fr",
        "contact@gmail.com",
        "jean.dupont@outlook.de",
        "jean.dupont@yahoo.co.uk",
    ],
)
def test_free_mail_or_isp_address_is_b2c(email):
    audience = classify_email(email)

    assert audience == Audience.B2C
