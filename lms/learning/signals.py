"""Signals from learning to the layers above it.

`completion_requirements` asks the higher layers (assessment) whether anything
they own still stands between an enrolment and completion: each receiver
returns a list of unmet requirements (strings), empty when satisfied.
"""
from lms.core.signals import signals

completion_requirements = signals.signal("completion-requirements")
course_completed = signals.signal("course-completed")
