"""School administration through the services: listing, adding, editing and deactivating users,
the last-admin and not-yourself rules, the MFA setting, permissions and isolation between schools.
(Many users at once: the "users" kind of the importer, in tests/test_imports.py.)"""

from uuid import UUID, uuid4

import pytest
from sqlmodel import col, select

from models import AuditEvent, RefreshToken, Role, User
from oneclass import db, i18n
from oneclass.permissions import PermissionDenied
from oneclass.services import audit, auth, imports, school_settings, users
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, page_count
from oneclass.tenancy import SchoolRoute, find_school_route
from state.school_settings import SchoolSettingsState
from tests.conftest import SchoolFixture, fresh_ip
from tests.test_exports_lists import run, school_state

PASSWORD = "kopje-msasa-2026"
IP = "198.51.100.7"  # where the admin acts from, in audit events; each sign-in uses fresh_ip()


def acting(school: SchoolFixture, role: Role = Role.school_admin) -> CurrentUser:
    """The school's fixture user of `role`, as a signed-in user would be seen by the services."""
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.role == role.value).order_by(col(User.created_at))).first()
    assert user is not None
    return CurrentUser(
        id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=uuid4()
    )


def route(school: SchoolFixture) -> SchoolRoute:
    return SchoolRoute(id=school.id, name=school.name, subdomain=school.subdomain, level="primary", status="active")


def user_count(school: SchoolFixture) -> int:
    with db.tenant_session(school.id) as session:
        return users.count_users(session)


def events(school: SchoolFixture, action: str) -> list[AuditEvent]:
    with db.tenant_session(school.id) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def listing(school: SchoolFixture, **filters: object) -> Page:
    """The Users page's list as the school's admin sees it (through the service's cache)."""
    return users.list_users(actor=acting(school), **filters)  # type: ignore[arg-type]


def add(admin: CurrentUser, email: str, full_name: str, role: str = "teacher", password: str | None = None) -> str:
    return str(users.add_user(actor=admin, email=email, full_name=full_name, role=role, password=password, ip=IP).id)


# --- listing --------------------------------------------------------------------------------


