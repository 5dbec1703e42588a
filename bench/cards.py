"""Time card rendering: median and p95 per kind, size and text length (short, typical, 2,000 chars).

Run: .venv/bin/python bench/cards.py [repeats]

"Cold" means no cached PNG and no cached text measurements, line breaks or emoji (cards.text's
caches are cleared before every render); loaded font files stay loaded, as they do in a running
app server. The first render in the process, which also opens the fonts, is reported on its own.
Target: every cold portrait render under 150 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import cards  # noqa: E402
from cards import text  # noqa: E402

TYPICAL = (
    "A borrower's loan was scheduled to close Monday, but they discovered a question about their "
    "closing costs on Saturday afternoon. They sent an email expecting to wait until Monday. Their "
    "loan officer saw the email, called them within the hour, and spent 45 minutes walking "
    "through every number. The borrower later said: \"I've bought three homes and never had "
    "anyone call me on a Saturday. I felt like I was their only client.\" That's One True Customer."
)
LENGTHS = {"short": "Called back on a Saturday.", "typical": TYPICAL}
LENGTHS["2,000 chars"] = ((TYPICAL + " ") * 6)[:2000]
LENGTHS["2,000 CJK"] = (
    "周六下午，贷款专员看到邮件后一小时内就给客户回了电话。土曜日にお客様へ電話しました。" * 50
)[:2000]
LENGTHS["2,000 Arabic"] = ("اتصل مسؤول القرض بالعميل يوم السبت وشرح كل رقم في التكاليف. " * 40)[
    :2000
]
DAY = date(2026, 12, 3)
URL = "https://otc.example.org/s/Xq3v9bT2kLmN8pRs"


def kinds(words: str) -> dict:
    """One card of every kind whose long texts are these words."""
    return {
        "story": cards.Story("The Saturday Call", words, words, "Alice Novak", "Maria Gonzalez",
                             "Mortgage Lending", DAY, "during", URL),
        "recognition": cards.Recognition("Ana Silva", "Ben Okafor", words, "North", DAY, True, URL),
        "announcement": cards.Announcement("Lena Fischer", "Priya Sharma", words, "North", DAY, URL),
        "milestone": cards.Milestone("Maria Gonzalez", "30-day challenge", words, "🏆", DAY),
    }  # fmt: skip


def forget_measurements() -> None:
    for cached in vars(text).values():
        getattr(cached, "cache_clear", lambda: None)()


def main(repeats: int = 20) -> None:
    started = time.perf_counter()
    cards.render(kinds(TYPICAL)["story"], cards.PORTRAIT)
    print(
        f"first render in this process (opens the fonts): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    print(
        f"{'kind':<13} {'length':<12} {'size':<9} {'median':>8} {'p95':>8}   ({repeats} renders each)"
    )
    worst = 0.0
    for length, words in LENGTHS.items():
        for kind, card in kinds(words).items():
            for size, name in ((cards.PORTRAIT, "portrait"), (cards.PREVIEW, "preview")):
                times = []
                for _ in range(repeats):
                    forget_measurements()
                    started = time.perf_counter()
                    cards.render(card, size)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                worst = max(worst, p95) if size == cards.PORTRAIT else worst
                print(
                    f"{kind:<13} {length:<12} {name:<9} {statistics.median(times):>6.1f}ms {p95:>6.1f}ms"
                )
    verdict = "meets" if worst < 150 else "misses"
    print(
        f"worst cold portrait p95: {worst:.1f} ms ({verdict} the 150 ms target); load: {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
