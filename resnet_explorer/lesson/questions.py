"""Questions the Lesson page asks and checks: numeric or multiple choice, with hints for wrong answers.

A :class:`Question` carries its right answer, computed by the library when the step is built (never a
typed-in constant), and the wrong answers a student is likely to give, each with its own hint
("you counted one conv, a basic block has two"). :func:`check` turns what the student typed into a
:class:`Verdict`; the page translates its text ids (spelled out whole where a step builds its
question, so a search finds them and the catalogue test sees them used). Pure: no Streamlit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Question", "Verdict", "parse_number", "check"]

# "1179648", "1,179,648", "1 179 648", "1.74"; a comma is only ever a thousands separator, so "1,7"
# (a decimal comma) is refused instead of being read as 17.
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


@dataclass(frozen=True)
class Question:
    """One question of a step: its text ids (prompt, general hint, the working shown once answered),
    the values that fill their placeholders, and the right answer."""

    id: str  # the widgets' keys: lesson.<id>.answer, lesson.<id>.check
    kind: str  # "number" | "choice"
    answer: float | str  # a number, or the id of the right choice
    prompt: str
    hint: str
    working: str
    tolerance: float = 0.0  # absolute, for answers asked "to one decimal"
    choices: tuple[str, ...] = ()
    # likely wrong answers -> the text id of the hint that explains that mistake
    mistakes: tuple[tuple[float | str, str], ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("number", "choice"):
            raise ValueError(f"kind: got {self.kind!r}; allowed: 'number', 'choice'")
        if self.kind == "choice" and self.answer not in self.choices:
            raise ValueError(f"answer: got {self.answer!r}; allowed: one of the choices {self.choices}")

    @property
    def text_values(self) -> dict[str, str]:
        return dict(self.values)

    def _close(self, a: float, b: float) -> bool:
        # the margin of a float's rounding as well as the asked precision
        return abs(a - b) <= self.tolerance + 1e-9 * max(1.0, abs(b))


@dataclass(frozen=True)
class Verdict:
    status: str  # "right" | "wrong" | "unreadable" (not a number) | "empty" (nothing given yet)
    hint: str | None = None  # text id of the hint to show (wrong answers only)
    direction: str | None = None  # "high" | "low": which side of the answer a wrong number lies

    @property
    def right(self) -> bool:
        return self.status == "right"


def parse_number(text: str) -> float | None:
    """What a student typed as a number, or None when it is not one.

    Full-width digits and commas (a Chinese input method's ``１，１７９``) read as their ASCII twins;
    spaces and underscores between digit groups are ignored.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = re.sub(r"[\s_\u00a0\u2009\u202f']", "", s)
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "")
    if not _PLAIN.fullmatch(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def check(question: Question, given: str | None) -> Verdict:
    """Right, wrong (with the hint for this mistake, else the question's general hint), or unreadable."""
    if given is None or not str(given).strip():
        return Verdict("empty")
    if question.kind == "choice":
        if given == question.answer:
            return Verdict("right")
        if given not in question.choices:
            return Verdict("unreadable")
        hint = next((h for value, h in question.mistakes if value == given), question.hint)
        return Verdict("wrong", hint)
    value = parse_number(given)
    if value is None:
        return Verdict("unreadable")
    answer = float(question.answer)
    if question._close(value, answer):
        return Verdict("right")
    direction = "high" if value > answer else "low"
    for mistake, hint in question.mistakes:
        if question._close(value, float(mistake)):
            return Verdict("wrong", hint, direction)
    return Verdict("wrong", question.hint, direction)
