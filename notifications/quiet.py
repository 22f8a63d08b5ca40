"""Quiet hours: no SMS at night (Asia/Shanghai), except what a person just asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from core.clock import to_local


@dataclass(frozen=True)
class QuietHours:
    start: time  # e.g. 21:00
    end: time  # e.g. 08:00; before start means the quiet spans midnight

    def active(self, now: datetime) -> bool:
        moment = to_local(now).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end
