"""Scanning every table for what would identify a person: the erasure and reduction tests share it."""

import contextlib
import json

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection, models

from prospects import identity
from prospects.models import Prospect


def columns_holding(needles: list[str], *, exclude: tuple[type[models.Model], ...] = ()) -> list[str]:
    """Every table.column of every model whose stored text, JSON or decrypted value contains a needle."""
    needles = [needle.lower() for needle in needles]
    hits = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model in exclude:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            columns = ", ".join(quote(f.column) for f in fields)
            cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608 (names from _meta)
            for row in cursor.fetchall():
                for field, value in zip(fields, row, strict=True):
                    if any(
                        needle in reading.lower() for reading in _readings(field, value) for needle in needles
                    ):
                        hits.add(f"{model._meta.db_table}.{field.column}")
    return sorted(hits)


def _readings(field: models.Field, value) -> list[str]:
    """The stored value as text, and what it means: decrypted, or JSON without escapes."""
    if value is None:
        return []
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    readings = [text]
    if isinstance(field, identity.EncryptedTextField) and text:
        with contextlib.suppress(InvalidToken):
            readings.append(identity.decrypt(text))
    if isinstance(field, models.JSONField) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            readings.append(json.dumps(json.loads(value), ensure_ascii=False))
    return readings


def references_to(pk: int) -> dict[str, int]:
    """Rows of every model whose link to Prospect still holds ``pk``, per model label."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Prospect:
                count = model._default_manager.filter(**{field.attname: pk}).count()
                if count:
                    found[model._meta.label] = count
    return found
