"""Deleting a person: what the admin must type to confirm, and what happens to each kind of thing."""

from __future__ import annotations

import unicodedata

# What becomes of each kind of thing when a person is deleted, by the admin's choice of what to do
# with their published content ("keep": kept anonymised; "delete": deleted with them).
# Things others made about the person (a colleague's recognition of them, a story a colleague told
# of them) are the other person's words and count in that person's and team's weeks: they stay,
# with the deleted person shown as a former colleague, whatever the choice.
FATES = {
    "keep": {
        "stories_told": "anonymise",
        "recognitions_given": "anonymise",
        "stories_about": "anonymise",
        "recognitions_received": "anonymise",
        "announcements_received": "delete",
    },
    "delete": {
        "stories_told": "delete",
        "recognitions_given": "delete",
        "stories_about": "anonymise",
        "recognitions_received": "anonymise",
        "announcements_received": "delete",
    },
}
CHOICES = tuple(FATES)


def fate(choice: str, kind: str) -> str:
    """What happens to things of kind when the admin chose choice: "anonymise" or "delete"."""
    return FATES[choice][kind]


def _normal(text: str) -> str:
    # Compatibility forms, case and runs of spaces never make a typed name differ.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def confirms(typed: str, name: str, email: str) -> bool:
    """Whether what the admin typed is the person's name or email (case and spacing aside)."""
    said = _normal(typed)
    return bool(said) and said in {_normal(name), _normal(email)} - {""}
