"""Demo users for each role, and demo data once the apps provide it. Development only."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from org import accounts
from org.models import Organisation
from org.roles import Role
from prospects import intake
from prospects.intake import ProspectData, SourceData
from prospects.models import Prospect


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str


DEMO_USERS = (
    DemoUser("rep", "loyal-rep-demo-2026", Role.SALES, "Camille", "Martin"),
    DemoUser("rep2", "loyal-rep2-demo-2026", Role.SALES, "Hugo", "Bernard"),
    DemoUser("lead", "loyal-lead-demo-2026", Role.TEAM_LEAD, "Léa", "Moreau"),
    DemoUser("dpo", "loyal-dpo-demo-2026", Role.DPO, "Nadia", "Lefèvre"),
    DemoUser("admin", "loyal-admin-demo-2026", Role.ADMIN, "Paul", "Garnier"),
)


# Invented people on reserved example domains; one per kind of provenance.
DEMO_PROSPECTS = (
    (
        ("Claire", "Moreau", "Head of purchasing", "Atelier Durand", "claire.moreau@atelier-durand.example"),
        "business_card",
        {"event": "Salon Industrie", "place": "Lyon", "date": "2026-03-10", "collector": "Camille Martin",
         "notice_given": True},
    ),
    (
        ("Julien", "Petit", "CTO", "Numéria", ""),
        "linkedin_connection",
        {"profile_url": "https://www.linkedin.com/in/julien-petit-demo"},
    ),
    (
        ("Sophie", "Lambert", "Office manager", "Boulangeries Réunies", "contact@boulangeries.example"),
        "web_form_notice",
        {"form_id": "contact-2026", "notice_version": "3", "wording_hash": "5d41402abc4b2a76",
         "ip": "198.51.100.20", "user_agent": "Mozilla/5.0"},
    ),
    (
        ("Marc", "Rousseau", "Buyer", "Transports Rousseau", "marc.rousseau@transports.example"),
        "broker",
        {"broker": "DataLoc", "contract_ref": "DL-26-4", "list_id": "IDF-12", "delivery_date": "2026-09-01",
         "information_proof": "Broker form v4 names partners and offers an opt-out"},
    ),
    (
        ("Emma", "Girard", "Freelance designer", "", "emma.girard.demo@gmail.com"),
        "event",
        {"event": "Design Days", "place": "Nantes", "date": "2026-05-20"},
    ),
)  # fmt: skip


@transaction.atomic
def seed() -> list[DemoUser]:
    """Create the demo users and prospects that do not exist yet; existing ones are left as they are."""
    User = get_user_model()
    for demo in DEMO_USERS:
        if not User.objects.filter(username=demo.username).exists():
            accounts.create_user(
                username=demo.username,
                password=demo.password,
                role=demo.role,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@loyal.example",
            )
    _seed_prospects(User.objects.get(username="rep"))
    _seed_organisation()
    return list(DEMO_USERS)


# Invented processors, so that demo campaigns can start (outreach/content.py missing_facts).
DEMO_PROCESSORS = (
    {
        "role": "hosting",
        "name": "Demo Hosting SAS",
        "country": "FR",
        "safeguard": "eu_eea",
        "public_description_en": "Hosting: Demo Hosting SAS, France",
        "public_description_fr": "Hébergement : Demo Hosting SAS, France",
    },
    {
        "role": "emailing",
        "name": "Demo Mail SAS",
        "country": "FR",
        "safeguard": "eu_eea",
        "public_description_en": "Emailing: Demo Mail SAS, France",
        "public_description_fr": "E-mailing : Demo Mail SAS, France",
    },
)


def _seed_organisation() -> None:
    if not Organisation.objects.filter(pk=Organisation.SINGLETON).exists():
        organisation = Organisation.objects.create(pk=Organisation.SINGLETON, **settings.LOYAL_CONTROLLER)
        for values in DEMO_PROCESSORS:
            organisation.processors.create(**values)


def _seed_prospects(rep) -> None:
    if Prospect.objects.exists():
        return
    for (first, last, title, company, email), source_type, evidence in DEMO_PROSPECTS:
        data = ProspectData(
            first_name=first, last_name=last, job_title=title, company_name=company, email=email
        )
        if email.endswith("gmail.com"):
            data.audience, data.audience_justification = "b2c", "Private address given on a business card"
        intake.create_prospect(data, source=SourceData(type=source_type, evidence=evidence), by=rep)
