from datetime import date

from app.agreements.workdays import add_working_days, is_working_day, working_days_between

FRIDAY, SATURDAY, MONDAY = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)


def test_weekends_are_not_working_days():
    assert is_working_day(FRIDAY) and not is_working_day(SATURDAY) and is_working_day(MONDAY)


def test_adding_working_days_skips_weekends():
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(SATURDAY, 1) == MONDAY
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 2), 30) == date(2026, 4, 13)  # six weeks of five days
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_counting_working_days_agrees_with_adding_them():
    start = date(2026, 1, 1)
    for n in range(0, 40):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(MONDAY, FRIDAY) == 0
