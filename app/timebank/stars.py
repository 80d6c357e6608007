"""星级志愿者: star levels from cumulative verified service hours, thresholds
inclusive (1★ 100 h … 5★ 1500 h by default; TIMEBANK_STAR_HOURS to change).
Recomputed from the service record every time, never stored."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

DEFAULT_HOURS = (100, 300, 600, 1000, 1500)


@dataclass(frozen=True)
class StarLevel:
    stars: int
    minutes: int
    next_at: int | None  # minutes needed for the next star, None at the top

    @property
    def to_next(self) -> int | None:
        return None if self.next_at is None else self.next_at - self.minutes

    @property
    def percent(self) -> int:
        """Progress from this star's threshold to the next, in whole percent."""
        if self.next_at is None:
            return 100
        low = thresholds()[self.stars - 1] if self.stars else 0
        return (self.minutes - low) * 100 // (self.next_at - low)


def thresholds() -> tuple[int, ...]:
    hours = current_app.config.get("TIMEBANK_STAR_HOURS", DEFAULT_HOURS)
    return tuple(h * 60 for h in hours)


def star_level(minutes: int) -> StarLevel:
    if type(minutes) is not int:
        raise TypeError("minutes must be an int")
    levels = thresholds()
    stars = sum(1 for t in levels if minutes >= t)
    return StarLevel(stars, minutes, levels[stars] if stars < len(levels) else None)
