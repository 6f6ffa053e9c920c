"""GET /api/v1/announcements: the caller's announcements in the envelope, paged; listing marks
none read; the sender's read counts show to the sender only; nobody signed in is refused."""

from fastapi.testclient import TestClient

from tests.test_api_v1 import as_user, assert_error, assert_success, client, host, schools  # noqa: F401 (fixtures)

KEYS = {"id", "title", "body", "audience", "author", "posted", "attachment", "unread", "reads", "recipients"}


def test_the_callers_announcements_in_the_envelope(client: TestClient, schools) -> None:  # noqa: F811
    school_a, school_b = schools
    for role in ("parent", "teacher", "student", "staff", "school_admin"):
        body = client.get("/api/v1/announcements", headers=as_user(client, school_a, role)).json()
        assert_success(body, listing=True)
        assert body["meta"]["total"] == len(body["data"]) >= 1
        assert all(set(row) == KEYS for row in body["data"])
        assert "Sports day" in {row["title"] for row in body["data"]}  # the demo's notice to the whole school
    parent = client.get("/api/v1/announcements", headers=as_user(client, school_a, "parent")).json()["data"]
    assert all(row["reads"] == 0 and row["recipients"] == 0 for row in parent)  # counts are the sender's
    again = client.get("/api/v1/announcements", headers=as_user(client, school_a, "parent")).json()["data"]
    assert [row["unread"] for row in again] == [row["unread"] for row in parent]  # listing marked nothing read
    admin = client.get("/api/v1/announcements?per_page=1", headers=as_user(client, school_a, "school_admin")).json()
    assert len(admin["data"]) == 1 and admin["meta"]["per_page"] == 1 and admin["data"][0]["recipients"] > 0
    other = client.get("/api/v1/announcements", headers=as_user(client, school_b, "school_admin")).json()["data"]
    assert not {row["id"] for row in other} & {row["id"] for row in parent}


def test_nobody_signed_in_is_refused(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    assert_error(client.get("/api/v1/announcements", headers=host(school_a)), 401, "UNAUTHORIZED")
