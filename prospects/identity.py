"""Who a prospect is: normalised identifiers, their keyed blind index, and encryption at rest.

An email, phone number or LinkedIn profile URL is normalised once, here, so that
every way of writing the same identifier gives the same blind index. The blind
index is what lookups, de-duplication and the suppression list compare
(docs/rules.md §2.3: a keyed hash of the normalised identifier); the value itself is
stored encrypted (docs/rules.md §6: encrypted at rest, documented key rotation).
"""

import functools
import hashlib
import hmac
import re
import unicodedata
from urllib.parse import SplitResult, unquote, urlsplit

import phonenumbers
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext as _

BLIND_INDEX_KINDS = frozenset({"email", "phone", "linkedin"})


class InvalidIdentifier(ValueError):
    """An identifier that cannot be normalised; names the field and the rule it breaks."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- Email -------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """Trim and lower-case the whole address, then validate it.

    docs/rules.md §2.3 keys the suppression list on the lower-cased email: the local part
    is case-sensitive in theory only, and two spellings must never escape a block.
    """
    email = (value or "").strip().lower()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise InvalidIdentifier(
            "email", _("Enter a valid email address, such as name@company.com.")
        ) from None
    return email


# --- Phone -------------------------------------------------------------------------


def normalise_phone(value: str, *, region: str = "FR") -> str:
    """Return the number in E.164 (``+33612345678``); national numbers are read in ``region``."""
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"Unknown phone region {region!r}.")
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(
            "phone", _("Enter a valid phone number, such as 06 12 34 56 78 or +33 6 12 34 56 78.")
        )
    if number.extension:
        # E.164 has no extension: keeping it would need another field, dropping it
        # would silently lose what the user typed.
        raise InvalidIdentifier("phone", _("Enter the phone number without an extension."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- LinkedIn ----------------------------------------------------------------------

# www, mobile and the two-letter country subdomains (fr., uk., de.) all serve profiles.
_LINKEDIN_HOST = re.compile(r"^(?:(?:www|m|[a-z]{2})\.)?linkedin\.com$")
# LinkedIn profile addresses: 3 to 100 letters, digits or hyphens; older generated
# ones also hold accented letters, hence \w rather than [a-z0-9].
_PROFILE_SLUG = re.compile(r"^[\w-]{3,100}$")
# Profile URLs from before 2013: /pub/<name>/<three hex groups>; /pub/dir/ is a search page.
_LEGACY_PUB_PATH = re.compile(r"^pub/(?!dir/)([\w-]{2,100})/([0-9a-f]{1,3})/([0-9a-f]{1,3})/([0-9a-f]{1,3})$")
# Paths that come from a prospecting tool rather than from a person's public profile.
_TOOL_PATHS = frozenset({"sales", "talent", "recruiter"})
_ORGANISATION_PATHS = frozenset({"company", "school", "showcase", "groups"})
_POST_PATHS = frozenset({"feed", "posts", "pulse", "events"})


def normalise_linkedin_url(value: str) -> str:
    """Return ``linkedin.com/in/<slug>`` for any spelling of a member's public profile URL.

    docs/rules.md §1 (LinkedIn sources): only the profile URL is kept, never fields read off
    a tool. Sales Navigator and Recruiter links identify a lead inside a prospecting
    tool (CNIL, KASPR 2024), so they are refused rather than converted.
    """
    parts = _split_url(value)
    segments = [unicodedata.normalize("NFC", unquote(part)).lower() for part in parts.path.split("/") if part]
    if segments[:1] == ["mwlite"]:  # LinkedIn Lite, the mobile site for slow networks.
        segments = segments[1:]
    if segments[:1] == ["in"] and len(segments) >= 2:
        # Later segments (/details/experience, /recent-activity) are pages of the same profile.
        return f"linkedin.com/in/{_profile_slug(segments[1])}"
    legacy = _LEGACY_PUB_PATH.match("/".join(segments[:5]))
    if legacy:
        # Kept in its own form: the mapping from /pub/ to /in/ is LinkedIn's, not published.
        return "linkedin.com/pub/" + "/".join(legacy.groups())
    raise InvalidIdentifier("linkedin_url", _not_a_profile_message(segments[:1]))


def _split_url(value: str) -> SplitResult:
    """Split ``value`` as a URL and check that it points at linkedin.com over http(s)."""
    text = (value or "").strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # An unclosed "[" (an IPv6 host), or a character NFKC reads as "/", "?" or "@".
        parts = urlsplit("")
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in ("http", "https") or not _LINKEDIN_HOST.match(host):
        raise InvalidIdentifier(
            "linkedin_url",
            _("Enter the address of a LinkedIn profile, such as https://www.linkedin.com/in/jane-doe."),
        )
    return parts


def _profile_slug(slug: str) -> str:
    """Refuse a (decoded, lower-cased) slug that cannot be a profile name."""
    if not _PROFILE_SLUG.match(slug):
        raise InvalidIdentifier(
            "linkedin_url",
            _("This LinkedIn address does not end with a profile name, such as /in/jane-doe."),
        )
    return slug


def _not_a_profile_message(first_segment: list[str]) -> str:
    head = first_segment[0] if first_segment else ""
    if head in _TOOL_PATHS:
        return _(
            "This link comes from a prospecting tool (Sales Navigator or Recruiter). "
            "Open the person's public profile and copy its address (linkedin.com/in/…)."
        )
    if head in _ORGANISATION_PATHS:
        return _("This is an organisation's page, not a person's profile (linkedin.com/in/…).")
    if head in _POST_PATHS:
        return _("This is a post or an event, not a person's profile (linkedin.com/in/…).")
    return _("This LinkedIn address is not a person's profile (linkedin.com/in/…).")


# --- The three together ------------------------------------------------------------

# A prospect's identifiers: the field that holds each, its blind-index kind, its normaliser.
IDENTIFIERS = (
    ("email", "email", normalise_email),
    ("phone", "phone", lambda value: normalise_phone(value, region=settings.LOYAL_PHONE_REGION)),
    ("linkedin_url", "linkedin", normalise_linkedin_url),
)
# The blind-index column of each: what lookups, de-duplication and the suppression list read.
INDEX_COLUMNS = tuple(f"{kind}_index" for _field, kind, _normalise in IDENTIFIERS)


def normalise_identifiers(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, InvalidIdentifier]]:
    """The normalised email, phone and LinkedIn URL of ``raw`` ("" when absent), and each error.

    Forms, the API and file imports all read identifiers through here, so that a value
    accepted one way in is accepted, and indexed, the same way by every other.
    """
    normalised, errors = {}, {}
    for field, _kind, normalise in IDENTIFIERS:
        value = (raw.get(field) or "").strip()
        try:
            normalised[field] = normalise(value) if value else ""
        except InvalidIdentifier as error:
            normalised[field] = ""
            errors[field] = error
    return normalised, errors


def indexes_of(normalised: dict[str, str]) -> dict[str, str | None]:
    """The blind indexes of normalised identifiers, by column: ``email_index``, ``phone_index``..."""
    return {
        f"{kind}_index": blind_index(kind, normalised[field]) if normalised.get(field) else None
        for field, kind, _normalise in IDENTIFIERS
    }


# --- Blind index -------------------------------------------------------------------


def blind_index(kind: str, normalised: str) -> str:
    """HMAC-SHA-256 of ``kind:normalised`` under the blind-index key, as 64 hex characters.

    docs/rules.md §2.3: keyed, not a bare SHA-256, because emails and phone numbers are
    guessable from a dictionary. The kind prefix keeps an email and a LinkedIn slug
    that happen to be equal from sharing an index. The result is still pseudonymised
    personal data (Recital 26) and is listed in the Art. 30 record.
    """
    if kind not in BLIND_INDEX_KINDS:
        raise ValueError(f"Unknown blind index kind {kind!r}; expected one of {sorted(BLIND_INDEX_KINDS)}.")
    key = settings.LOYAL_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("LOYAL_BLIND_INDEX_KEY must be set.")
    message = f"{kind}:{normalised}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


# --- Encryption at rest ------------------------------------------------------------


def encrypt(value: str) -> str:
    """Encrypt under the current (first) key of ``LOYAL_ENCRYPTION_KEYS``."""
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token made under any configured key; raises ``cryptography.fernet.InvalidToken``."""
    return _cipher().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the current key, so that older keys can be retired (docs/rules.md §6)."""
    return _cipher().rotate(token.encode()).decode()


def _cipher() -> MultiFernet:
    keys = settings.LOYAL_ENCRYPTION_KEYS
    if isinstance(keys, str) or not keys:
        raise ImproperlyConfigured("LOYAL_ENCRYPTION_KEYS must be a non-empty list of Fernet keys.")
    # Keyed on the list itself, so that changing the setting (key rotation, tests)
    # builds a new MultiFernet instead of reusing a stale one.
    return _multi_fernet(tuple(keys))


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and seen as plaintext in Python.

    Encryption is randomised, so the database cannot compare values: a lookup
    other than ``isnull`` would silently match nothing. Find rows through the
    blind index column instead.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(self._lookup_refused(lookup_name))

    def get_transform(self, lookup_name: str):
        raise FieldError(self._lookup_refused(lookup_name))

    def _lookup_refused(self, lookup_name: str) -> str:
        model = getattr(self, "model", None)
        where = f"{model.__name__}.{self.name}" if model else (self.name or "This field")
        return (
            f"{where} is encrypted and cannot be queried with '__{lookup_name}'; "
            "look it up through its blind index (prospects.identity.blind_index), or use '__isnull'."
        )


# --- Many at a time: file imports ----------------------------------------------------
#
# A file of a million rows calls the functions above a million times each; the helpers
# below give the same results with the per-call work hoisted out of the loop. Each fast
# path only ever *accepts*: a value it cannot vouch for goes to the function above, which
# decides and words the error, so a value is accepted, and normalised, exactly as
# ``normalise_identifiers`` would.


class Normaliser:
    """``normalise_identifiers`` for a stream of rows, with fast paths for the usual spellings."""

    # The validator's own expressions, compiled once (EmailValidator compiles them lazily
    # and is built anew by each normalise_email call).
    _USER = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    _DOMAIN = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    # https://www.linkedin.com/in/<slug>, the spelling profiles are copied in; anything
    # else (country subdomains, /pub/, query strings, escapes) takes normalise_linkedin_url.
    _PROFILE = re.compile(r"(?:https?://)?(?:www\.)?linkedin\.com/in/([A-Za-z0-9-]{3,100})/?", re.ASCII)

    def __init__(self, region: str | None = None) -> None:
        self.region = (region or settings.LOYAL_PHONE_REGION).upper()
        self._national = _NationalNumbers.of(self.region)

    def identifiers(self, email: str, phone: str, linkedin_url: str) -> tuple[str, str, str, str | None]:
        """The three normalised (each "" when empty), and the first malformed field or None."""
        email, phone, linkedin_url = email.strip(), phone.strip(), linkedin_url.strip()
        try:
            field = "email"
            email = self.email(email) if email else ""
            field = "phone"
            phone = self.phone(phone) if phone else ""
            field = "linkedin_url"
            linkedin_url = self.linkedin_url(linkedin_url) if linkedin_url else ""
        except InvalidIdentifier:
            return "", "", "", field
        return email, phone, linkedin_url, None

    def email(self, value: str) -> str:
        email = value.strip().lower()
        user, at, domain = email.rpartition("@")
        if at and len(email) <= 320 and self._USER.match(user) and self._DOMAIN.match(domain):
            return email  # what EmailValidator accepts first; the rest it decides below
        return normalise_email(value)

    def phone(self, value: str) -> str:
        if self._national is not None:
            found = self._national.e164(value.strip())
            if found is not None:
                return found
        return normalise_phone(value, region=self.region)

    def linkedin_url(self, value: str) -> str:
        found = self._PROFILE.fullmatch(value.strip())
        if found:
            return f"linkedin.com/in/{found[1].lower()}"
        return normalise_linkedin_url(value)


class _NationalNumbers:
    """E.164 of the plain spellings of a region's numbers (``06 12 34 56 78``, ``+33612345678``).

    Only for a region whose national prefix is a plain ``0`` and whose country code is its
    own (France, Germany, Belgium...). A value of that shape is what ``phonenumbers.parse``
    reads as the country code and the digits after the ``0``; its validity is decided by the
    region's patterns, compiled once, in the order and with the length rules of
    ``phonenumbers``' number type check. Anything else returns None: not an error, only
    "ask normalise_phone".
    """

    _TYPES = (
        "premium_rate",
        "toll_free",
        "shared_cost",
        "voip",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
        "fixed_line",
        "mobile",
    )

    def __init__(self, country_code: int, metadata) -> None:
        self.prefix = f"+{country_code}"
        self.shape = re.compile(rf"(?:\+{country_code} ?|0)([1-9](?:[ .-]?[0-9]){{1,16}})", re.ASCII)
        self.general = self._desc(metadata.general_desc)
        self.types = [desc for desc in map(self._desc, (getattr(metadata, n) for n in self._TYPES)) if desc]

    @classmethod
    @functools.lru_cache(maxsize=8)
    def of(cls, region: str) -> "_NationalNumbers | None":
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.national_prefix != "0":
            return None
        if metadata.national_prefix_for_parsing != "0" or metadata.national_prefix_transform_rule:
            return None
        if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code) != (region,):
            return None
        return cls(metadata.country_code, metadata)

    @staticmethod
    def _desc(desc) -> tuple[frozenset[int], re.Pattern] | None:
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)

    def e164(self, value: str) -> str | None:
        shaped = self.shape.fullmatch(value)
        if not shaped:
            return None
        digits = shaped[1].replace(" ", "").replace(".", "").replace("-", "")
        if self._valid(digits):
            return self.prefix + digits
        return None

    def _valid(self, digits: str) -> bool:
        size = len(digits)
        lengths, pattern = self.general or (frozenset(), None)
        if pattern is None or (lengths and size not in lengths) or not pattern.fullmatch(digits):
            return False
        return any(
            (not lengths or size in lengths) and pattern.fullmatch(digits) for lengths, pattern in self.types
        )


def blind_indexes(kind: str, values: list[str]) -> list[str | None]:
    """``blind_index`` of each normalised value, None for an empty one."""
    if kind not in BLIND_INDEX_KINDS:
        raise ValueError(f"Unknown blind index kind {kind!r}; expected one of {sorted(BLIND_INDEX_KINDS)}.")
    key = settings.LOYAL_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("LOYAL_BLIND_INDEX_KEY must be set.")
    key, prefix, digest = key.encode(), f"{kind}:".encode(), hmac.digest
    return [digest(key, prefix + value.encode(), "sha256").hex() if value else None for value in values]


def encrypt_many(values: list[str]) -> list[str]:
    """``encrypt`` of each value, "" for an empty one: Fernet tokens under the current key.

    The library's own Fernet (its MultiFernet encrypts under the first key), looked up once
    for the chunk: encryption is never assembled by hand here, however much faster a
    batched block cipher would be.
    """
    cipher = _cipher()
    return [cipher.encrypt(value.encode()).decode() if value else "" for value in values]
