"""Loading the user of a request: roles and code-of-conduct state come with the user's row."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org import conduct
from org.roles import Role


def _queries_of(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_request_reads_the_roles_and_the_conduct_state_with_the_user(client, rep):
    client.force_login(rep)

    queries = _queries_of(client, "/api/me/")

    users = [sql for sql in queries if '"auth_user"' in sql]
    assert len(users) == 1
    assert "auth_group" in users[0] and "org_codeofconduct" in users[0]
    assert not [sql for sql in queries if "auth_group" in sql and sql not in users]
    assert not [sql for sql in queries if "org_codeofconduct" in sql and sql not in users]


def test_a_role_taken_away_counts_from_the_next_request(client, rep):
    client.force_login(rep)
    assert client.get("/api/me/").json()["roles"] == [Role.SALES]

    rep.groups.remove(Group.objects.get(name=Role.SALES))

    assert client.get("/api/me/").json()["roles"] == []


def test_a_new_code_stops_a_rep_at_the_next_request(client, rep, admin_user):
    client.force_login(rep)
    assert client.get("/api/me/").status_code == 200

    conduct.publish(text_en="Be fair.", text_fr="Soyez loyal.", by=admin_user)

    response = client.get("/api/me/")
    assert response.status_code == 403
    assert "code of conduct" in response.json()["detail"]


def test_an_acknowledged_code_lets_the_rep_through_again(client, rep, admin_user):
    current = conduct.publish(text_en="Be fair.", text_fr="Soyez loyal.", by=admin_user)
    client.force_login(rep)
    assert client.get("/api/me/").status_code == 403

    conduct.acknowledge(rep, conduct=current)

    assert client.get("/api/me/").status_code == 200


def test_an_inactive_user_is_logged_out(client, rep):
    client.force_login(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])

    response = client.get("/api/me/")

    assert response.status_code == 403
