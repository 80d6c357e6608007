"""Joint review and votes (联审/表决): bodies, meetings, attendance, motions, ballots, minutes."""
