"""The Lesson: "Deep Residual Learning" in seven steps, every number live, questions checked.

:mod:`.steps` builds each step's numbers, Explorer links and questions; :mod:`.questions` checks
answers; :mod:`.figures` draws the residual block. No Streamlit here (the panels are ``ui.lesson``).
"""

from .questions import Question, Verdict, check, parse_number
from .steps import N_STEPS, STEPS, Link, Step, parse_step, step

__all__ = [
    "Question",
    "Verdict",
    "check",
    "parse_number",
    "N_STEPS",
    "STEPS",
    "Link",
    "Step",
    "parse_step",
    "step",
]
