"""Working days (工作日) for the admission deadlines: Monday to Friday.

Public holidays and the make-up working weekends (调休) are not modelled: the
State Council publishes them each December, and a deadline counted here may
fall a few days early around 春节 and 国庆. Subdistrict staff set the
number of days with that in mind (app.agreements.admission.settings_for)."""
from __future__ import annotations

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (start itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5
    day = start + timedelta(days=whole_weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
