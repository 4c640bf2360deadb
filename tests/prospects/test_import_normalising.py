"""The import's batch helpers give exactly what the one-value functions of identity.py give.

``Normaliser`` takes fast paths for the usual spellings; whatever it is given, it must accept
what ``normalise_identifiers`` accepts, normalise it the same way, and refuse the rest.
"""

import random
import time

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from prospects.identity import (
    InvalidIdentifier,
    Normaliser,
    blind_index,
    blind_indexes,
    decrypt,
    encrypt_many,
    normalise_email,
    normalise_identifiers,
    normalise_linkedin_url,
    normalise_phone,
)


def _outcome(function, value):
    try:
        return function(value)
    except InvalidIdentifier as error:
        return ("refused", error.field)


def _agrees(fast, slow, value):
    assert _outcome(fast, value) == _outcome(slow, value), value


# --- Phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["FR", "DE", "BE", "GB", "US", "IT"])
def test_a_phone_number_of_every_french_prefix_is_read_as_phonenumbers_reads_it(region):
    normaliser = Normaliser(region)
    if region in ("FR", "DE", "BE"):
        assert normaliser._national is not None  # the fast path is what is under test
    rng = random.Random(region)
    for prefix in range(1000, 10000, 7):
        digits = f"{prefix}{rng.randrange(10**5):05d}"
        for value in (
            f"0{digits}",
            f"+33{digits}",
            f"+33 {digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}",
            f"0{digits[0]}.{digits[1:3]}.{digits[3:5]}.{digits[5:7]}.{digits[7:]}",
            f"0{digits[:-1]}",
            f"0{digits}1",
            f"+49{digits}",
            f"0{digits[:6]}-{digits[6:]}",
        ):
            _agrees(
                normaliser.phone, lambda value, region=region: normalise_phone(value, region=region), value
            )


phone_like = st.text(alphabet="0123456789 .-+()x", max_size=20)


@settings(max_examples=400, deadline=None)
@given(value=phone_like)
def test_any_phone_like_text_gets_the_same_answer(value):
    _agrees(Normaliser("FR").phone, lambda value: normalise_phone(value, region="FR"), value)


# --- Emails and LinkedIn URLs ------------------------------------------------------------------

EMAILS = [
    "Person.7@Company7.fr ",
    "a@b.co",
    "a..b@company.fr",
    ".a@company.fr",
    "a@company",
    "a@-company.fr",
    "a@company-.fr",
    "a@localhost",
    "a@[127.0.0.1]",
    "a@[999.0.0.1]",
    '"quoted local"@company.fr',
    "élodie@société.fr",
    "a@xn--socit-esab.fr",
    "a b@company.fr",
    "a@company.f",
    "a@company.fr.",
    "x" * 310 + "@company.fr",
    "info+tag@company.fr",
    "@company.fr",
    "a@",
]


@pytest.mark.parametrize("value", EMAILS)
def test_an_email_gets_the_same_answer(value):
    _agrees(Normaliser("FR").email, normalise_email, value)


@settings(max_examples=400, deadline=None)
@given(value=st.text(alphabet='abcAB09.-_+@é"[] ', max_size=30))
def test_any_email_like_text_gets_the_same_answer(value):
    _agrees(Normaliser("FR").email, normalise_email, value)


LINKEDIN = [
    "https://www.linkedin.com/in/person-7",
    "https://www.linkedin.com/in/Person-7/",
    "http://linkedin.com/in/jane-doe",
    "www.linkedin.com/in/jane-doe",
    "linkedin.com/in/jd",
    "https://www.linkedin.com/in/" + "a" * 101,
    "https://www.linkedin.com/in/jane-doe?trk=x",
    "https://fr.linkedin.com/in/jane-doe",
    "HTTPS://WWW.LINKEDIN.COM/in/jane-doe",
    "https://www.linkedin.com/in/jane%2Ddoe",
    "https://www.linkedin.com/sales/lead/123",
    "https://www.linkedin.com/company/acme",
    "https://www.linkedin.com.evil.com/in/jane-doe",
    "ftp://www.linkedin.com/in/jane-doe",
    "https://www.linkedin.com/in/jane_doe",
]


@pytest.mark.parametrize("value", LINKEDIN)
def test_a_linkedin_url_gets_the_same_answer(value):
    _agrees(Normaliser("FR").linkedin_url, normalise_linkedin_url, value)


@settings(max_examples=300, deadline=None)
@given(slug=st.text(alphabet="abAB09-_%é/?", max_size=12), host=st.sampled_from(["www.", "", "fr.", "m."]))
def test_any_profile_like_url_gets_the_same_answer(slug, host):
    _agrees(Normaliser("FR").linkedin_url, normalise_linkedin_url, f"https://{host}linkedin.com/in/{slug}")


def test_the_three_together_report_the_first_malformed_field_as_normalise_identifiers_does():
    normaliser = Normaliser("FR")
    cases = [
        ("a@company.fr", "06 12 34 56 78", "linkedin.com/in/jane-doe"),
        ("not an email", "12", "https://www.linkedin.com/company/acme"),
        ("a@company.fr", "12", "https://www.linkedin.com/company/acme"),
        ("a@company.fr", "", "https://www.linkedin.com/company/acme"),
        ("  ", " ", ""),
    ]
    for email, phone, linkedin in cases:
        normalised, errors = normalise_identifiers({"email": email, "phone": phone, "linkedin_url": linkedin})
        found = normaliser.identifiers(email, phone, linkedin)
        if errors:
            assert found == ("", "", "", next(iter(errors)))
        else:
            assert found == (normalised["email"], normalised["phone"], normalised["linkedin_url"], None)


# --- Indexing and encrypting a chunk -----------------------------------------------------------


def test_blind_indexes_are_those_of_blind_index_and_none_for_an_empty_value():
    values = ["a@company.fr", "", "b@company.fr"]

    assert blind_indexes("email", values) == [
        blind_index("email", "a@company.fr"),
        None,
        blind_index("email", "b@company.fr"),
    ]
    with pytest.raises(ValueError, match="Unknown blind index kind"):
        blind_indexes("name", values)


def test_encrypt_many_gives_fernet_tokens_of_each_value_and_an_empty_value_stays_empty(settings):
    values = ["a@company.fr", "", "+33612345678", "é" * 40, *("x" * size for size in range(49))]

    tokens = encrypt_many(values)

    assert tokens[1] == ""
    fernet = Fernet(settings.LOYAL_ENCRYPTION_KEYS[0])
    for value, token in zip(values, tokens, strict=True):
        if value:
            assert fernet.decrypt(token.encode()).decode() == decrypt(token) == value
            assert abs(fernet.extract_timestamp(token.encode()) - time.time()) < 60
    assert len(set(encrypt_many(["same", "same"]))) == 2  # a random IV per token, as encrypt


def test_encrypt_many_encrypts_under_the_first_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LOYAL_ENCRYPTION_KEYS = [new, old]

    token = encrypt_many(["a@company.fr"])[0]

    assert Fernet(new).decrypt(token.encode()) == b"a@company.fr"
