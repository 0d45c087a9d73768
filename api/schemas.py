"""What the API reads and answers, as pydantic schemas (the OpenAPI document is built from
them). Payloads refuse unknown fields and NUL characters, so a typo is a field message, not
a silently ignored key or a database error."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator, model_validator

Number = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=18, decimal_places=4)]
Level = Literal["company", "team", "individual"]
Visibility = Literal["public", "private"]
Commitment = Literal["committed", "aspirational"]
Confidence = Literal["on_track", "at_risk", "off_track"]
Kind = Literal["increase", "decrease", "milestone"]
Unit = Literal["number", "percent", "currency"]


class Payload(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        return value


# --- answers ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, list[str]] = {}


class PeriodOut(Schema):
    id: int
    name: str
    kind: str
    start: datetime.date
    end: datetime.date
    parent_id: int | None
    is_current: bool
    is_closed: bool


class TeamOut(Schema):
    id: int
    name: str
    description: str
    parent_id: int | None


class PersonOut(Schema):
    id: int
    name: str
    email: str
    role: str
    job_title: str
    team_ids: list[int]


class KeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    owner_id: int | None
    kind: str
    unit: str
    currency_code: str
    start_value: Decimal
    target_value: Decimal
    current_value: Decimal
    weight: Decimal
    confidence: str
    position: int
    last_checkin_at: datetime.datetime | None
    version: int


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    level: str
    status: str
    visibility: str
    commitment: str
    period_id: int
    team_id: int | None
    owner_id: int | None
    theme_id: int | None
    parent_id: int | None = Field(description="Its parent objective, when you may see it.")
    parent_key_result_id: int | None = Field(
        description="The parent's key result it contributes to, if any (with parent_id)."
    )
    contribution_weight: Decimal
    progress: Decimal | None
    aligned_progress: Decimal | None
    confidence: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    key_results: list[KeyResultOut]


class CheckInOut(Schema):
    id: int
    key_result_id: int
    author_id: int | None
    value: Decimal
    previous_value: Decimal
    confidence: str
    note: str
    created_at: datetime.datetime


class AlignmentRequestOut(Schema):
    request_id: int
    status: str
    parent_objective_id: int
    detail: str


class ParentOut(Schema):
    parent_objective_id: int | None
    parent_key_result_id: int | None


class PeriodPage(Schema):
    items: list[PeriodOut]
    next_cursor: str | None


class TeamPage(Schema):
    items: list[TeamOut]
    next_cursor: str | None


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class ObjectivePage(Schema):
    items: list[ObjectiveOut]
    next_cursor: str | None


class KeyResultPage(Schema):
    items: list[KeyResultOut]
    next_cursor: str | None


class CheckInPage(Schema):
    items: list[CheckInOut]
    next_cursor: str | None


# --- payloads ---------------------------------------------------------------------------------


class ObjectiveCreate(Payload):
    period_id: int
    level: Level
    title: str
    description: str = ""
    team_id: int | None = None
    owner_id: int | None = None
    theme_id: int | None = None
    visibility: Visibility = "public"
    commitment: Commitment = "committed"
    publish: bool = Field(
        False, description="Publish at once (or submit for review when the company asks)."
    )


class ObjectiveUpdate(Payload):
    title: str | None = None
    description: str | None = None
    period_id: int | None = None
    level: Level | None = None
    team_id: int | None = None
    owner_id: int | None = None
    theme_id: int | None = None
    visibility: Visibility | None = None
    commitment: Commitment | None = None
    status: Literal["active", "done", "abandoned"] | None = Field(
        None, description="Of a published objective (a draft is published with /publish)."
    )
    version: int | None = Field(
        None, description="The version you read: refused with 409 if it changed since."
    )


class KeyResultCreate(Payload):
    title: str
    owner_id: int | None = None
    kind: Kind = "increase"
    unit: Unit = "number"
    currency_code: str = ""
    start_value: Number = Decimal(0)
    target_value: Number = Decimal(1)
    current_value: Number | None = None
    weight: Number = Decimal(1)
    confidence: Confidence = "on_track"


class KeyResultUpdate(Payload):
    title: str | None = None
    owner_id: int | None = None
    kind: Kind | None = None
    unit: Unit | None = None
    currency_code: str | None = None
    start_value: Number | None = None
    target_value: Number | None = None
    weight: Number | None = None
    version: int | None = Field(
        None, description="The version you read: refused with 409 if it changed since."
    )


class ParentSet(Payload):
    parent_objective_id: int | None = Field(None, description="The objective to align to.")
    parent_key_result_id: int | None = Field(
        None,
        description="To contribute to one of its key results (its objective is the parent).",
    )

    @model_validator(mode="after")
    def _one_parent(self):
        if self.parent_objective_id is None and self.parent_key_result_id is None:
            raise ValueError("Name parent_objective_id, parent_key_result_id, or both.")
        return self


class CheckInCreate(Payload):
    value: Number
    confidence: Confidence
    note: str = ""
