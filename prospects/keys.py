"""Rotation of the keys that encrypt personal data at rest (docs/rules.md §6: documented rotation).

``LOYAL_ENCRYPTION_KEYS`` lists Fernet keys newest first: the first one encrypts, every
one decrypts. To rotate: put a new key first, run ``manage.py rotate_keys``, then remove
the old key. The rotation rewrites every ``EncryptedTextField`` value of every model,
django-simple-history's historical copies included, so that no row still needs the
old key once it is gone.
"""

from django.apps import apps
from django.db import models, transaction

from prospects.identity import EncryptedTextField

CHUNK_SIZE = 1000


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted columns, and the names of those columns."""
    found = []
    for model in apps.get_models():
        names = [
            field.attname for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)
        ]
        if names and model._meta.managed and not model._meta.proxy:
            found.append((model, names))
    return found


def rotate_keys(*, chunk_size: int = CHUNK_SIZE) -> int:
    """Re-encrypt every encrypted value under the current (first) key; returns the rows rewritten."""
    return sum(_rotate(model, names, chunk_size=chunk_size) for model, names in encrypted_fields())


def _rotate(model: type[models.Model], names: list[str], *, chunk_size: int) -> int:
    """Chunk by chunk in primary-key order: two queries per chunk, one transaction each."""
    manager = model._base_manager
    rewritten, after = 0, None
    while True:
        with transaction.atomic():
            rows = manager.order_by("pk").select_for_update()
            if after is not None:
                rows = rows.filter(pk__gt=after)
            # Values are decrypted on the way out and encrypted under the first key on
            # the way back; the row lock keeps a concurrent edit from being overwritten.
            batch = [
                model(pk=pk, **dict(zip(names, values, strict=True)))
                for pk, *values in rows.values_list("pk", *names)[:chunk_size]
            ]
            if not batch:
                return rewritten
            manager.bulk_update(batch, names)
        rewritten += len(batch)
        after = batch[-1].pk
