"""The import case's baseline: COPY of rows prepared before the timer, plus the minimal crypto."""

import pytest

from bench import database
from bench import importing as case
from prospects.identity import blind_index, decrypt

pytestmark = pytest.mark.slow


def test_the_minimal_crypto_encrypts_and_indexes_each_identifier_and_nothing_else():
    prepared = [
        (
            0,
            "Léa",
            "Martin",
            "CFO",
            "Company 0",
            "lea.martin@company0.fr",
            "+33600000000",
            "linkedin.com/in/x-0",
            "b2b",
        ),
        (1, "Hugo", "Petit", "", "", "", "", "linkedin.com/in/hugo-1", "b2b_nominative"),
    ]

    first, second = case.minimal_crypto(prepared)

    (
        n,
        first_name,
        last_name,
        title,
        company,
        email,
        email_index,
        phone,
        phone_index,
        linkedin,
        linkedin_index,
        audience,
    ) = first
    assert (n, first_name, last_name, title, company, linkedin, audience) == (
        0, "Léa", "Martin", "CFO", "Company 0", "linkedin.com/in/x-0", "b2b"
    )  # fmt: skip
    assert decrypt(email) == "lea.martin@company0.fr" and decrypt(phone) == "+33600000000"
    assert email_index == blind_index("email", "lea.martin@company0.fr")
    assert phone_index == blind_index("phone", "+33600000000")
    assert linkedin_index == blind_index("linkedin", "linkedin.com/in/x-0")
    assert second[5:10] == ("", None, "", None, "linkedin.com/in/hugo-1")


@pytest.mark.django_db(transaction=True)
def test_the_case_times_both_sides_on_the_same_file_and_they_load_the_same_prospects():
    with database.throwaway():
        result = case.run(120)  # raises if the two sides loaded different numbers of prospects

    assert result.ours_seconds > 0 and result.raw_seconds > 0
    assert result.target == case.TARGET == 3
