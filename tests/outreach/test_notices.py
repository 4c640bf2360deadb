"""The Art. 14 job: inform indirectly sourced people before day 30, or flag them for the purge."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from consent import links
from org.models import Organisation
from outreach.models import NoticeOutcome, NoticeRecord
from outreach.notices import NOTICE_VERSION, notice_text, purge_flagged, send_art14_notices
from prospects import suppression
from prospects.models import Notice
from tests import factories
from tests.outreach.conftest import aged

pytestmark = pytest.mark.django_db


def linkedin(rep, **fields):
    evidence = {"profile_url": f"https://www.linkedin.com/in/{fields.get('first_name', 'ana').lower()}"}
    return factories.prospect(
        by=rep,
        source_type="linkedin_public_profile",
        evidence=evidence,
        linkedin_url=evidence["profile_url"],
        **fields,
    )


def test_sends_a_standalone_notice_three_weeks_after_acquisition(rep):
    prospect = linkedin(rep, first_name="Ana", email="ana@acme.fr")
    aged(prospect, days=22)

    counts = send_art14_notices()

    [email] = mail.outbox
    assert counts["sent"] == 1
    assert email.to == ["ana@acme.fr"]
    assert email.subject == "Information sur l'utilisation de vos données personnelles"
    assert "Ce message n'est pas une offre commerciale" in email.body
    assert "votre profil LinkedIn public (linkedin.com/in/ana)" in email.body
    source = prospect.sources.get()
    assert source.notice == Notice.ART14_SENT and source.notice_sent_at is not None
    assert NoticeRecord.objects.get(prospect=prospect).outcome == NoticeOutcome.SENT


def test_an_overdue_person_is_still_informed(rep):
    prospect = linkedin(rep, email="ana@acme.fr", language="en")
    aged(prospect, days=45)

    send_art14_notices()

    assert mail.outbox[0].subject == "How we use your personal data"


def test_a_person_with_no_email_is_flagged_for_purge_once(rep):
    prospect = linkedin(rep, email="")
    aged(prospect, days=25)

    first = send_art14_notices()
    again = send_art14_notices()

    assert (first["purge_flagged"], again["purge_flagged"]) == (1, 0)
    assert list(purge_flagged().values_list("prospect", flat=True)) == [prospect.pk]
    assert mail.outbox == []


def test_a_person_who_objected_to_email_is_flagged_not_written_to(rep):
    prospect = linkedin(rep, email="ana@acme.fr")
    aged(prospect, days=25)
    suppression.suppress(prospect, channel="email", origin="reply")

    counts = send_art14_notices()

    assert counts["purge_flagged"] == 1
    assert mail.outbox == []


def test_leaves_alone_recent_direct_or_informed_sources(rep):
    aged(linkedin(rep, first_name="Recent", email="recent@acme.fr"), days=3)
    aged(factories.prospect(by=rep, first_name="Card", email="card@acme.fr"), days=40)
    aged(linkedin(rep, first_name="Told", email="told@acme.fr"), days=40, notice=Notice.ART14_SENT)
    scan = {**factories.EVIDENCE["event"], "our_notice_shown": True}
    aged(
        factories.prospect(
            by=rep, first_name="Scan", email="scan@acme.fr", source_type="event", evidence=scan
        ),
        days=25,
    )

    counts = send_art14_notices()

    assert counts == {"sent": 0, "purge_flagged": 0, "skipped": 0}


def test_a_named_person_behind_a_role_address_and_a_badge_scan_are_informed(rep):
    """docs/rules.md §1.2, §5: the notice is owed to the person, whatever the address or scan."""
    aged(linkedin(rep, first_name="Desk", email="contact@desk.fr"), days=25)
    aged(factories.prospect(by=rep, first_name="Badge", email="badge@acme.fr", source_type="event"), days=25)

    counts = send_art14_notices()

    assert counts == {"sent": 2, "purge_flagged": 0, "skipped": 0}


def test_running_twice_informs_once(rep):
    aged(factories.prospect(by=rep, email="ana@acme.fr", source_type="broker"), days=25)

    send_art14_notices()
    send_art14_notices()

    assert len(mail.outbox) == 1
    assert "une liste louée auprès de ListCo" in mail.outbox[0].body


def test_the_command_runs_the_same_job(rep):
    aged(linkedin(rep, email="ana@acme.fr"), days=25)
    out = StringIO()

    call_command("send_art14_notices", stdout=out)

    assert "sent: 1" in out.getvalue()


@pytest.mark.parametrize(
    ("source_type", "fragment"),
    [
        (
            "business_card",
            "la carte de visite que vous nous avez remise lors de VivaTech (Paris, 2026-06-12)",
        ),
        ("event", "le scan de votre badge lors de Salon des achats (Lyon, 2026-03-02)"),
        ("web_form_notice", "le formulaire que vous avez rempli sur notre site (contact-2026)"),
        ("customer_sale", "votre commande SO-1001"),
        ("manual", "Introduced by a colleague"),
    ],
)
def test_the_notice_names_the_precise_source(rep, source_type, fragment):
    prospect = factories.prospect(by=rep, email="ana@acme.fr", source_type=source_type)

    text = notice_text(prospect, language="fr")

    assert f"D'où viennent vos données : {fragment}." in text


def test_the_dpo_sees_who_is_flagged_for_purge(rep, dpo, client):
    prospect = linkedin(rep, first_name="Noemail", email="")
    aged(prospect, days=25)
    send_art14_notices()
    factories.log_in(client, dpo)

    page = client.get("/outreach/notices/")

    assert page.status_code == 200
    assert "Noemail Dupont" in page.content.decode()


def test_a_rep_cannot_open_the_notice_review(rep_client):
    assert rep_client.get("/outreach/notices/").status_code == 403


# --- What the notice says (GDPR 14(1)-(2), 21(4); docs/rules.md §1.5) ---


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        (
            "en",
            [
                "the controller): Renamed SA, 2 rue Neuve, Lille (privacy@renamed.example)",
                "Data protection officer: Jo Dpo, dpo@renamed.example, 9 rue du DPO, Lille.",
                "our legitimate interest",
                "GDPR article 6(1)(f)",
                "your first and last name, your job title, your company, your work email address",
                "our processors, each named with the country where it processes your data:\n"
                "- Emailing: Mail Inc., United States (US)\n- Hosting: Host EU, France (FR)\n",
                "Transfers outside the European Union (EU/EEA), each with its safeguard:\n"
                "- Mail Inc. (Emailing), US: Standard contractual clauses (art. 46(2)(c))\n"
                "- Support desk in Canada, adequacy decision\n",
                "How long: 5 years after the last contact that came from you",
                "Automated decisions: none.",
                "(www.cnil.fr)",
                "your public LinkedIn profile (linkedin.com/in/ana), a publicly accessible source",
            ],
        ),
        (
            "fr",
            [
                "Délégué à la protection des données : Jo Dpo, dpo@renamed.example",
                "notre intérêt légitime",
                "Durée de conservation : 5 ans après notre dernier contact venant de vous",
                "Décisions automatisées : aucune.",
                "réclamation à la CNIL",
                "- E-mailing : Mail Inc., États-Unis (US)\n- Hébergement : Host EU, France (FR)\n",
                "- Mail Inc. (E-mailing), US : Clauses contractuelles types (art. 46(2)(c))\n",
            ],
        ),
    ],
)
def test_the_notice_carries_every_item_of_articles_14_1_and_14_2(rep, settings, language, fragments):
    settings.LOYAL_RETENTION = {**settings.LOYAL_RETENTION, "prospect_years": 5}
    renamed_organisation(settings)
    prospect = linkedin(rep, first_name="Ana", email="ana@acme.fr")

    text = notice_text(prospect, language=language)

    for fragment in fragments:
        assert fragment in text
    assert NOTICE_VERSION == "art14-2026-3" and text.endswith(f"{NOTICE_VERSION}.")


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "our processors: Emailing: Mail Inc., United States (US); Hosting: Host EU, France (FR). We"),
        (
            "fr",
            "sous-traitants : E-mailing : Mail Inc., États-Unis (US) ; Hébergement : Host EU, France (FR).",
        ),
    ],
)
def test_a_notice_given_before_the_processors_list_renders_its_own_wording(rep, settings, language, line):
    renamed_organisation(settings)
    prospect = linkedin(rep, first_name="Ana", email="ana@acme.fr")

    text = notice_text(prospect, language=language, version="art14-2026-2")

    assert line in text and "art14-2026-2" in text
    assert "US: Standard contractual clauses" in text if language == "en" else "US : Clauses" in text


def renamed_organisation(settings) -> Organisation:
    organisation = Organisation.objects.create(
        pk=Organisation.SINGLETON,
        **{
            **settings.LOYAL_CONTROLLER,
            "name": "Renamed SA",
            "address": "2 rue Neuve, Lille",
            "email": "privacy@renamed.example",
            "dpo_name": "Jo Dpo",
            "dpo_email": "dpo@renamed.example",
            "dpo_address": "9 rue du DPO, Lille",
            "transfers": "Support desk in Canada, adequacy decision",
        },
    )
    organisation.processors.create(
        role="hosting",
        name="Host EU",
        country="FR",
        safeguard="eu_eea",
        public_description_en="Hosting: Host EU, France",
        public_description_fr="Hébergement : Host EU, France",
    )
    organisation.processors.create(
        role="emailing",
        name="Mail Inc.",
        country="US",
        safeguard="scc",
        public_description_en="Emailing: Mail Inc., United States",
        public_description_fr="E-mailing : Mail Inc., États-Unis",
    )
    return organisation


@pytest.mark.parametrize(
    ("language", "heading", "others"),
    [
        ("en", "==== YOUR RIGHT TO OBJECT", "Your rights:"),
        ("fr", "==== VOTRE DROIT D'OPPOSITION", "Vos droits :"),
    ],
)
def test_the_right_to_object_stands_apart_with_its_one_click_link(rep, language, heading, others):
    prospect = linkedin(rep, email="ana@acme.fr")

    text = notice_text(prospect, language=language)

    block = text.split(heading, 1)[1].split("\n====", 1)[0]
    assert links.unsubscribe_url(prospect, "") in block
    assert others not in block  # the other rights are told elsewhere, not mixed in
    assert text.index(others) < text.index(heading)


def test_a_person_who_consented_is_told_consent_is_the_basis_and_how_to_withdraw(rep):
    prospect = factories.prospect(
        by=rep,
        email="ana@acme.fr",
        source_type="web_form_consent",
        evidence=factories.EVIDENCE["web_form_consent"],
    )
    other = linkedin(rep, email="bo@acme.fr")
    factories.consent(other, by=rep, channel="sms")

    texts = [notice_text(p, language="en") for p in (prospect, other)]

    for text in texts:
        assert "your consent (GDPR article 6(1)(a))" in text and "withdraw it at any time" in text
        assert "legitimate interest" not in text


def test_a_notice_given_in_an_earlier_version_is_still_rendered_as_it_was(rep):
    prospect = linkedin(rep, email="ana@acme.fr", language="en")

    old = notice_text(prospect, language="en", version="art14-2026-1")
    new = notice_text(prospect, language="en")

    assert NOTICE_VERSION != "art14-2026-1"
    assert "Version of this information: art14-2026-1." in old and "Automated decisions" not in old
    assert f"Version of this information: {NOTICE_VERSION}." in new and "Automated decisions: none." in new
    with pytest.raises(ValueError):
        notice_text(prospect, language="en", version="art14-1999-9")


@pytest.mark.parametrize(
    ("language", "line"), [("en", "\n- (to be named)\nWe never"), ("fr", "\n- (à désigner)\nNous ne")]
)
def test_a_notice_before_any_processor_is_named_says_so_rather_than_nothing(rep, settings, language, line):
    settings.LOYAL_PROCESSORS = []
    prospect = linkedin(rep, first_name="Ana", email="ana@acme.fr")

    assert line in notice_text(prospect, language=language)
