"""Issue 19: element ids are unique on every page as each role sees it, its htmx panels loaded (a
label must focus its own field, an error summary's link its own input); and every POST form met
on the way is in the table of tests/browser/form_table.py, so that a new form is tested too."""

import pytest

from tests.browser.form_table import NOT_YET, NOTHING_TYPED, TYPED
from tests.crm.crawl import crawl
from tests.crm.test_access_matrix import resolver_routes

pytestmark = pytest.mark.slow


def test_no_page_repeats_an_element_id_and_every_post_form_is_in_the_form_table(db, tmp_path):
    pages = crawl(tmp_path)

    repeated = {
        f"{page.role} {page.url}": sorted(name for name, count in page.ids.items() if count > 1)
        for page in pages
    }
    forms = {name: page.url for page in pages for name in page.post_forms}
    placed = {*TYPED, *NOTHING_TYPED, *NOT_YET}
    assert len(pages) > 60, "the crawl read too few pages to mean anything"
    assert {where: names for where, names in repeated.items() if names} == {}
    assert {name: url for name, url in forms.items() if name not in placed} == {}, (
        "a POST form missing from tests/browser/form_table.py"
    )
    assert not set(TYPED) & set(NOTHING_TYPED) | set(TYPED) & set(NOT_YET)


@pytest.mark.parametrize("name", sorted({*TYPED, *NOTHING_TYPED, *NOT_YET}))
def test_each_form_of_the_table_names_a_route(name):
    assert name in {route.name for route in resolver_routes().values()}, f"{name} is no route's name"
