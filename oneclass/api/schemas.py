"""Request and response shapes of the REST API: the envelope, and what each resource shows.

Separate from the tables on purpose: a column reaches the API only when it is named here.
"""

from datetime import date
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

T = TypeVar("T")
# Text a person could type: no NUL characters (PostgreSQL refuses them in text).
NO_NUL = r"^[^\x00]*$"


class Meta(BaseModel):
    total: int
    page: int
    per_page: int


class Envelope(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T
    meta: Meta | None = None
    timestamp: str


class ErrorBody(BaseModel):
    code: str = Field(examples=["VALIDATION_ERROR"])
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    success: Literal[False] = False
    error: ErrorBody
    timestamp: str
    request_id: str | None = None


class LoginIn(BaseModel):
    email: str = Field(pattern=NO_NUL, min_length=1, max_length=254)
    password: str = Field(pattern=NO_NUL, min_length=1, max_length=256)
    totp_code: str | None = Field(pattern=NO_NUL, default=None, max_length=32, description="Needed when two-step sign-in is on")


class RefreshIn(BaseModel):
    refresh_token: str = Field(pattern=NO_NUL, min_length=1, max_length=256)


class UserOut(BaseModel):
    id: str
    email: str
    full_name: str
    role: str
    is_active: bool


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token lives")
    user: UserOut


class UserIn(BaseModel):
    email: str = Field(pattern=NO_NUL, max_length=254)
    full_name: str = Field(pattern=NO_NUL, max_length=200)
    role: Literal["school_admin", "teacher", "student", "parent", "staff"]
    password: str | None = Field(pattern=NO_NUL, default=None, max_length=128, description="Optional initial password")


class StudentRow(BaseModel):
    id: str
    admission_number: str
    name: str
    gender: str
    date_of_birth: str
    class_name: str = Field(alias="class")
    status: str

    model_config = {"populate_by_name": True}


class GuardianIn(BaseModel):
    full_name: str = Field(pattern=NO_NUL, max_length=200)
    phone: str = Field(pattern=NO_NUL, max_length=40, examples=["+263771234567"])
    relationship: str = Field(pattern=NO_NUL, max_length=40)
    email: str = Field(pattern=NO_NUL, default="", max_length=254)
    contact_preference: Literal["sms", "whatsapp", "email"] = "sms"


class StudentIn(BaseModel):
    admission_number: str = Field(pattern=NO_NUL, max_length=30)
    first_name: str = Field(pattern=NO_NUL, max_length=100)
    last_name: str = Field(pattern=NO_NUL, max_length=100)
    date_of_birth: date
    gender: Literal["female", "male"]
    birth_certificate_number: str = Field(pattern=NO_NUL, default="", max_length=20)
    national_id: str = Field(pattern=NO_NUL, default="", max_length=20)
    zimsec_candidate_number: str = Field(pattern=NO_NUL, default="", max_length=20)
    home_language: str = Field(pattern=NO_NUL, default="", max_length=40)
    address: str = Field(pattern=NO_NUL, default="", max_length=500)
    medical_notes: str = Field(pattern=NO_NUL, default="", max_length=2000)
    class_id: UUID | None = None
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=4)


class GuardianOut(BaseModel):
    name: str
    relationship: str
    phone: str
    email: str
    preference: str


class StudentOut(BaseModel):
    id: str
    admission_number: str
    first_name: str
    last_name: str
    date_of_birth: str
    gender: str
    birth_certificate_number: str
    national_id: str
    zimsec_candidate_number: str
    home_language: str
    address: str
    status: str
    class_name: str = Field(alias="class")
    guardians: list[GuardianOut]
    medical_notes: str | None = Field(default=None, description="Only for admins and the class teacher")

    model_config = {"populate_by_name": True}


class ClassOut(BaseModel):
    id: str
    name: str
    grade_level: str
    class_teacher: str
    capacity: int
    enrolled: int


class TermOut(BaseModel):
    id: str
    year: str
    number: int
    starts_on: str
    ends_on: str
    current: bool = Field(description="today's term in the school's time zone (in a holiday, the last one started)")


class SchoolOut(BaseModel):
    id: str
    name: str
    subdomain: str
    level: str
    currency: str
    status: str
    language: str


class SchoolIn(BaseModel):
    name: str = Field(pattern=NO_NUL, max_length=200)
    subdomain: str = Field(pattern=NO_NUL, max_length=63)
    level: Literal["primary", "secondary", "combined"]
    currency: Literal["USD", "ZiG"] = "USD"
    admin_email: str = Field(pattern=NO_NUL, max_length=254)
    admin_name: str = Field(pattern=NO_NUL, max_length=200)
    admin_password: str = Field(pattern=NO_NUL, max_length=128)
    language: Literal["en", "sn", "nd"] = "en"  # the school's default interface language


class CurrentSchoolOut(BaseModel):
    id: str
    name: str
    subdomain: str
    level: str
