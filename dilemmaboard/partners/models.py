"""The partner registry's tables: a partner and the origins allowed to frame the embed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmaboard.extensions import db
from dilemmaboard.models import utcnow


class Partner(db.Model):
    """A site that may show the dilemma (SPEC §11); its id is the votes' `source`."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    origin_rows: Mapped[list[PartnerOrigin]] = relationship(
        back_populates="partner", order_by="PartnerOrigin.origin",
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
    )

    @property
    def origins(self) -> list[str]:
        """The allowed origins, `https://host[:port]`, sorted."""
        return [row.origin for row in self.origin_rows]


class PartnerOrigin(db.Model):
    """One origin (scheme, host and port) whose pages may frame the embed."""

    __tablename__ = "partner_origins"

    partner_id: Mapped[str] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(300), primary_key=True)

    partner: Mapped[Partner] = relationship(back_populates="origin_rows")
