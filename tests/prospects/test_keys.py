"""Email and phone encrypted at rest, found through the blind index, and key rotation (docs/rules.md §6)."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospects import importing, keys, listing
from prospects.intake import ProspectData, update_prospect
from prospects.models import Prospect
from prospects.timeline import add_note, record_interaction
from tests import factories
from tests.factories import EVIDENCE

EMAIL = "jean.dupont@acme.fr"
PHONE = "+33612345678"
PLAINTEXTS = (EMAIL, PHONE, "0612345678", "06 12 34 56 78", "06.12.34.56.78", "612345678")
IMPORTED = (*PLAINTEXTS, "anne.martin@acme.fr", "+33698765432", "698765432", "06 98 76 54 32", "paul.durand@")


@pytest.fixture
def old_key(settings):
    key = Fernet.generate_key().decode()
    settings.LOYAL_ENCRYPTION_KEYS = [key]
    return key


@pytest.fixture
def jean(rep, old_key):
    """A prospect with an email and a phone, edited once, with a note and an interaction."""
    prospect = factories.prospect(by=rep, email="Jean.Dupont@ACME.fr", phone="06 12 34 56 78")
    data = ProspectData(
        first_name="Jean", last_name="Dupont", job_title="CFO", email=EMAIL, phone="06.12.34.56.78"
    )
    update_prospect(prospect, data, by=rep)
    add_note(prospect, text="Prefers to be called in the morning.", by=rep)
    record_interaction(prospect, type="email_reply", summary="Asked for a quote.", by=rep)
    return prospect


def prospect_tables() -> list[str]:
    return sorted(name for name in connection.introspection.table_names() if name.startswith("prospects_"))


def every_cell() -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null cell of every prospects_* table."""
    cells = []
    with connection.cursor() as cursor:
        for table in prospect_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                cells += [
                    (table, column, str(value))
                    for column, value in zip(columns, row, strict=True)
                    if value is not None
                ]
    return cells


def fernet_tokens() -> list[tuple[str, str, str]]:
    return [(table, column, value) for table, column, value in every_cell() if value.startswith("gAAAAA")]


def found_by(q: str) -> list[Prospect]:
    rows, _next = listing.page(listing.filtered(Prospect.objects.all(), listing.Filters(q=q)))
    return rows


# --- At rest ---------------------------------------------------------------------------


def test_no_prospect_table_holds_a_plaintext_email_or_phone(jean):
    cells = every_cell()

    leaks = [
        (table, column) for table, column, value in cells for text in PLAINTEXTS if text in value.lower()
    ]
    assert leaks == []
    assert {"prospects_prospect", "prospects_historicalprospect", "prospects_source"} <= {
        t for t, _c, _v in cells
    }


def test_no_prospect_table_holds_a_plaintext_email_or_phone_during_or_after_an_import(rep, jean, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "first,last,email,phone\n"
        "Anne,Martin,Anne.Martin@acme.fr,06 98 76 54 32\n"
        "Jean,Dupont,JEAN.DUPONT@acme.fr,06 12 34 56 78\n"
        "Paul,Durand,paul.durand@,+33 6 00\n"
    )
    job = importing.create_job(
        path=str(path),
        filename=path.name,
        source_type="broker",
        evidence=EVIDENCE["broker"],
        owner=rep,
        by=rep,
    )
    importing.inspect(job)
    importing.begin(
        job,
        mapping={"first_name": "first", "last_name": "last", "email": "email", "phone": "phone"},
        language="fr",
    )
    staged_tables, leaks = set(), []

    def scan(_job) -> None:
        cells = every_cell()
        staged_tables.update(table for table, _c, _v in cells if table.startswith("prospects_importstaging"))
        leaks.extend(
            (table, column) for table, column, value in cells for text in IMPORTED if text in value.lower()
        )

    importing.run(job, on_progress=scan)

    scan(job)
    assert staged_tables, "the scan ran while the staging table held the rows"
    assert leaks == []
    assert found_by("anne.martin@ACME.fr")[0].phone == "+33698765432"
    assert found_by("06 98 76 54 32")[0].email == "anne.martin@acme.fr"


