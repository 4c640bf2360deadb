"""Versions of the register: one per change of its declared content, signed off by the DPO.

Art. 30(3)-(4): the record is kept in writing and shown to the CNIL on request; a version
history with sign-offs shows who approved which state of it, and when. Art. 5(2), 24: the
DPO signs off a register that documents what only the organisation can attest (its LIA and
DPIA references, its Art. 28 contracts), so a sign-off waits until none is missing.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import records
from registry.models import RegisterVersion


def digest(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(content: dict) -> RegisterVersion:
    """The version holding ``content``: the latest one, or a new one if the content changed."""
    sha = digest(content)
    latest = RegisterVersion.objects.order_by("-number").first()
    if latest is not None and latest.sha256 == sha:
        return latest
    try:
        with transaction.atomic():
            number = (latest.number if latest else 0) + 1
            return RegisterVersion.objects.create(number=number, content=content, sha256=sha)
    except IntegrityError:
        # Another process recorded a version at the same moment: the newest one wins.
        return RegisterVersion.objects.order_by("-number").first()


def sign_off(version: RegisterVersion, *, by) -> RegisterVersion:
    """The DPO approves the current version of the register, once no attested fact is missing.

    The error lists every missing fact, activity by activity.
    """
    missing = records.missing_facts()
    if missing:
        raise ValidationError(records.describe_missing(missing))
    with transaction.atomic():
        locked = RegisterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_signed:
            raise ValidationError(_("Version %(number)s is already signed off.") % {"number": locked.number})
        if RegisterVersion.objects.filter(number__gt=locked.number).exists():
            raise ValidationError(_("Only the current version of the register can be signed off."))
        locked.signed_by = by
        locked.signed_at = timezone.now()
        locked.save(update_fields=["signed_by", "signed_at"])
    return locked


def last_signed() -> RegisterVersion | None:
    return RegisterVersion.objects.filter(signed_at__isnull=False).order_by("-number").first()


@dataclass(frozen=True)
class Change:
    where: str  # the activity's name, or the controller
    field: str
    before: str
    after: str


def changes(
    before: RegisterVersion | None, after: RegisterVersion, *, language: str, labels: dict
) -> list[Change]:
    """What differs between two versions, field by field, in ``language``; ``labels`` names the fields."""
    old = _flatten(before.content[language]) if before else {}
    new = _flatten(after.content[language])
    names = {**_names(before.content[language] if before else {}), **_names(after.content[language])}
    names["controller"] = labels.get("controller.name", "controller")
    return [
        Change(
            names.get(code, code),
            labels.get(field, field),
            old.get((code, field), ""),
            new.get((code, field), ""),
        )
        for code, field in sorted(old.keys() | new.keys())
        if old.get((code, field)) != new.get((code, field))
    ]


def _names(register: dict) -> dict[str, str]:
    return {activity["code"]: activity["name"] for activity in register.get("activities", [])}


def _flatten(register: dict) -> dict[tuple[str, str], str]:
    flat = {
        ("controller", f"controller.{name}"): _text(value) for name, value in register["controller"].items()
    }
    for activity in register["activities"]:
        flat.update(
            {(activity["code"], name): _text(value) for name, value in activity.items() if name != "code"}
        )
    return flat


def _text(value) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


def activity_updates() -> dict[str, datetime]:
    """When each activity last changed: the first version of its current wording (CNIL model)."""
    versions = list(RegisterVersion.objects.order_by("-number").only("content", "created_at"))
    if not versions:
        return {}
    fiches = [_activities_of(version) for version in versions]
    updated = {}
    for code, fiche in fiches[0].items():
        updated[code] = versions[0].created_at
        for older, older_fiches in zip(versions[1:], fiches[1:], strict=True):
            if older_fiches.get(code) != fiche:
                break
            updated[code] = older.created_at
    return updated


def _activities_of(version: RegisterVersion) -> dict[str, tuple]:
    by_language = [
        {a["code"]: a for a in version.content[lang]["activities"]} for lang in sorted(version.content)
    ]
    codes = set().union(*by_language)
    return {code: tuple(activities.get(code) for activities in by_language) for code in codes}
