"""Lesson: "Deep Residual Learning" in seven steps, one projector screen each, every number live.

The step is in the address (``?step=3``), so a teacher's link opens every student's screen at the same
step. Thin page: the steps are ``resnet_explorer.lesson``, their panels ``resnet_explorer.ui.lesson``.
"""

from resnet_explorer import ui
from resnet_explorer.ui import lesson

ui.page_setup("nav.lesson", ":material/school:")
number = lesson.current_step()
lesson.navigation(number)
lesson.show_step(number)
