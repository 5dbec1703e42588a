"""Pure game rules: days, streaks, freezes, the 30-day challenge and weekly commitments."""
