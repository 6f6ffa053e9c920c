"""Student photos live in storage, not in the `students` row: the row keeps a key that begins with
the school's id, a new photo replaces the old file, another school's key reaches nothing, and the
migration moves photos that were in rows (and back on downgrade)."""

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from models import Student
from oneclass import db, migrate, storage
from oneclass.demo_records import school_admin_of
from oneclass.services import students
from oneclass.services.errors import NotFound
from tests.conftest import ServerUrls, create_database, drop_database
from tests.test_student_pages import FORM, PNG, student_input


def test_a_photo_is_a_file_of_the_school_and_a_new_one_replaces_it(two_schools) -> None:
    school_a, school_b = two_schools
    with db.tenant_session(school_a.id) as session:
        admin = school_admin_of(session, school_a.id)
    with db.tenant_session(school_b.id) as session:
        other_admin = school_admin_of(session, school_b.id)
    student_id = students.add_student(actor=admin, data=student_input(FORM)).student_id
    students.set_photo(actor=admin, student_id=student_id, content=PNG, content_type="image/png")
    with db.tenant_session(school_a.id) as session:
        first_key = session.get(Student, student_id).photo_key  # type: ignore[union-attr]
    assert first_key and first_key.startswith(f"{school_a.id}/photos/")
    assert storage.get(admin, first_key) == PNG
    with pytest.raises(NotFound):
        storage.get(other_admin, first_key)  # the key alone, known or guessed, reaches nothing

    second = PNG + b"\x00another"
    students.set_photo(actor=admin, student_id=student_id, content=second, content_type="image/png")
    assert students.student_photo(actor=admin, student_id=student_id) == (second, "image/png")
    with pytest.raises(NotFound):
        storage.get(admin, first_key)  # the old file is gone with the old photo


def test_the_migration_moves_photos_out_of_rows_and_back(servers: ServerUrls) -> None:
    url = create_database(servers, "oneclass_photos")
    engine = create_engine(url)
    school_id, student_id = uuid.uuid4(), uuid.uuid4()
    try:
        migrate.upgrade(url, "0006")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO schools (id, name, subdomain, level) VALUES (:id, 'Photo School', :sub, 'primary')"),
                {"id": school_id, "sub": f"photo-{school_id.hex[:8]}"},
            )
            connection.execute(
                text(
                    "INSERT INTO students (id, school_id, admission_number, first_name, last_name, date_of_birth, gender, status, photo, photo_type) "
                    "VALUES (:id, :school, 'P-1', 'Rudo', 'Moyo', '2015-01-01', 'female', 'enrolled', :photo, 'image/png')"
                ),
                {"id": student_id, "school": school_id, "photo": PNG},
            )
        migrate.upgrade(url)
        assert "photo" not in {column["name"] for column in inspect(engine).get_columns("students")}
        with engine.connect() as connection:
            key = connection.execute(text("SELECT photo_key FROM students WHERE id = :id"), {"id": student_id}).scalar_one()
        assert key.startswith(f"{school_id}/photos/student-{student_id}-")
        assert storage.backend().get(key) == PNG
        migrate.downgrade(url, "0006")
        with engine.connect() as connection:
            assert bytes(connection.execute(text("SELECT photo FROM students WHERE id = :id"), {"id": student_id}).scalar_one()) == PNG
    finally:
        engine.dispose()
        drop_database(servers, url)