def test_list_searches_filters_sorts_and_pages(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    add(admin, "tendai.moyo@school.test", "Tendai Moyo")
    add(admin, "rudo.ncube@school.test", "Rudo Ncube", role="student")
    chipo = add(admin, "chipo.dube@school.test", "Chipo Dube", role="student")
    users.set_user_active(actor=admin, user_id=chipo, active=False, ip=IP)

    everyone = listing(school)
    assert everyone.total == 8
    assert all("password_hash" not in row and "password" not in row for row in everyone.rows)
    assert [row["full_name"] for row in everyone.rows] == sorted((row["full_name"] for row in everyone.rows), key=str.lower)

    assert [row["email"] for row in listing(school, search="moyo").rows] == ["tendai.moyo@school.test"]
    assert [row["full_name"] for row in listing(school, search="RUDO.N").rows] == ["Rudo Ncube"]
    assert listing(school, search="%").total == 0  # a wildcard is searched for, not obeyed
    assert {row["full_name"] for row in listing(school, role="student").rows} == {
        "Rudo Ncube", "Chipo Dube", "Student of alpha"
    }
    inactive = listing(school, status="inactive")
    assert (inactive.total, inactive.rows[0]["full_name"], inactive.rows[0]["active"]) == (1, "Chipo Dube", False)
    assert listing(school, status="active").total == 7
    assert listing(school, role="student", status="active").total == 2

    emails = [row["email"] for row in listing(school, sort="email").rows]
    assert emails == sorted(emails)
    assert listing(school, sort="created").rows[0]["full_name"] == "Chipo Dube"

    pages = [listing(school, sort="email", page=n, per_page=3) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [8, 8, 8]
    assert [len(p.rows) for p in pages] == [3, 3, 2]
    assert [row["email"] for p in pages for row in p.rows] == emails
    assert page_count(8, 3) == 3 and page_count(0, 25) == 1


# --- adding ---------------------------------------------------------------------------------


def test_add_user_refuses_bad_input_field_by_field_and_writes_nothing(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    before = user_count(school)

    with pytest.raises(ValidationFailed) as refusal:
        users.add_user(actor=admin, email="not-an-email", full_name="  ", role="super_admin", password="short", ip=IP)
    assert set(refusal.value.errors) == {"email", "full_name", "role", "password"}
    assert "valid email" in refusal.value.errors["email"]

    with pytest.raises(ValidationFailed) as refusal:
        users.add_user(actor=admin, email="x@school.test", full_name="N" * 201, role="teacher", password=None, ip=IP)
    assert refusal.value.errors == {"full_name": "Use at most 200 characters."}

    with pytest.raises(ValidationFailed) as refusal:
        users.add_user(actor=admin, email=admin.email.upper(), full_name="Copy", role="teacher", password=None, ip=IP)
    assert refusal.value.errors == {"email": users.EMAIL_TAKEN}

    with pytest.raises(ValidationFailed) as refusal:
        users.add_user(actor=admin, email="ok@school.test", full_name="Ok", role="teacher", password="password123", ip=IP)
    assert "too common" in refusal.value.errors["password"]

    assert user_count(school) == before
    assert events(school, audit.USER_CREATED) == []


def test_added_user_is_audited_and_signs_in_with_the_initial_password(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    created = users.add_user(
        actor=admin, email="  Farai.Sibanda@School.test ", full_name=" Farai Sibanda ", role="Teacher", password=PASSWORD, ip=IP
    )
    assert (created.email, created.full_name, created.role, created.is_active) == (
        "farai.sibanda@school.test", "Farai Sibanda", "teacher", True
    )
    [event] = events(school, audit.USER_CREATED)
    assert (event.actor_email, event.target, event.detail, event.ip) == (
        admin.email, "farai.sibanda@school.test", {"role": "teacher"}, IP
    )
    pair = auth.sign_in(school=route(school), email="farai.sibanda@school.test", password=PASSWORD, ip=fresh_ip())
    assert pair.user.role == "teacher"


# --- editing --------------------------------------------------------------------------------


def test_role_change_is_audited_with_both_roles(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    teacher = acting(school, Role.teacher)

    updated = users.update_user(
        actor=admin, user_id=teacher.id, email=teacher.email, full_name="Deputy Head", role="school_admin", ip=IP
    )
    assert (updated.role, updated.full_name) == ("school_admin", "Deputy Head")
    [changed] = events(school, audit.ROLE_CHANGED)
    assert (changed.target, changed.detail) == (teacher.email, {"from": "teacher", "to": "school_admin"})
    [edit] = events(school, audit.USER_UPDATED)
    assert edit.detail == {"changed": ["full_name", "role"]}

    users.update_user(actor=admin, user_id=teacher.id, email=teacher.email, full_name="Deputy Head", role="school_admin", ip=IP)
    assert len(events(school, audit.USER_UPDATED)) == 1  # nothing changed, nothing recorded

    with pytest.raises(ValidationFailed) as refusal:
        users.update_user(actor=admin, user_id=teacher.id, email=admin.email, full_name="Deputy Head", role="teacher", ip=IP)
    assert refusal.value.errors == {"email": users.EMAIL_TAKEN}
    assert listing(school, search="Deputy").rows[0]["role"] == "school_admin"


def test_the_last_active_admin_cannot_be_removed(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)

    with pytest.raises(ValidationFailed) as refusal:
        users.set_user_active(actor=admin, user_id=admin.id, active=False, ip=IP)
    assert refusal.value.errors == {"form": users.NOT_YOURSELF}
    with pytest.raises(ValidationFailed) as refusal:
        users.update_user(actor=admin, user_id=admin.id, email=admin.email, full_name=admin.full_name, role="teacher", ip=IP)
    assert refusal.value.errors == {"role": users.LAST_ADMIN}
    assert listing(school, role="school_admin", status="active").total == 1
    assert events(school, audit.ROLE_CHANGED) == events(school, audit.USER_DEACTIVATED) == []

    # A deactivated admin does not count as a second one.
    deputy = add(admin, "deputy@school.test", "Deputy", role="school_admin")
    users.set_user_active(actor=admin, user_id=deputy, active=False, ip=IP)
    with pytest.raises(ValidationFailed) as refusal:
        users.update_user(actor=admin, user_id=admin.id, email=admin.email, full_name=admin.full_name, role="teacher", ip=IP)
    assert refusal.value.errors == {"role": users.LAST_ADMIN}

    # With another active admin, the first may step down.
    users.set_user_active(actor=admin, user_id=deputy, active=True, ip=IP)
    users.update_user(actor=admin, user_id=admin.id, email=admin.email, full_name=admin.full_name, role="teacher", ip=IP)
    assert [row["email"] for row in listing(school, role="school_admin").rows] == ["deputy@school.test"]
    # Signed in as an admin a moment ago, they still cannot leave the school without one.
    with pytest.raises(ValidationFailed) as refusal:
        users.set_user_active(actor=admin, user_id=deputy, active=False, ip=IP)
    assert refusal.value.errors == {"form": users.LAST_ADMIN}


def test_an_admin_cannot_deactivate_themself_even_beside_another_admin(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    deputy = add(admin, "deputy@school.test", "Deputy", role="school_admin")

    with pytest.raises(ValidationFailed) as refusal:
        users.set_user_active(actor=admin, user_id=admin.id, active=False, ip=IP)
    assert refusal.value.errors == {"form": users.NOT_YOURSELF}
    assert events(school, audit.USER_DEACTIVATED) == []
    # Another admin may do it, and then the deputy is the one left.
    deputy_actor = CurrentUser(
        id=UUID(deputy), school_id=school.id, email="deputy@school.test", full_name="Deputy", role="school_admin", family_id=uuid4()
    )
    users.set_user_active(actor=deputy_actor, user_id=admin.id, active=False, ip=IP)
    assert [row["email"] for row in listing(school, role="school_admin", status="active").rows] == ["deputy@school.test"]


def test_a_school_admin_cannot_give_the_platforms_role_nor_reach_past_their_school(two_schools) -> None:
    school, other = two_schools
    admin = acting(school)
    teacher = acting(school, Role.teacher)
    for role in ("super_admin", "Super admin", "SUPER-ADMIN"):
        with pytest.raises(ValidationFailed) as refusal:
            users.add_user(actor=admin, email="root@school.test", full_name="Root", role=role, password=None, ip=IP)
        assert set(refusal.value.errors) == {"role"}
        with pytest.raises(ValidationFailed) as refusal:
            users.update_user(actor=admin, user_id=teacher.id, email=teacher.email, full_name=teacher.full_name, role=role, ip=IP)
        assert set(refusal.value.errors) == {"role"}
    assert acting(school, Role.teacher).role == "teacher"
    # The school is the actor's own, whatever is asked: a new user lands there and nowhere else.
    created = users.add_user(actor=admin, email="new@school.test", full_name="New", role="teacher", password=None, ip=IP)
    assert created.school_id == school.id
    assert listing(other, search="new@school.test").total == 0
    # A platform account has no school's users here.
    platform = CurrentUser(id=uuid4(), school_id=None, email="root@oneclass.test", full_name="Root", role="super_admin", family_id=uuid4())
    with pytest.raises(NotFound):
        users.add_user(actor=platform, email="x@school.test", full_name="X", role="teacher", password=None, ip=IP)


def test_deactivated_user_cannot_sign_in_and_their_sessions_end(two_schools) -> None:
    school, _ = two_schools
    admin = acting(school)
    user_id = add(admin, "nyasha@school.test", "Nyasha Phiri", password=PASSWORD)
    pair = auth.sign_in(school=route(school), email="nyasha@school.test", password=PASSWORD, ip=fresh_ip())

    users.set_user_active(actor=admin, user_id=user_id, active=False, ip=IP)

    with pytest.raises(AuthError) as refusal:
        auth.sign_in(school=route(school), email="nyasha@school.test", password=PASSWORD, ip=fresh_ip())
    assert refusal.value.code == "deactivated"
    with pytest.raises(AuthError):
        auth.refresh(school=route(school), refresh_token=pair.refresh_token, ip=fresh_ip())
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school))
    with db.tenant_session(school.id) as session:
        tokens = session.exec(select(RefreshToken).where(RefreshToken.user_id == pair.user.id)).all()
    assert tokens and all(token.revoked_at is not None for token in tokens)
    [event] = events(school, audit.USER_DEACTIVATED)
    assert event.target == "nyasha@school.test"

    users.set_user_active(actor=admin, user_id=user_id, active=True, ip=IP)
    assert auth.sign_in(school=route(school), email="nyasha@school.test", password=PASSWORD, ip=fresh_ip()).user.id == pair.user.id
    assert len(events(school, audit.USER_REACTIVATED)) == 1


# --- who may do it --------------------------------------------------------------------------


def test_a_teacher_is_refused_everything(two_schools) -> None:
    school, _ = two_schools
    teacher, student = acting(school, Role.teacher), acting(school, Role.student)
    csv_file = b"email,full_name,role\nnew@school.test,New,student\n"
    listed = users.list_users(actor=acting(school))  # cached for the admin: a teacher still may not read it
    attempts = [
        lambda: users.add_user(actor=teacher, email="new@school.test", full_name="New", role="student", password=None, ip=IP),
        lambda: users.update_user(actor=teacher, user_id=student.id, email=student.email, full_name="X", role="teacher", ip=IP),
        lambda: users.set_user_active(actor=teacher, user_id=student.id, active=False, ip=IP),
        lambda: users.list_users(actor=teacher),
        lambda: users.get_user(actor=teacher, user_id=student.id),
        lambda: imports.preview_import(actor=teacher, kind=imports.USERS, filename="people.csv", content=csv_file),
        lambda: imports.run_import(actor=teacher, kind=imports.USERS, filename="people.csv", content=csv_file, ip=IP),
        lambda: school_settings.set_require_admin_mfa(actor=teacher, enabled=True, ip=IP),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert user_count(school) == 5 == listed.total
    assert listing(school, search=student.email).rows[0]["full_name"] == student.full_name
    assert listing(school, status="inactive").total == 0


def test_an_admin_cannot_reach_another_schools_users(two_schools) -> None:
    school_a, school_b = two_schools
    admin_a = acting(school_a)
    teacher_b = acting(school_b, Role.teacher)

    with pytest.raises(NotFound):
        users.update_user(actor=admin_a, user_id=teacher_b.id, email="moved@a.test", full_name="Hacked", role="school_admin", ip=IP)
    with pytest.raises(NotFound):
        users.set_user_active(actor=admin_a, user_id=teacher_b.id, active=False, ip=IP)
    with pytest.raises(NotFound):
        users.update_user(actor=admin_a, user_id="not-a-uuid", email="x@a.test", full_name="X", role="teacher", ip=IP)
    # Another school's email is no clash: each school has its own users.
    add(admin_a, teacher_b.email, "Same Email, Other School")

    row = listing(school_b, search=teacher_b.email).rows[0]
    assert (row["full_name"], row["role"], row["active"]) == (teacher_b.full_name, "teacher", True)
    assert listing(school_a, search="Same Email").rows[0]["email"] == teacher_b.email
    assert all(row["id"] != str(teacher_b.id) for row in listing(school_a, per_page=100).rows)
    assert events(school_b, audit.USER_UPDATED) == events(school_b, audit.USER_DEACTIVATED) == []


# --- school settings ------------------------------------------------------------------------


def test_requiring_admin_mfa_makes_admins_enrol(two_schools) -> None:
    school, other = two_schools
    admin = acting(school)
    add(admin, "head@school.test", "Head Teacher", role="school_admin", password=PASSWORD)
    add(admin, "class.teacher@school.test", "Class Teacher", password=PASSWORD)

    def signs_in(email: str) -> CurrentUser:
        return auth.sign_in(school=route(school), email=email, password=PASSWORD, ip=fresh_ip()).user

    assert not signs_in("head@school.test").must_enrol_totp
    school_settings.set_require_admin_mfa(actor=admin, enabled=True, ip=IP)
    assert school_settings.admin_mfa_required(actor=admin)
    assert signs_in("head@school.test").must_enrol_totp
    assert not signs_in("class.teacher@school.test").must_enrol_totp
    assert not school_settings.admin_mfa_required(actor=acting(other))  # the other school is untouched
    [event] = events(school, audit.SCHOOL_SETTINGS_CHANGED)
    assert (event.actor_email, event.detail) == (admin.email, {"require_admin_mfa": {"from": False, "to": True}})

    school_settings.set_require_admin_mfa(actor=admin, enabled=True, ip=IP)
    assert len(events(school, audit.SCHOOL_SETTINGS_CHANGED)) == 1  # no change, no event
    school_settings.set_require_admin_mfa(actor=admin, enabled=False, ip=IP)
    assert not signs_in("head@school.test").must_enrol_totp


def test_the_settings_page_turns_admin_mfa_on_for_the_admin_only(two_schools) -> None:
    school, _ = two_schools
    teacher_page = school_state(SchoolSettingsState, school, Role.teacher)
    run(teacher_page.set_require_admin_mfa(True))
    admin_page = school_state(SchoolSettingsState, school, Role.school_admin)
    assert run(admin_page.load_settings()) is None and admin_page.require_admin_mfa is False
    answer = run(admin_page.set_require_admin_mfa(True))
    assert admin_page.require_admin_mfa and admin_page.must_enrol_totp  # the rule applies to its setter at once
    assert "Set it up for your own account first" in str(answer)
    assert len(events(school, audit.SCHOOL_SETTINGS_CHANGED)) == 1


# --- the school's language ------------------------------------------------------------------

LANGUAGE_CHOICES = "Choose the school's language: English (en), chiShona (sn), isiNdebele (nd)."


def school_language(school: SchoolFixture) -> str:
    """As the next request sees it: the school's route, through the Redis cache."""
    found = find_school_route(subdomain=school.subdomain)
    assert found is not None
    return found.language


def test_an_admin_sets_the_school_language_and_it_is_audited(two_schools) -> None:
    school, other = two_schools
    admin = acting(school)
    assert school_language(school) == "en"  # cached now: setting the language must forget it

    assert school_settings.set_school_language(actor=admin, language=" SN ", ip=IP) == "sn"
    assert school_settings.school_language(actor=admin) == school_language(school) == "sn"
    assert school_settings.school_language(actor=acting(other)) == "en"  # the other school is untouched
    [event] = events(school, audit.SCHOOL_SETTINGS_CHANGED)
    assert (event.actor_email, event.detail) == (admin.email, {"language": {"from": "en", "to": "sn"}})

    school_settings.set_school_language(actor=admin, language="sn", ip=IP)
    assert len(events(school, audit.SCHOOL_SETTINGS_CHANGED)) == 1  # no change, no event
    school_settings.set_school_language(actor=admin, language="en", ip=IP)
    assert school_language(school) == "en"


def test_only_the_schools_own_admin_sets_its_language(two_schools) -> None:
    school, other = two_schools
    for role in (Role.teacher, Role.student, Role.parent, Role.staff):
        with pytest.raises(PermissionDenied):
            school_settings.set_school_language(actor=acting(school, role), language="nd", ip=IP)
    # Another school's admin sets their own school's language, never this one's.
    school_settings.set_school_language(actor=acting(other), language="nd", ip=IP)
    assert (school_language(school), school_language(other)) == ("en", "nd")
    assert events(school, audit.SCHOOL_SETTINGS_CHANGED) == []


@pytest.mark.parametrize("language", ["fr", "", "english", "sn-ZW"])
def test_an_unknown_language_is_refused_with_the_choices(two_schools, language: str) -> None:
    school, _ = two_schools
    with pytest.raises(ValidationFailed) as refusal:
        school_settings.set_school_language(actor=acting(school), language=language, ip=IP)
    assert refusal.value.errors == {"language": LANGUAGE_CHOICES}
    assert school_language(school) == "en"
    assert events(school, audit.SCHOOL_SETTINGS_CHANGED) == []


def test_the_settings_page_sets_the_school_language(two_schools) -> None:
    school, _ = two_schools
    teacher_page = school_state(SchoolSettingsState, school, Role.teacher)
    run(teacher_page.set_school_language("sn"))
    assert school_language(school) == "en"

    admin_page = school_state(SchoolSettingsState, school, Role.school_admin)
    assert run(admin_page.load_settings()) is None and admin_page.language == "en"
    refused = run(admin_page.set_school_language("xx"))
    assert LANGUAGE_CHOICES in str(refused) and admin_page.language == "en"
    answer = run(admin_page.set_school_language("nd"))
    assert admin_page.language == "nd" and school_language(school) == "nd"
    # Its people see the school's language unless they chose another; the admin had not.
    assert admin_page.school_language == "nd"
    assert "isiNdebele" in str(answer)


def test_refusals_are_made_in_the_readers_language() -> None:
    """Needs the catalogues to hold i18n-fragments/i18n-admin.*.po (merged by the lead)."""
    with i18n.language("sn"):
        assert users.field_problems(email="", full_name="Ann", role="teacher")["email"] != "Enter an email address."
        assert users.ROLE_LABELS["teacher"] == "Teacher"  # the constant stays English: a message id
        assert i18n.gettext(users.ROLE_LABELS["teacher"]) == "Mudzidzisi"
