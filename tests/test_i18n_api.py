"""The API answers in the language the client asks for (Accept-Language), and says which
(Content-Language); the services' messages come out in the request's language.

The tests that compare with a Shona or Ndebele text need the catalogues to hold it: they pass
once the i18n fragments are merged into oneclass/locales (`_shona` says so when they do not)."""

import pytest
from fastapi.testclient import TestClient

from oneclass import i18n, validation
from oneclass.api import build_api
from oneclass.i18n import N_
from oneclass.security import password_problem
from tests.conftest import TEST_PASSWORD, SchoolFixture, fresh_ip


@pytest.fixture
def client() -> TestClient:
    return TestClient(build_api(), client=(fresh_ip(), 50000))


def _in(language: str, message: str) -> str:
    """`message` as the catalogue of `language` has it; it must be translated there."""
    with i18n.language(language):
        translated = i18n.gettext(message)
    assert translated != message, f"the {language} catalogue does not translate {message!r} yet (merge the fragments)"
    return translated


def _host(school: SchoolFixture) -> dict[str, str]:
    return {"Host": f"{school.subdomain}.localhost:3000"}


@pytest.mark.parametrize(
    ("header", "language"),
    [("sn", "sn"), ("nd-ZW, en;q=0.5", "nd"), ("fr, sn;q=0.8", "sn"), ("fr", "en"), ("", "en")],
)
def test_the_answer_says_its_language(client: TestClient, header: str, language: str) -> None:
    response = client.get("/health", headers={"Accept-Language": header} if header else {})
    assert response.headers["Content-Language"] == language


def test_an_english_request_is_answered_in_english(client: TestClient) -> None:
    response = client.get("/api/v1/school", headers={"Host": "no-such-school.localhost:3000"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No school is served at this address."


def test_a_refusal_of_the_api_is_in_shona(client: TestClient) -> None:
    response = client.get("/api/v1/school", headers={"Host": "no-such-school.localhost:3000", "Accept-Language": "sn"})
    assert response.status_code == 404
    assert response.headers["Content-Language"] == "sn"
    assert response.json()["error"]["message"] == _in("sn", "No school is served at this address.")


def test_a_service_refusal_is_in_the_requests_language(client: TestClient, two_schools) -> None:
    school, _other = two_schools
    response = client.post(
        "/api/v1/auth/login",
        headers={**_host(school), "Accept-Language": "sn"},
        json={"email": f"teacher@{school.subdomain}.test", "password": TEST_PASSWORD + "-wrong"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == _in("sn", "Email or password is incorrect.")


def test_a_validation_error_is_wrapped_in_the_requests_language(client: TestClient, two_schools) -> None:
    school, _other = two_schools
    response = client.post("/api/v1/auth/login", headers={**_host(school), "Accept-Language": "nd"}, json={"email": "x@y.z"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == _in("nd", "Some fields are not right.")


def test_the_language_of_one_request_does_not_stay_for_the_next(client: TestClient) -> None:
    client.get("/api/v1/school", headers={"Host": "no-such-school.localhost:3000", "Accept-Language": "sn"})
    response = client.get("/api/v1/school", headers={"Host": "no-such-school.localhost:3000"})
    assert response.json()["error"]["message"] == "No school is served at this address."


def test_validators_translate_their_label_and_message() -> None:
    with pytest.raises(validation.InvalidValue) as english:
        validation.required_text("  ", label=N_("First name"))
    assert str(english.value) == "First name is required."
    with i18n.language("sn"), pytest.raises(validation.InvalidValue) as shona:
        validation.required_text("  ", label=N_("First name"))
    expected = _in("sn", "{label} is required.").format(label=_in("sn", "First name"))
    assert str(shona.value) == expected


def test_password_problems_are_in_the_readers_language() -> None:
    assert password_problem("short") == "Use at least 10 characters."
    with i18n.language("nd"):
        assert password_problem("short") == _in("nd", "Use at least {count} characters.").format(count=10)
