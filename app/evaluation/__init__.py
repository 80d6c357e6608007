"""Two-way evaluation (双向评估): once a year the subdistrict's departments and
staff score each residents' committee, each committee scores each department,
and residents' satisfaction may be folded in. The arithmetic lives in
`scoring` (pure functions); the rounds, sheets and survey in `services`."""
