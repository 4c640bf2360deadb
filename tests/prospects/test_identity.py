"""Normalised identifiers, their blind index (docs/rules.md §2.3), encryption at rest (§6)."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured

from prospects.identity import (
    EncryptedTextField,
    InvalidIdentifier,
    blind_index,
    decrypt,
    encrypt,
    normalise_email,
    normalise_linkedin_url,
    normalise_phone,
    rotate,
)


@pytest.fixture
def keys(settings):
    """Fresh keys for each test, so that no test depends on the development secrets."""
    settings.LOYAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.LOYAL_BLIND_INDEX_KEY = "test-blind-index-key"
    return settings


# --- Email -------------------------------------------------------------------------


def test_email_is_trimmed_and_lower_cased():
    raw = "  Jeanne.Martin@ACME.fr \n"

    email = normalise_email(raw)

    assert email == "jeanne.martin@acme.fr"


@pytest.mark.parametrize(
    "raw", ["", "   ", "jeanne", "jeanne@", "@acme.fr", "jeanne martin@acme.fr", "a@b@acme.fr"]
)
def test_invalid_email_is_refused_naming_the_field(raw):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_email(raw)

    assert refused.value.field == "email"
    assert "valid email address" in refused.value.message


def test_same_email_in_any_case_gives_one_blind_index(keys):
    spellings = ["jeanne.martin@acme.fr", "Jeanne.Martin@Acme.FR", " JEANNE.MARTIN@ACME.FR "]

    indexes = {blind_index("email", normalise_email(spelling)) for spelling in spellings}

    assert len(indexes) == 1


# --- Phone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "+33 (0)6 12-34-56-78", "06.12.34.56.78"]
)
def test_french_phone_in_any_format_becomes_e164(raw):
    phone = normalise_phone(raw)

    assert phone == "+33612345678"


def test_same_phone_in_any_format_gives_one_blind_index(keys):
    spellings = ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "+33 (0)6 12-34-56-78"]

    indexes = {blind_index("phone", normalise_phone(spelling)) for spelling in spellings}

    assert len(indexes) == 1


def test_national_number_is_read_in_the_given_region():
    raw = "020 7946 0958"

    phone = normalise_phone(raw, region="GB")

    assert phone == "+442079460958"


def test_international_number_ignores_the_default_region():
    raw = "+1 415 555 0132"

    phone = normalise_phone(raw, region="FR")

    assert phone == "+14155550132"


@pytest.mark.parametrize("raw", ["", "abc", "12", "06 12 34", "+33 6 12 34 56 78 9", "+999 12 34 56 78"])
def test_invalid_phone_is_refused_naming_the_field(raw):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_phone(raw)

    assert refused.value.field == "phone"
    assert "valid phone number" in refused.value.message


def test_phone_with_an_extension_is_refused_rather_than_truncated():
    raw = "01 42 68 53 00 ext. 12"

    with pytest.raises(InvalidIdentifier) as refused:
        normalise_phone(raw)

    assert refused.value.field == "phone"
    assert "extension" in refused.value.message


def test_unknown_region_is_a_programming_error_not_bad_input():
    with pytest.raises(ValueError) as refused:
        normalise_phone("06 12 34 56 78", region="XX")

    assert not isinstance(refused.value, InvalidIdentifier)


# --- LinkedIn ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/in/jane-doe",
        "http://www.linkedin.com/in/jane-doe/",
        "https://linkedin.com/in/Jane-Doe",
        "https://fr.linkedin.com/in/jane-doe/",
        "https://m.linkedin.com/in/jane-doe",
        "https://www.linkedin.com/mwlite/in/jane-doe",
        "https://www.linkedin.com/in/jane-doe?originalSubdomain=fr&trk=people",
        "https://www.linkedin.com/in/jane-doe/#experience",
        "https://www.linkedin.com/in/jane-doe/details/experience/",
        "www.linkedin.com/in/jane-doe",
        "  HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE  ",
    ],
)
def test_any_spelling_of_a_profile_url_becomes_the_canonical_form(raw):
    url = normalise_linkedin_url(raw)

    assert url == "linkedin.com/in/jane-doe"


def test_same_linkedin_profile_in_any_form_gives_one_blind_index(keys):
    spellings = ["https://www.linkedin.com/in/jane-doe/", "fr.linkedin.com/in/Jane-Doe?trk=x"]

    indexes = {blind_index("linkedin", normalise_linkedin_url(spelling)) for spelling in spellings}

    assert len(indexes) == 1


def test_percent_encoded_slug_is_decoded_and_lower_cased():
    raw = "https://www.linkedin.com/in/J%C3%A9r%C3%B4me-Dupont-4b2a1c/"

    url = normalise_linkedin_url(raw)

    assert url == "linkedin.com/in/jérôme-dupont-4b2a1c"
    assert normalise_linkedin_url("https://www.linkedin.com/in/jérôme-dupont-4b2a1c") == url


def test_legacy_public_profile_url_is_kept_in_its_own_canonical_form():
    raw = "http://fr.linkedin.com/pub/Jean-Dupont/12/3B4/567/"

    url = normalise_linkedin_url(raw)

    assert url == "linkedin.com/pub/jean-dupont/12/3b4/567"


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/sales/lead/ACwAAA1b2c3,NAME_SEARCH,xYz1",
        "https://www.linkedin.com/sales/people/ACwAAA1b2c3,name",
        "https://www.linkedin.com/talent/profile/AEMAAA1b2c3",
    ],
)
def test_prospecting_tool_links_are_refused_as_tool_data(raw):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_linkedin_url(raw)

    assert refused.value.field == "linkedin_url"
    assert "prospecting tool" in refused.value.message


@pytest.mark.parametrize(
    ("raw", "explanation"),
    [
        ("https://www.linkedin.com/company/acme/", "organisation"),
        ("https://www.linkedin.com/school/hec-paris/", "organisation"),
        ("https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000000/", "post"),
        ("https://www.linkedin.com/posts/jane-doe_api-activity-7100000000000000000-abcd", "post"),
        ("https://www.linkedin.com/pub/dir/Jean/Dupont", "not a person's profile"),
        ("https://www.linkedin.com/in/", "not a person's profile"),
        ("https://www.linkedin.com/", "not a person's profile"),
    ],
)
def test_linkedin_pages_other_than_a_profile_are_refused(raw, explanation):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_linkedin_url(raw)

    assert refused.value.field == "linkedin_url"
    assert explanation in refused.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "jane-doe",
        "https://www.example.com/in/jane-doe",
        "https://linkedin.com.example.com/in/jane-doe",
        "https://www.notlinkedin.com/in/jane-doe",
        "https://lnkd.in/abc123",
        "ftp://www.linkedin.com/in/jane-doe",
        "javascript://www.linkedin.com/in/jane-doe",
    ],
)
def test_addresses_outside_linkedin_are_refused(raw):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise_linkedin_url(raw)

    assert refused.value.field == "linkedin_url"
    assert "LinkedIn profile" in refused.value.message


@pytest.mark.parametrize("slug", ["jane%2Fdoe", "jane%20doe", "jane%25C3%25A9", "ab", "jane.doe"])
def test_slug_that_cannot_be_a_profile_name_is_refused(slug):
    raw = f"https://www.linkedin.com/in/{slug}/"

    with pytest.raises(InvalidIdentifier) as refused:
        normalise_linkedin_url(raw)

    assert refused.value.field == "linkedin_url"


# --- Blind index -------------------------------------------------------------------


def test_blind_index_is_the_hmac_sha256_of_kind_and_value(keys):
    expected = hmac.new(b"test-blind-index-key", b"email:jeanne@acme.fr", hashlib.sha256).hexdigest()

    index = blind_index("email", "jeanne@acme.fr")

    assert index == expected
    assert len(index) == 64


def test_blind_index_changes_with_the_key(keys):
    before = blind_index("phone", "+33612345678")

    keys.LOYAL_BLIND_INDEX_KEY = "another-key"
    after = blind_index("phone", "+33612345678")

    assert before != after


def test_same_text_under_two_kinds_gives_two_indexes(keys):
    value = "jane-doe"

    email_index, linkedin_index = blind_index("email", value), blind_index("linkedin", value)

    assert email_index != linkedin_index


def test_unknown_blind_index_kind_is_refused(keys):
    with pytest.raises(ValueError, match="Unknown blind index kind"):
        blind_index("postal", "1 rue de la Paix")


# --- Encryption at rest ------------------------------------------------------------


def test_encrypted_value_decrypts_to_the_original_and_does_not_contain_it(keys):
    email = "jeanne.martin@acme.fr"

    token = encrypt(email)

    assert "jeanne" not in token
    assert decrypt(token) == email


def test_encryption_is_randomised(keys):
    email = "jeanne.martin@acme.fr"

    first, second = encrypt(email), encrypt(email)

    assert first != second


def test_token_under_the_old_key_decrypts_after_a_new_key_is_prepended(keys):
    old_key = keys.LOYAL_ENCRYPTION_KEYS[0]
    token = encrypt("+33612345678")

    keys.LOYAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    plaintext = decrypt(token)

    assert plaintext == "+33612345678"


def test_rotated_token_decrypts_with_the_new_key_alone(keys):
    old_key, new_key = keys.LOYAL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    token = encrypt("+33612345678")
    keys.LOYAL_ENCRYPTION_KEYS = [new_key, old_key]

    rotated = rotate(token)

    keys.LOYAL_ENCRYPTION_KEYS = [new_key]
    assert decrypt(rotated) == "+33612345678"
    with pytest.raises(InvalidToken):
        decrypt(token)


def test_changed_keys_setting_is_used_at_once(keys):
    token = encrypt("+33612345678")

    keys.LOYAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(InvalidToken):
        decrypt(token)


@pytest.mark.parametrize("configured", [[], "", "a-single-key-as-a-string"])
def test_missing_encryption_keys_are_a_configuration_error(settings, configured):
    settings.LOYAL_ENCRYPTION_KEYS = configured

    with pytest.raises(ImproperlyConfigured):
        encrypt("+33612345678")


# --- EncryptedTextField ------------------------------------------------------------


def test_field_stores_a_token_and_gives_back_the_plaintext(keys):
    field = EncryptedTextField()

    stored = field.get_prep_value("jeanne.martin@acme.fr")

    assert stored != "jeanne.martin@acme.fr"
    assert decrypt(stored) == "jeanne.martin@acme.fr"
    assert field.from_db_value(stored, None, None) == "jeanne.martin@acme.fr"


@pytest.mark.parametrize("empty", [None, ""])
def test_field_leaves_none_and_empty_string_unencrypted(keys, empty):
    field = EncryptedTextField(null=True, blank=True)

    stored, loaded = field.get_prep_value(empty), field.from_db_value(empty, None, None)

    assert stored == empty
    assert loaded == empty


@pytest.mark.parametrize("lookup", ["exact", "iexact", "in", "contains", "icontains", "startswith", "gt"])
def test_field_refuses_lookups_that_would_compare_ciphertext(lookup):
    field = EncryptedTextField()
    field.set_attributes_from_name("email")

    with pytest.raises(FieldError, match="blind index"):
        field.get_lookup(lookup)


def test_field_refuses_transforms():
    field = EncryptedTextField()
    field.set_attributes_from_name("email")

    with pytest.raises(FieldError, match="blind index"):
        field.get_transform("lower")


def test_field_can_be_tested_for_null():
    field = EncryptedTextField(null=True)

    lookup = field.get_lookup("isnull")

    assert lookup is not None
    assert lookup.lookup_name == "isnull"


def test_field_deconstructs_for_migrations():
    field = EncryptedTextField(null=True, blank=True)
    field.set_attributes_from_name("email")

    name, path, args, kwargs = field.deconstruct()

    assert (name, path) == ("email", "prospects.identity.EncryptedTextField")
    assert kwargs == {"null": True, "blank": True}
    assert EncryptedTextField(*args, **kwargs).deconstruct()[1:] == (path, args, kwargs)