def test_email_and_phone_columns_hold_tokens_of_the_current_key(jean, old_key):
    tokens = fernet_tokens()

    columns = {(table, column) for table, column, _value in tokens}
    assert {
        ("prospects_prospect", "email"),
        ("prospects_prospect", "phone"),
        ("prospects_historicalprospect", "email"),
        ("prospects_historicalprospect", "phone"),
    } <= columns
    assert {Fernet(old_key).decrypt(token.encode()).decode() for _t, _c, token in tokens} == {EMAIL, PHONE}


@pytest.mark.parametrize("q", [EMAIL, "JEAN.DUPONT@ACME.FR", "  Jean.Dupont@acme.fr "])
def test_prospect_is_found_by_email_in_any_case(jean, q):
    rows = found_by(q)

    assert rows == [jean]


@pytest.mark.parametrize("q", [PHONE, "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0612345678"])
def test_prospect_is_found_by_phone_in_any_format(jean, q):
    rows = found_by(q)

    assert rows == [jean]


def test_unknown_email_or_phone_finds_nobody(jean):
    by_email, by_phone = found_by("anne.martin@acme.fr"), found_by("06 98 76 54 32")

    assert by_email == []
    assert by_phone == []


def test_list_page_search_finds_the_prospect_by_email_and_phone(rep_client, jean):
    by_email = rep_client.get(reverse("prospects:list"), {"q": "JEAN.dupont@acme.FR"})
    by_phone = rep_client.get(reverse("prospects:list"), {"q": "06 12 34 56 78"})

    assert by_email.context["rows"] == [jean]
    assert by_phone.context["rows"] == [jean]


# --- Key rotation ----------------------------------------------------------------------


def test_rotation_re_encrypts_every_value_so_the_old_key_can_be_removed(settings, rep, jean, old_key):
    other = factories.prospect(by=rep, first_name="Anne", last_name="Martin", phone="+33 1 23 45 67 89")
    new_key = Fernet.generate_key().decode()
    settings.LOYAL_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_keys", chunk_size=2, stdout=None)

    settings.LOYAL_ENCRYPTION_KEYS = [new_key]
    tokens = fernet_tokens()
    assert {Fernet(new_key).decrypt(token.encode()).decode() for _t, _c, token in tokens} >= {EMAIL, PHONE}
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(tokens[0][2].encode())
    assert (Prospect.objects.get(pk=jean.pk).email, Prospect.objects.get(pk=jean.pk).phone) == (EMAIL, PHONE)
    assert Prospect.objects.get(pk=other.pk).phone == "+33123456789"
    assert {(v.email, v.phone) for v in jean.history.all()} == {(EMAIL, PHONE)}
    assert found_by("Jean.Dupont@acme.fr") == [jean]
    assert found_by("06 12 34 56 78") == [jean]


def test_rotation_leaves_no_history_and_no_edit_behind(settings, jean, old_key):
    versions = jean.history.count()
    updated_at = Prospect.objects.get(pk=jean.pk).updated_at
    settings.LOYAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    call_command("rotate_keys", stdout=None)

    assert jean.history.count() == versions
    assert Prospect.objects.get(pk=jean.pk).updated_at == updated_at


def test_rotation_covers_the_historical_tables(jean):
    tables = {model._meta.db_table: names for model, names in keys.encrypted_fields()}

    assert tables["prospects_prospect"] == ["email", "phone"]
    assert tables["prospects_historicalprospect"] == ["email", "phone"]


def test_rotation_costs_the_same_queries_whatever_the_rows_in_a_chunk(settings, rep, old_key):
    factories.prospect(by=rep, first_name="Anne", last_name="Martin")
    settings.LOYAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    with CaptureQueriesContext(connection) as few:
        keys.rotate_keys(chunk_size=100)
    for index in range(10):
        factories.prospect(by=rep, first_name=f"Paul{index}", last_name="Durand")

    with CaptureQueriesContext(connection) as many:
        rewritten = keys.rotate_keys(chunk_size=100)

    assert rewritten == 22  # 11 prospects and their 11 historical versions
    assert len(many) == len(few)
