"""The global guards of the outreach gate (docs/rules.md §1.3), in order: the first hit wins."""

from datetime import timedelta

import pytest

from consent.channels import Channel
from outreach.policy import ConsentState, Notice, PolicySource, Reason, decide
from prospects.audience import Audience
from tests.outreach.situations import ALLOW, ALLOW_N, INDIRECT, REFUSE, TODAY, assert_verdict, situation


def test_default_situation_is_allowed():
    verdict = decide(situation())

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_refuses_record_past_its_retention_period():
    verdict = decide(situation(retention_expired=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RETENTION_EXPIRED)
    assert "5(1)(e)" in verdict.legal_reference


def test_expired_retention_wins_over_objection():
    verdict = decide(situation(retention_expired=True, objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RETENTION_EXPIRED)


def test_refuses_prospect_whose_processing_is_restricted():
    verdict = decide(situation(restricted=True))

    assert_verdict(verdict, REFUSE, Reason.REF_RESTRICTED)
    assert verdict.legal_reference == "GDPR 18(2)"


def test_restriction_comes_after_expiry_and_before_objection():
    expired = decide(situation(retention_expired=True, restricted=True))
    objected = decide(situation(restricted=True, objection=True))

    assert expired.reason == Reason.REF_RETENTION_EXPIRED
    assert objected.reason == Reason.REF_RESTRICTED


def test_refuses_prospect_who_objected():
    verdict = decide(situation(objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)
    assert "21(2)-(3)" in verdict.legal_reference


def test_objection_refuses_even_a_legal_person_on_post():
    verdict = decide(situation(channel=Channel.POSTAL, audience=Audience.B2B_GENERIC, objection=True))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)


def test_objection_wins_over_scraped_source():
    verdict = decide(situation(objection=True, source=PolicySource.SCRAPING))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)


def test_refuses_scraped_source():
    verdict = decide(situation(source=PolicySource.SCRAPING))

    assert_verdict(verdict, REFUSE, Reason.REF_SCRAPED_SOURCE)


def test_scraped_source_is_refused_even_with_consent_for_a_legal_person():
    verdict = decide(
        situation(source=PolicySource.SCRAPING, audience=Audience.B2B_GENERIC, consent=ConsentState.VALID)
    )

    assert_verdict(verdict, REFUSE, Reason.REF_SCRAPED_SOURCE)


def test_refuses_broker_without_proof():
    verdict = decide(situation(source=PolicySource.BROKER_WITHOUT_PROOF))

    assert_verdict(verdict, REFUSE, Reason.REF_BROKER_NO_PROOF)


def test_unknown_source_fails_closed_as_broker_without_proof():
    verdict = decide(situation(source=None, audience=Audience.B2B_GENERIC))

    assert_verdict(verdict, REFUSE, Reason.REF_BROKER_NO_PROOF)


def test_refuses_when_consent_for_the_channel_was_withdrawn():
    verdict = decide(situation(consent=ConsentState.WITHDRAWN))

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_WITHDRAWN)


def test_withdrawn_consent_wins_over_overdue_notice_and_bad_template():
    verdict = decide(
        situation(
            consent=ConsentState.WITHDRAWN,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=90),
            template_ok=False,
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_WITHDRAWN)


@pytest.mark.parametrize("source", INDIRECT)
def test_refuses_indirect_source_not_informed_within_a_month(source):
    verdict = decide(situation(source=source, notice=Notice.NONE, acquired_at=TODAY - timedelta(days=31)))

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_indirect_source_acquired_exactly_30_days_ago_is_not_yet_overdue():
    verdict = decide(
        situation(
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=30),
        )
    )

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART14)


