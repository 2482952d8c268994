"""Moodle XML question files to course-file question dicts, and question specs back.

Import reads with defusedxml (no DTD, no entities, no external references), at most
5 MB. Moodle types map as: multichoice → single or multiple (partial scoring),
multichoiceset (all-or-nothing plugin) → multiple all_or_nothing, truefalse →
true_false, shortanswer → short_answer, numerical → numeric, matching → matching,
ordering (qtype_ordering) → ordering; a `category` sets the topic of the questions
after it. HTML becomes plain text. Everything else is listed in `skipped`.

Export writes what Moodle can hold (every type but scenario) and returns the rest:
`to_moodle_xml(...) -> (xml bytes, [Skipped])`. Text is written as plain_text, the
references as tags; an all-or-nothing multiple select needs Moodle's
qtype_multichoiceset plugin, an ordering question qtype_ordering.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - writing only; reading uses defusedxml
from collections.abc import Callable, Collection, Sequence
from xml.etree.ElementTree import Element  # noqa: S405

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from lms.content.html_text import PlainText, to_plain
from lms.content.question_export import (
    by_topic,
    category_path,
    multiple_fractions,
    number_text,
    percent_text,
    split_exportable,
)
from lms.content.question_import import (
    Importer,
    ImportResult,
    Skipped,
    Unmappable,
    size_problem,
    unsupported_reason,
)
from lms.content.question_mapping import (
    Answer,
    Mapped,
    NumberAnswer,
    map_choice,
    map_matching,
    map_numeric,
    map_ordering,
    map_short_answer,
    map_true_false,
)
from lms.content.specs import QuestionSpec


class _Fields:
    """The text fields of one <question>, as plain text, with any media they show."""

    def __init__(self, question: Element) -> None:
        self.question = question
        # Moodle 1.9 kept a question's picture in <image> and <image_base64>.
        old_image = (question.findtext("image") or "").strip()
        self.media: list[str] = [old_image] if old_image else []
        if question.find("image_base64") is not None and not old_image:
            self.media.append("image_base64")

    def read(self, node: Element | None, default_format: str = "moodle_auto_format") -> str:
        if node is None:
            return ""
        plain: PlainText = to_plain(node.findtext("text") or "",
                                    node.get("format", default_format))
        self.media.extend(plain.media)
        self.media.extend(f.get("name") or "file" for f in node.findall("file"))
        return plain.text

    def field(self, path: str) -> str:
        return self.read(self.question.find(path))

    def answers(self, verbatim: bool = False) -> list[Answer]:
        """Answers with their fraction and feedback; a short answer's text is verbatim (Moodle
        compares it as typed, whatever its format says)."""
        return [Answer(to_plain(a.findtext("text"), "plain_text").text if verbatim
                       else self.read(a), _fraction(a), self.field_of(a, "feedback"))
                for a in self.question.findall("answer")]

    def field_of(self, node: Element, path: str) -> str:
        return self.read(node.find(path))

    def combined_feedback(self) -> str:
        """The one feedback of matching/ordering: kept when all three outcomes say the same."""
        texts = {self.field(f"{k}feedback") for k in ("correct", "partiallycorrect", "incorrect")}
        return texts.pop() if len(texts) == 1 else ""


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0")) / 100
    except ValueError:
        raise Unmappable(f"has an answer with the fraction '{answer.get('fraction')}', "
                         "which is not a number") from None


def _multichoice(f: _Fields) -> Mapped:
    single = (f.question.findtext("single") or "true").strip().lower() in ("true", "1")
    return map_choice(f.answers(), single=single)


def _multichoiceset(f: _Fields) -> Mapped:
    return map_choice(f.answers(), single=False, all_or_nothing=True)


def _truefalse(f: _Fields) -> Mapped:
    by_text = {a.text.strip().lower(): a for a in f.answers()}
    true, false = by_text.get("true"), by_text.get("false")
    if true is None or false is None or {round(true.fraction), round(false.fraction)} != {0, 1}:
        raise Unmappable("needs one answer 'true' and one 'false', one of them fully correct")
    return map_true_false(true.fraction > 0.5, true.feedback, false.feedback)


def _numerical(f: _Fields) -> Mapped:
    answers = []
    for node in f.question.findall("answer"):
        tolerance = (node.findtext("tolerance") or "0").strip() or "0"
        try:
            number = float(tolerance)
        except ValueError:
            raise Unmappable(f"has the tolerance '{tolerance}', which is not a number") from None
        answers.append(NumberAnswer(node.findtext("text") or "", number, _fraction(node),
                                    f.field_of(node, "feedback")))
    units = [(u.findtext("unit_name") or "").strip() for u in f.question.findall("units/unit")
             if (u.findtext("multiplier") or "1").strip() in ("1", "1.0", "1.0000000")]
    return map_numeric(answers, next((u for u in units if u), ""))


def _matching(f: _Fields) -> Mapped:
    pairs = [(f.read(s), (s.findtext("answer/text") or "").strip())
             for s in f.question.findall("subquestion")]
    return map_matching(pairs, f.combined_feedback())


def _ordering(f: _Fields) -> Mapped:
    select = (f.question.findtext("selecttype") or "ALL").strip().upper() or "ALL"
    if select not in ("ALL", "0"):
        raise Unmappable("shows learners only some of its items; ordering here uses all")
    nodes = f.question.findall("answer")
    order = sorted(range(len(nodes)), key=lambda i: (_position(nodes[i], i), i))
    fields, notes = map_ordering([f.read(nodes[i]) for i in order],
                                 f.combined_feedback())
    grading = (f.question.findtext("gradingtype") or "").strip().upper()
    if grading not in ("", "ABSOLUTE_POSITION", "0"):
        notes.append(f"Moodle graded it as {grading}; here each item in its right place "
                     "earns an equal share")
    return fields, notes


def _position(answer: Element, index: int) -> float:
    try:
        return float(answer.get("fraction", index))
    except ValueError:
        return index


_READERS: dict[str, Callable[[_Fields], Mapped]] = {
    "multichoice": _multichoice, "multichoiceset": _multichoiceset, "truefalse": _truefalse,
    "shortanswer": lambda f: map_short_answer(f.answers(verbatim=True)),
    "numerical": _numerical, "matching": _matching, "ordering": _ordering,
}


def _refusal(exc: Exception) -> str:
    if isinstance(exc, DTDForbidden):
        return ("the file has a DOCTYPE (DTD) declaration: Moodle never writes one, and it is "
                "refused because entity declarations can expand into gigabytes (XML bomb) or "
                "read other files")
    if isinstance(exc, EntitiesForbidden):
        return "the file declares XML entities, which are refused (XML bomb protection)"
    if isinstance(exc, DefusedXmlException):
        return "the file refers to external XML resources, which are refused"
    return f"the file is not well-formed XML: {exc}"


def parse_moodle_xml(data: bytes, *, default_topic: str,
                     taken: Collection[str] = ()) -> ImportResult:
    """Questions of a Moodle XML export as course-file dicts (topic from each category,
    or `default_topic`; keys unique, also against `taken`)."""
    importer = Importer(default_topic, taken)
    result = importer.result
    if problem := size_problem(len(data)):
        result.errors.append(problem)
    elif b"\x00" in data:
        result.errors.append("the file contains NUL bytes: it is not a UTF-8 Moodle XML file")
    if result.errors:
        return result
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except (DefusedXmlException, ET.ParseError) as exc:
        result.errors.append(_refusal(exc))
        return result
    if root.tag != "quiz":
        result.errors.append(f"not a Moodle XML question file: it starts with <{root.tag}>, "
                             "not <quiz>")
        return result
    for question in root.findall("question"):
        _read_question(question, importer)
    return result


def _read_question(question: Element, importer: Importer) -> None:
    qtype = question.get("type", "")
    if qtype == "category":
        importer.set_category((question.findtext("category/text")
                               or question.findtext("category") or "").strip())
        return
    fields = _Fields(question)
    name = to_plain(question.findtext("name/text") or "", "html").text
    reader = _READERS.get(qtype)
    if reader is None:
        importer.skip(name, qtype, unsupported_reason(qtype))
        return
    prompt, explanation = fields.field("questiontext"), fields.field("generalfeedback")
    try:
        mapped, notes = reader(fields)
    except Unmappable as exc:
        importer.skip(name, qtype, str(exc))
        return
    tags = [(t.findtext("text") or "").strip() for t in question.findall("tags/tag")]
    importer.add(name, qtype, prompt, explanation, mapped, notes, set(fields.media), tags)


# Export ----------------------------------------------------------------------------------


def _text(parent: Element, tag: str, text: str, **attrs: str) -> Element:
    node = ET.SubElement(parent, tag, {"format": "plain_text", **attrs} if tag != "name"
                         else attrs)
    ET.SubElement(node, "text").text = _xml_safe(text)
    return node


def _xml_safe(text: str) -> str:
    """Without the control characters XML 1.0 cannot hold."""
    return "".join(c for c in text if c in "\t\n\r" or c >= " ")


def _answer(parent: Element, text: str, fraction: float, feedback: str) -> Element:
    node = _text(parent, "answer", text, fraction=percent_text(fraction))
    _text(node, "feedback", feedback)
    return node


def _combined(parent: Element, feedback: str) -> None:
    for kind in ("correct", "partiallycorrect", "incorrect"):
        _text(parent, f"{kind}feedback", feedback)


def _write_body(node: Element, q: QuestionSpec) -> str:
    """Type-specific elements; returns the Moodle type name."""
    spec = q.spec
    if q.type in ("single", "multiple"):
        partial = q.type == "multiple" and spec.get("scoring") == "partial"
        fractions = multiple_fractions(spec) if partial else [
            1.0 if o["correct"] else 0.0 for o in spec["options"]]
        ET.SubElement(node, "single").text = "true" if q.type == "single" else "false"
        ET.SubElement(node, "shuffleanswers").text = "true"
        ET.SubElement(node, "answernumbering").text = "abc"
        _combined(node, "")
        for option, fraction in zip(spec["options"], fractions, strict=True):
            _answer(node, option["text"], fraction, option["feedback"])
        return "multichoice" if q.type == "single" or partial else "multichoiceset"
    if q.type == "true_false":
        _answer(node, "true", 1.0 if spec["answer"] else 0.0, spec["feedback_true"])
        _answer(node, "false", 0.0 if spec["answer"] else 1.0, spec["feedback_false"])
        return "truefalse"
    if q.type == "short_answer":
        ET.SubElement(node, "usecase").text = "0"
        for accepted in spec["answers"]:
            _answer(node, accepted.replace("*", "\\*"), 1.0, spec["feedback"])
        return "shortanswer"
    if q.type == "numeric":
        answer = _answer(node, number_text(spec["answer"]), 1.0, spec["feedback"])
        ET.SubElement(answer, "tolerance").text = number_text(spec["tolerance"])
        if spec.get("unit"):
            unit = ET.SubElement(ET.SubElement(node, "units"), "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = _xml_safe(spec["unit"])
        for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0"),
                           ("showunits", "0"), ("unitsleft", "0")):
            ET.SubElement(node, tag).text = value
        return "numerical"
    _combined(node, spec.get("feedback", ""))
    if q.type == "matching":
        ET.SubElement(node, "shuffleanswers").text = "true"
        for pair in spec["pairs"]:
            sub = _text(node, "subquestion", pair["left"])
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = _xml_safe(pair["right"])
        return "matching"
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                       ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"),
                       ("numberingstyle", "none")):
        ET.SubElement(node, tag).text = value
    for position, item in enumerate(spec["items"], start=1):
        _text(node, "answer", item["text"], fraction=str(position))
    return "ordering"


def to_moodle_xml(questions: Sequence[QuestionSpec],
                  category: str) -> tuple[bytes, list[Skipped]]:
    """Moodle XML of the questions under `$course$/top/<category>/<topic>`, and the
    questions Moodle has no type for (not in the file)."""
    fits, left_out = split_exportable(questions, gift=False)
    root = ET.Element("quiz")
    for topic, run in by_topic(fits):
        cat = ET.SubElement(root, "question", type="category")
        ET.SubElement(ET.SubElement(cat, "category"), "text").text = _xml_safe(
            category_path(category, topic))
        for q in run:
            node = ET.SubElement(root, "question")
            _text(node, "name", q.key)
            _text(node, "questiontext", q.prompt)
            _text(node, "generalfeedback", q.explanation)
            ET.SubElement(node, "defaultgrade").text = "1"
            ET.SubElement(node, "idnumber").text = q.key
            node.set("type", _write_body(node, q))
            if q.references:
                tags = ET.SubElement(node, "tags")
                for ref in q.references:
                    ET.SubElement(ET.SubElement(tags, "tag"), "text").text = _xml_safe(ref)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode(), left_out
