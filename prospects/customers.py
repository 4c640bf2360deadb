"""Customers: the sale that makes a prospect one, what was sold, the end of the relationship.

These are the customer inputs of the gate and of retention (docs/rules.md §1.1
``customer_similar`` and ``ongoing_contract_related``, §2.1): a customer's clock starts when
the relationship ends. The soft opt-in's conditions have a Python form, for one prospect,
and a SQL form, for a campaign's recipients, side by side (``soft_opt_in`` /
``soft_opt_in_sql``, ``ongoing_contract`` / ``ongoing_contract_sql``);
tests/outreach/test_decisions.py checks they agree.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from prospects import retention
from prospects.models import ProductCategory, Prospect

# What the soft opt-in check found (docs/rules.md §1.1 customer_similar), first unmet fact first.
NOT_CUSTOMER = ""  # (1) no sale: the person is not a customer
SIMILAR = "ok"  # all four conditions of L34-5 al.4 hold
NO_SALE_CATEGORY = "no_sale_cat"  # (2) what was sold was never recorded
NO_OFFER_CATEGORY = "no_offer_cat"  # (2) the campaign declares no offer category
NOT_ANALOGOUS = "unrelated"  # (2) the offer is not analogous to what was sold
NO_OPT_OUT = "no_opt_out"  # (4) no record that a free refusal was offered at collection

CUSTOMER_FIELDS = (
    "is_customer",
    "customer_since",
    "customer_category",
    "customer_opt_out_offered",
    "customer_opt_out_offered_at",
    "customer_opt_out_evidence",
    "customer_relationship_ended_at",
)


def soft_opt_in(prospect: Prospect, *, analogous: frozenset[int] | None) -> str:
    """Which condition of L34-5 al.4 fails first for ``prospect``, or ``SIMILAR``.

    ``analogous``: the categories analogous to the offer, None when it declares none.
    (3) holds by construction: Loyal serves one organisation, the seller itself.
    """
    if not prospect.is_customer:
        return NOT_CUSTOMER
    if prospect.customer_category_id is None:
        return NO_SALE_CATEGORY
    if analogous is None:
        return NO_OFFER_CATEGORY
    if prospect.customer_category_id not in analogous:
        return NOT_ANALOGOUS
    if not prospect.customer_opt_out_offered:
        return NO_OPT_OUT
    return SIMILAR


def soft_opt_in_sql(analogous: frozenset[int] | None) -> Case:
    """SQL form of ``soft_opt_in``, the same checks in the same order."""
    whens = [
        When(is_customer=False, then=Value(NOT_CUSTOMER)),
        When(customer_category__isnull=True, then=Value(NO_SALE_CATEGORY)),
    ]
    if analogous is None:
        return Case(*whens, default=Value(NO_OFFER_CATEGORY), output_field=CharField())
    whens += [
        When(~Q(customer_category__in=sorted(analogous)), then=Value(NOT_ANALOGOUS)),
        When(customer_opt_out_offered=False, then=Value(NO_OPT_OUT)),
    ]
    return Case(*whens, default=Value(SIMILAR), output_field=CharField())


def ongoing_contract(prospect: Prospect, *, analogous: frozenset[int] | None, today: date) -> bool:
    """C. conso L223-1 al.4: a contract in progress, the offer related to its subject."""
    running = (
        prospect.customer_relationship_ended_at is None or prospect.customer_relationship_ended_at >= today
    )
    return bool(
        prospect.is_customer
        and running
        and analogous is not None
        and prospect.customer_category_id in analogous
    )


def ongoing_contract_sql(analogous: frozenset[int] | None, *, today: date) -> Q:
    """SQL form of ``ongoing_contract``."""
    if analogous is None:
        return Q(pk__in=[])
    running = Q(customer_relationship_ended_at__isnull=True) | Q(customer_relationship_ended_at__gte=today)
    return Q(is_customer=True, customer_category__in=sorted(analogous)) & running


# --- Changes -------------------------------------------------------------------------------


def _check(values: dict, *, today: date) -> dict:
    errors = {}
    for name in ("customer_since", "customer_opt_out_offered_at", "customer_relationship_ended_at"):
        if values.get(name) is not None and values[name] > today:
            errors[name] = [_("This date cannot be in the future.")]
    since, ended = values.get("customer_since"), values.get("customer_relationship_ended_at")
    if since is not None and ended is not None and ended < since:
        errors["customer_relationship_ended_at"] = [
            _("The relationship cannot end before the customer's first sale.")
        ]
    if not values.get("is_customer") and any(
        values.get(name) not in (None, False, "") for name in CUSTOMER_FIELDS if name != "is_customer"
    ):
        errors["is_customer"] = [_("Only a customer has a sale, a category or an end of relationship.")]
    if values.get("customer_opt_out_offered_at") and not values.get("customer_opt_out_offered"):
        errors["customer_opt_out_offered"] = [_("A date of the refusal offered needs the refusal offered.")]
    category = values.get("customer_category")
    if category is not None and not isinstance(category, ProductCategory):
        errors["customer_category"] = [_("Choose one of the product or service categories.")]
    return errors


@transaction.atomic
def update_customer(prospect: Prospect, *, by, reason: str = "customer status", **changes) -> Prospect:
    """Set the customer fields named in ``changes``; the retention clock follows the end (§2.1).

    Ending the relationship starts the customer clock: kept 3 years after it (CNIL [S10]).
    """
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Not a customer field.")] for name in sorted(unknown)})
    locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
    values = {name: getattr(locked, name) for name in CUSTOMER_FIELDS} | changes
    if changes.get("is_customer") is False:
        values = {name: None for name in CUSTOMER_FIELDS} | {
            "is_customer": False,
            "customer_opt_out_offered": False,
            "customer_opt_out_evidence": "",
        }
    values["customer_opt_out_evidence"] = (values.get("customer_opt_out_evidence") or "").strip()
    errors = _check(values, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    ended_before = locked.customer_relationship_ended_at
    for name, value in values.items():
        setattr(locked, name, value)
    ended = locked.customer_relationship_ended_at
    if ended is not None and ended != ended_before:
        # §2.1: the customer clock runs 3 years from the end; nothing else here moves retention.
        locked.retention_until = max(
            locked.retention_until, ended + relativedelta(years=retention.customer_years())
        )
    locked._history_user = by
    locked._change_reason = reason
    locked.save(update_fields=[*CUSTOMER_FIELDS, "retention_until", "updated_at"])
    for name in (*CUSTOMER_FIELDS, "retention_until"):
        setattr(prospect, name, getattr(locked, name))
    return prospect


def become_customer(prospect: Prospect, *, since: date, category: ProductCategory | None, by) -> Prospect:
    """A won stage, an order or a signed contract: a customer from that date (an earlier sale stays)."""
    changes = {"is_customer": True, "customer_relationship_ended_at": None}
    if not prospect.is_customer or prospect.customer_since is None or prospect.customer_since > since:
        changes["customer_since"] = since
    if category is not None:
        changes["customer_category"] = category
    return update_customer(prospect, by=by, reason="became a customer", **changes)


def end_relationship(prospect: Prospect, *, on: date, by) -> Prospect:
    if not prospect.is_customer:
        raise ValidationError({"customer_relationship_ended_at": [_("This prospect is not a customer.")]})
    return update_customer(prospect, by=by, reason="relationship ended", customer_relationship_ended_at=on)
