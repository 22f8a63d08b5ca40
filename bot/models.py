"""Where a chat is in a multi-step conversation, kept in the database.

A committee member halfway through awarding a star, or a shopkeeper halfway
through a redemption, picks up where they left off after a restart: the step
and what has been chosen so far are a row, written in the same transaction as
the step's effect.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models import created_at_field


class ChatState(SQLModel, table=True):
    __tablename__ = "chat_state"

    chat_id: str = Field(max_length=32, primary_key=True)
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data: str = "{}"  # JSON: what the flow has gathered
    updated_at: datetime = created_at_field()
