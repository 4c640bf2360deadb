"""Plain builders for tests: real rows through the domain functions, no fixtures files."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm import mfa
from org import accounts, conduct
from org.models import CodeOfConduct, Team
from org.roles import Role

PASSWORD = "correct-horse-battery-staple"


def user(
    *,
    role: str,
    username: str,
    password: str = PASSWORD,
    acknowledged: bool = True,
    team=None,
    second_factor: bool = True,
):
    """A user of ``role``; admins and DPOs come with an enrolled authenticator app unless told not to."""
    person = accounts.create_user(
        username=username,
        password=password,
        role=Role(role),
        first_name=username.title(),
        last_name="Test",
        team=team,
    )
    current = CodeOfConduct.objects.current()
    if acknowledged and role in (Role.SALES, Role.TEAM_LEAD) and current is not None:
        conduct.acknowledge(person, conduct=current)
    if second_factor and mfa.required_for(person):
        TOTPDevice.objects.create(user=person, name=mfa.APP_DEVICE_NAME, confirmed=True)
    return person


def totp_code(person, *, pending: bool = False) -> str:
    """The code that the person's authenticator app (or the one being enrolled) shows now.

    The device forgets the last code it accepted, so that a test may log the same person in
    twice within one 30-second step, as a real person would have to wait for the next code.
    """
    device = mfa.app_device(person, confirmed=not pending) or mfa.app_device(person, confirmed=False)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def log_in(client, user):
    """Log a test client in as ``user``, as far as a real log-in would take them.

    Admins and DPOs also get their session verified by their authenticator app, as after the
    MFA page; one without an enrolled app stays unverified.
    """
    client.force_login(user)
    device = mfa.app_device(user) if mfa.required_for(user) else None
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def team(name: str) -> Team:
    return Team.objects.create(name=name)


def prospect(
    *,
    by,
    first_name: str = "Jean",
    last_name: str = "Dupont",
    email: str = "",
    phone: str = "",
    linkedin_url: str = "",
    company_name: str = "Acme",
    job_title: str = "Head of purchasing",
    language: str = "fr",
    source_type: str = "business_card",
    evidence: dict | None = None,
    audience: str = "",
    audience_justification: str = "",
):
    """A prospect logged through the real intake, with a complete source of the given type."""
    from prospects.intake import ProspectData, SourceData, create_prospect

    if not (email or phone or linkedin_url):
        email = f"{first_name}.{last_name}@acme.fr".lower()
    return create_prospect(
        ProspectData(
            first_name=first_name,
            last_name=last_name,
            job_title=job_title,
            company_name=company_name,
            email=email,
            phone=phone,
            linkedin_url=linkedin_url,
            language=language,
            audience=audience,
            audience_justification=audience_justification,
        ),
        source=SourceData(
            type=source_type, evidence=evidence if evidence is not None else EVIDENCE[source_type]
        ),
        by=by,
    )


def customer(*, by, **fields):
    """A current customer (docs/rules.md §2.1): a global objection keeps their record."""
    from prospects.models import Prospect

    person = prospect(by=by, **fields)
    Prospect.objects.filter(pk=person.pk).update(is_customer=True)
    person.refresh_from_db()
    return person


EVIDENCE = {
    "business_card": {"event": "VivaTech", "place": "Paris", "date": "2026-06-12", "collector": "Camille"},
    "event": {"event": "Salon des achats", "place": "Lyon", "date": "2026-03-02"},
    "linkedin_connection": {"profile_url": "https://www.linkedin.com/in/jean-dupont-acme"},
    "linkedin_public_profile": {"profile_url": "https://www.linkedin.com/in/jean-dupont-acme"},
    "web_form_notice": {
        "form_id": "contact-2026",
        "notice_version": "3",
        "wording_hash": "9f2c0e",
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0",
    },
    "broker": {
        "broker": "ListCo",
        "contract_ref": "C-2026-12",
        "list_id": "L-77",
        "delivery_date": "2026-10-01",
        "information_proof": "Collection form v2 names partners and offers an opt-out",
    },
    "inbound": {"channel": "phone", "date": "2026-10-02"},
    "customer_sale": {"order_ref": "SO-1001", "date": "2026-01-15"},
    "manual": {"description": "Introduced by a colleague"},
}
EVIDENCE["web_form_consent"] = EVIDENCE["web_form_notice"]


def stored_rows() -> dict[str, int]:
    """Row counts of every table of the prospects app, historical tables included."""
    from django.apps import apps

    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("prospects").get_models()
    }


def many_prospects(*, by, count: int, source_type: str = "business_card") -> list:
    """``count`` prospects of ``by``'s team, one second apart, written set-based.

    For tests of paging and query counts, where logging each one through intake
    would only be slow. Jean0 is the newest.
    """
    from datetime import timedelta

    from django.utils import timezone

    from org.accounts import team_of
    from prospects import retention
    from prospects.identity import blind_index
    from prospects.models import Company, Prospect, Source

    company, team, now = Company.objects.create(name="Acme"), team_of(by), timezone.now()
    prospects = []
    for index in range(count):
        email, moment = f"jean.dupont{index}@acme.fr", now - timedelta(seconds=index)
        prospects.append(
            Prospect(
                first_name=f"Jean{index}",
                last_name="Dupont",
                company=company,
                company_sort=company.name,
                email=email,
                email_index=blind_index("email", email),
                audience="b2b_nominative",
                owner=by,
                team=team,
                collected_at=moment,
                created_at=moment,
                retention_until=retention.deadline(collected_at=moment, last_prospect_contact_at=None),
            )
        )
    Prospect.objects.bulk_create(prospects)
    Source.objects.bulk_create(
        Source(prospect=p, type=source_type, evidence=EVIDENCE[source_type], recorded_by=by)
        for p in prospects
    )
    return prospects


def consent_proof(**overrides):
    """A complete proof for a consent a rep records from a signed form (consent.recording.Proof)."""
    from consent.recording import Proof

    fields = {
        "method": "signed_form",
        "wording": "I agree to receive offers from Acme by email.",
        "wording_version": "form-3",
        "evidence_ref": "Binder 2026, page 14",
        **overrides,
    }
    return Proof(**fields)


def consent(prospect, *, by, channel: str = "email", purpose_code: str = "b2b_prospecting", **proof):
    """A consent recorded through consent.recording with a complete proof."""
    from consent.recording import record_consent

    return record_consent(
        prospect, purpose_code=purpose_code, channel=channel, proof=consent_proof(**proof), by=by
    )


# A compliant French and English template for purchasing heads, as the API takes it too.
CAMPAIGN_TEXTS = {
    "target_functions": ["purchasing"],
    "offer_related_to_profession": True,
    "subject_fr": "Nos solutions d'achat, {first_name}",
    "body_fr": "Bonjour {first_name},\n\nNotre offre pour les acheteurs de {company}.",
    "subject_en": "Our purchasing solutions, {first_name}",
    "body_en": "Hello {first_name},\n\nOur offer for the buyers of {company}.",
    "sender_name": "Camille Martin, Acme Solutions",
    "sender_email": "camille.martin@acme-solutions.example",
}
# A consent granted with its proof, as the API takes it.
CONSENT_PROOF = {
    "purpose_code": "b2b_prospecting",
    "channel": "email",
    "action": "grant",
    "method": "signed_form",
    "wording": "I agree that Acme emails me offers.",
    "wording_version": "form-3",
    "evidence_ref": "Binder 2026, page 14",
}


def campaign(*, by, channel: str = "email", kind: str = "promotion", **overrides):
    """A campaign of ``by`` with a compliant French and English template, for purchasing heads."""
    from consent.models import Purpose
    from org.accounts import team_of
    from outreach.models import Campaign

    fields = {
        "name": "Spring offer",
        "purpose": Purpose.objects.get(code="b2b_prospecting"),
        "channel": channel,
        "kind": kind,
        **CAMPAIGN_TEXTS,
        "created_by": by,
        "team": team_of(by),
        **overrides,
    }
    if "target_list" not in overrides and "target_segment" not in overrides:
        fields["target_segment"] = whole_base(by=by)
    return Campaign.objects.create(**fields)


def whole_base(*, by):
    """A segment with no filter, shared with ``by``'s team: the campaigns' default target."""
    from org.accounts import team_of
    from prospects.models import SavedView

    view, _created = SavedView.objects.get_or_create(
        name="All prospects", filters={}, shared=True, team=team_of(by), created_by=by
    )
    return view


def prospect_list(*, by, name: str = "Spring leads", members=()):
    """A static list of ``by``'s team holding ``members``."""
    from prospects import lists
    from prospects.models import Prospect

    made = lists.create_list(name=name, by=by)
    if members:
        lists.add_to_list(made, prospects=Prospect.objects.filter(pk__in=[p.pk for p in members]), by=by)
    return made


def next_step(prospect, *, by, what: str = "Call back about the quote", due_at=None, owner=None):
    """An open next step on ``prospect``, due in an hour unless told otherwise."""
    from django.utils import timezone

    from prospects.next_steps import add_next_step

    due_at = due_at or timezone.now() + timezone.timedelta(hours=1)
    return add_next_step(prospect, what=what, due_at=due_at, owner=owner, by=by)
