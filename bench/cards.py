"""Time story cards: median and p95 per size for short, typical and 2,000-character stories.

Run: .venv/bin/python bench/cards.py [repeats]

"Cold" means no cached PNG and no cached text measurements (they are cleared before every render);
loaded font files stay loaded, as they do in a running app server. The first render in the process,
which also opens the fonts, is reported on its own.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pwa import cards  # noqa: E402

TYPICAL = (
    "A borrower's loan was scheduled to close Monday, but they discovered a question about their "
    "closing costs on Saturday afternoon. They sent an email expecting to wait until Monday. Their "
    "loan officer saw the email, called them within the hour, and spent 45 minutes walking "
    "through every number. The borrower later said: \"I've bought three homes and never had "
    "anyone call me on a Saturday. I felt like I was their only client.\" That's One True Customer."
)
LONGEST = (TYPICAL + " ") * 6

STORIES = {
    "short": cards.CardText("Called back on a Saturday.", "Maria Gonzalez", "North"),
    "typical": cards.CardText(TYPICAL, "Maria Gonzalez", "Mortgage Lending", "The Saturday Call"),
    "2,000 chars": cards.CardText(LONGEST[:2000], "Maria Gonzalez", "Mortgage Lending", "Max"),
}


def forget_measurements() -> None:
    for cached in (cards._run_width, cards._atom_width, cards._emoji_sprite):
        cached.cache_clear()


def main(repeats: int = 40) -> None:
    started = time.perf_counter()
    cards.render(STORIES["typical"], "portrait")
    first = (time.perf_counter() - started) * 1000
    print(f"first render in this process (opens the fonts): {first:.0f} ms")
    print(f"{'story':<12} {'size':<9} {'median':>8} {'p95':>8}   ({repeats} renders each)")
    for name, text in STORIES.items():
        for size in cards.SIZES:
            times = []
            for _ in range(repeats):
                forget_measurements()
                started = time.perf_counter()
                cards.render(text, size)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{name:<12} {size:<9} {statistics.median(times):>6.1f}ms {p95:>6.1f}ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
