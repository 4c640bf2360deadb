from outreach.contactability import contactability
from tests import factories

PROFILE = "https://www.linkedin.com/in/ines-morel"


def test_a_linkedin_prospect_without_email_or_phone_is_reachable_only_by_linkedin(rep):
    person = factories.prospect(
        by=rep,
        linkedin_url=PROFILE,
        company_name="",
        source_type="linkedin_connection",
        evidence={"profile_url": PROFILE},
    )

    rows = {row.channel: row for row in contactability(person)}

    assert {channel for channel, row in rows.items() if row.reachable} == {"linkedin_msg"}
    assert rows["linkedin_msg"].verdict.reason == "NOTICE_ART14"


def test_the_prospect_page_panel_says_when_no_address_is_recorded(rep_client, rep):
    person = factories.prospect(by=rep, email="ines.morel@acme.fr")

    response = rep_client.get(f"/outreach/prospects/{person.pk}/contactability/")

    assert response.status_code == 200
    # Phone, SMS and LinkedIn: only the email and the company (post) are on record.
    assert response.content.decode().count("No address recorded for this channel") == 3