def test_indirect_source_without_acquisition_date_counts_as_overdue():
    verdict = decide(situation(source=PolicySource.BROKER_WITH_PROOF, notice=Notice.NONE, acquired_at=None))

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_notice_at_collection_does_not_stop_the_art14_clock_for_an_indirect_source():
    verdict = decide(
        situation(
            source=PolicySource.BROKER_WITH_PROOF,
            notice=Notice.AT_COLLECTION,
            acquired_at=TODAY - timedelta(days=60),
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_old_indirect_source_is_fine_once_art14_notice_was_sent():
    verdict = decide(
        situation(
            source=PolicySource.LINKEDIN_PUBLIC_PROFILE,
            notice=Notice.ART14_SENT,
            acquired_at=TODAY - timedelta(days=400),
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_B2B_LI)


def test_art14_deadline_does_not_apply_to_a_company_record():
    verdict = decide(
        situation(
            audience=Audience.B2B_GENERIC,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=400),
            natural_person=False,
        )
    )

    assert_verdict(verdict, ALLOW, Reason.OK_LEGAL_PERSON)


def test_art14_deadline_applies_to_a_named_person_behind_a_role_address():
    """G6 (docs/rules.md §1.3): `natural_person`, generic address included."""
    verdict = decide(
        situation(
            audience=Audience.B2B_GENERIC,
            source=PolicySource.LINKEDIN_CONNECTION,
            notice=Notice.NONE,
            acquired_at=TODAY - timedelta(days=400),
        )
    )

    assert_verdict(verdict, REFUSE, Reason.REF_ART14_OVERDUE)


def test_art14_deadline_does_not_apply_to_a_direct_source():
    verdict = decide(situation(channel=Channel.PHONE, notice=Notice.NONE, acquired_at=None))

    assert_verdict(verdict, ALLOW_N, Reason.NOTICE_ART13_LATE)


def test_refuses_noncompliant_template():
    verdict = decide(situation(template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


def test_noncompliant_template_is_refused_for_a_legal_person_too():
    verdict = decide(situation(audience=Audience.B2B_GENERIC, template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


def test_noncompliant_template_wins_over_unknown_audience():
    verdict = decide(situation(audience=None, template_ok=False))

    assert_verdict(verdict, REFUSE, Reason.REF_TEMPLATE_NONCOMPLIANT)


@pytest.mark.parametrize("channel", list(Channel))
def test_unknown_audience_fails_closed(channel):
    verdict = decide(situation(channel=channel, audience=None))

    assert_verdict(verdict, REFUSE, Reason.REF_UNCLASSIFIED)


def test_refuses_prospect_over_the_unanswered_contact_cap():
    verdict = decide(situation(frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)
    # A product rule: no CNIL social-selling guidance exists to cite (docs/rules.md §1.3, G9).
    assert verdict.legal_reference == "Product rule (INTERP): GDPR 5(1)(a), 6(1)(f)"


def test_unknown_audience_wins_over_frequency_cap():
    verdict = decide(situation(audience=None, frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_UNCLASSIFIED)


def test_frequency_cap_wins_over_the_matrix():
    verdict = decide(situation(audience=Audience.B2C, frequency_capped=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)


def test_refuses_a_second_consent_request_to_the_same_person():
    verdict = decide(situation(consent_request_repeated=True))

    assert_verdict(verdict, REFUSE, Reason.REF_CONSENT_REQUEST_REPEATED)
    assert verdict.legal_reference == "Product rule (INTERP): GDPR 4(11), 5(1)(a)"


def test_frequency_cap_wins_over_a_repeated_consent_request():
    verdict = decide(situation(frequency_capped=True, consent_request_repeated=True))

    assert_verdict(verdict, REFUSE, Reason.REF_FREQUENCY_CAP)


def test_refuses_an_address_reported_permanently_undeliverable():
    verdict = decide(situation(undeliverable=True))

    assert_verdict(verdict, REFUSE, Reason.REF_UNDELIVERABLE)
    assert "5(1)(d)" in verdict.legal_reference


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.PHONE, Channel.POSTAL, Channel.LINKEDIN_MSG])
def test_an_undeliverable_email_address_leaves_the_other_channels_alone(channel):
    verdict = decide(situation(channel=channel, undeliverable=True))

    assert verdict.reason != Reason.REF_UNDELIVERABLE


def test_an_objection_wins_over_an_undeliverable_address():
    verdict = decide(situation(objection=True, undeliverable=True))

    assert_verdict(verdict, REFUSE, Reason.REF_OBJECTION)
