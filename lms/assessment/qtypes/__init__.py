"""The question-type registry: a type name → the one class that handles it.

Adding a type: one class here, one template in templates/assessment/types/,
and its tests. Nothing else changes.
"""
from __future__ import annotations

from lms.assessment.qtypes.arrange import Matching, Ordering
from lms.assessment.qtypes.base import Fields, InvalidAnswer, QuestionType, is_answered
from lms.assessment.qtypes.choice import MultipleSelect, SingleChoice, TrueFalse
from lms.assessment.qtypes.scenario import CaseScenario
from lms.assessment.qtypes.text import Numeric, ShortAnswer

REGISTRY: dict[str, QuestionType] = {}
for _type in (SingleChoice(), MultipleSelect(), TrueFalse(), ShortAnswer(), Numeric(),
              Matching(), Ordering(), CaseScenario(REGISTRY)):
    REGISTRY[_type.name] = _type


def get_type(name: str) -> QuestionType:
    return REGISTRY[name]


__all__ = ["REGISTRY", "Fields", "InvalidAnswer", "QuestionType", "get_type", "is_answered"]
