"""Moodle GIFT text to course-file question dicts, and question specs back to GIFT.

The parser follows Moodle's own (question/format/gift/format.php): questions are
separated by blank lines, `//` lines are comments, `\\~ \\= \\# \\{ \\} \\: \\\\`
escape, `\\n` is a line break, `::title::` names a question, `[html]`, `[moodle]`,
`[plain]` and `[markdown]` set a text's format, `$CATEGORY:` sets the topic of what
follows. Answers: `{T}`/`{FALSE#wrong#right}`, `{=a ~b}` (single), `{~%50%a ~%50%b
~%-100%c}` (multiple), `{=a =b}` (short answer), `{#3.14:0.01}`, `{#1..5}` (numeric),
`{=left -> right}` (matching), `#feedback`, `####general feedback`; text after the
answers leaves a `_____` blank as Moodle does. `{}` (essay) and the rest are skipped.

Export: `to_gift(...) -> (text, [Skipped])`. GIFT has no ordering, no all-or-nothing
multiple select, no units and no feedback field on matching questions: ordering and
all-or-nothing questions are returned as not exported, a unit is left out, and a
matching question's feedback follows its explanation in the general feedback.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from lms.content.html_text import to_plain
from lms.content.question_export import (
    by_topic,
    category_path,
    matching_feedback_in_explanation,
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
    map_short_answer,
    map_true_false,
)
from lms.content.specs import QuestionSpec

# Escaped specials become private-use characters while the text is split, then go back.
_SPECIALS = "\\~=#{}:n"
_HIDE = {c: chr(0xE000 + i) for i, c in enumerate(_SPECIALS)}
_SHOW = {ord(v): ("\n" if c == "n" else c) for c, v in _HIDE.items()}
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:[.,]\d+)?)%")
_LITERAL_STAR = "\\*"
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}


def _show(text: str) -> str:
    return text.translate(_SHOW)


def _format(text: str, default: str) -> tuple[str, str]:
    """A leading [format] tag, or the default, and the text after it."""
    match = _FORMAT.match(text)
    return (match.group(1).lower(), text[match.end():]) if match else (default, text)


def _plain(text: str, fmt: str, media: list[str]) -> str:
    fmt, text = _format(text, fmt)
    plain = to_plain(_show(text), fmt)
    media.extend(plain.media)
    return plain.text


def _weight(text: str, default: float) -> tuple[float, str]:
    match = _WEIGHT.match(text)
    if match is None:
        return default, text
    return float(match.group(1).replace(",", ".")) / 100, text[match.end():]


def _feedback(text: str) -> tuple[str, str]:
    text, _sep, feedback = text.partition("#")
    return text, feedback


class _Question:
    """One GIFT question block, split into name, text and answer part (still escaped)."""

    def __init__(self, block: str) -> None:
        text = _ESCAPE.sub(lambda m: _HIDE[m.group(1)], block.strip())
        self.name = ""
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                raise ValueError("the title has no closing '::'")
            self.name, text = _show(text[2:end]).strip(), text[end + 2:]
        self.format, text = _format(text.lstrip(), "moodle")
        self.media: list[str] = []
        start = text.find("{")
        self.answer: str | None = None
        self.feedback = ""
        if start < 0:
            self.text = text
            return
        end = text.find("}", start)
        if end < 0:
            raise ValueError("the answers have no closing '}'")
        after = text[end + 1:]
        # Moodle leaves a blank where the answers stood unless they end the question.
        self.text = text[:start] + ("_____" + after if after.strip() else "")
        self.answer, _sep, feedback = text[start + 1:end].partition("####")
        self.answer = self.answer.strip()
        self.feedback = self.plain(feedback) if feedback.strip() else ""

    def plain(self, text: str) -> str:
        return _plain(text.strip(), self.format, self.media)

    def kind(self) -> str:
        answer = self.answer or ""
        if self.answer is None:
            return "description"
        if not answer:
            return "essay"
        if answer.startswith("#"):
            return "numerical"
        if answer.startswith(">"):
            return "ordering"
        if "~" in answer:
            return "multichoice"
        if "=" in answer and "->" in answer:
            return "matching"
        if answer.partition("#")[0].strip().lower() in _TRUE_FALSE:
            return "truefalse"
        return "shortanswer"


def _split(answer: str) -> list[tuple[str, str]]:
    """(marker, text) of each `=`/`~` answer, in order."""
    parts = re.split(r"([=~])", answer)
    if parts[0].strip():
        raise Unmappable(f"has text before its first answer: '{_show(parts[0]).strip()}'")
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def _verbatim(text: str) -> str:
    return to_plain(_show(text), "plain").text


def _answers(q: _Question, default_weight: dict[str, float],
             verbatim: bool = False) -> list[Answer]:
    """Each answer's weight, text and #feedback; short answers are verbatim text (Moodle
    reads no [format] tag or markup in them)."""
    answers = []
    for marker, raw in _split(q.answer or ""):
        fraction, raw = _weight(raw, default_weight[marker])
        text, feedback = _feedback(raw)
        answers.append(Answer(_verbatim(text) if verbatim else q.plain(text), fraction,
                              q.plain(feedback)))
    return answers


def _multichoice(q: _Question) -> Mapped:
    answers = _answers(q, {"=": 1.0, "~": 0.0})
    return map_choice(answers, single="=" in (q.answer or ""))


def _shortanswer(q: _Question) -> Mapped:
    if "~" in (q.answer or ""):
        raise Unmappable("mixes '~' answers into a short answer")
    answer = q.answer or ""
    return map_short_answer(_answers(q, {"=": 1.0}, verbatim=True) if "=" in answer
                            else [Answer(_verbatim(answer), 1.0)])


def _truefalse(q: _Question) -> Mapped:
    value, wrong, right = ((q.answer or "").split("#", 2) + ["", ""])[:3]
    answer = _TRUE_FALSE[value.strip().lower()]
    wrong, right = q.plain(wrong), q.plain(right)
    return map_true_false(answer, right if answer else wrong, wrong if answer else right)


def _matching(q: _Question) -> Mapped:
    pairs = []
    for _marker, raw in _split(q.answer or ""):
        left, arrow, right = raw.partition("->")
        if not arrow:
            raise Unmappable(f"has a matching row without '->': '{_show(raw)}'")
        pairs.append((q.plain(left), _verbatim(right)))
    return map_matching(pairs, "")


def _number(text: str) -> tuple[str, float]:
    text = text.strip()
    try:
        if ".." in text:
            low, high = (float(v) for v in text.split("..", 1))
            return repr((low + high) / 2), abs(high - low) / 2
        if ":" in text:
            value, tolerance = text.split(":", 1)
            return value.strip(), float(tolerance)
        return text, 0.0
    except ValueError:
        raise Unmappable(f"has the answer '{text}', which is not a number or range") from None


def _numerical(q: _Question) -> Mapped:
    answer = (q.answer or "")[1:]
    answer, _tilde, wrong = answer.partition("~")
    answers = []
    for index, raw in enumerate(answer.split("=")):
        if index == 0 and not raw.strip():
            continue
        fraction, raw = _weight(raw, 1.0)
        text, feedback = _feedback(raw)
        value, tolerance = _number(_show(text))
        answers.append(NumberAnswer(value, tolerance, fraction, q.plain(feedback)))
    if wrong:
        answers.append(NumberAnswer("*", 0.0, 0.0, q.plain(_feedback(wrong)[1])))
    return map_numeric(answers)


_READERS: dict[str, Callable[[_Question], Mapped]] = {
    "multichoice": _multichoice, "shortanswer": _shortanswer, "truefalse": _truefalse,
    "matching": _matching, "numerical": _numerical}
_EXTRA_REASONS = {"ordering": "uses qtype_ordering's GIFT extension, which is not supported; "
                              "import the Moodle XML export of this question instead"}


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each blank-line-separated block, comments removed."""
    blocks, lines, start = [], [], 0
    for number, line in enumerate(text.split("\n") + [""], start=1):
        if line.strip():
            if not line.lstrip().startswith("//"):
                start = start or number
                lines.append(line)
            continue
        if lines:
            blocks.append((start, "\n".join(lines)))
        lines, start = [], 0
    return blocks


def parse_gift(text: str, *, default_topic: str, taken: Collection[str] = ()) -> ImportResult:
    """Questions of a GIFT file as course-file dicts (topic from each $CATEGORY, or
    `default_topic`; keys unique, also against `taken`)."""
    importer = Importer(default_topic, taken)
    result = importer.result
    if problem := size_problem(len(text.encode("utf-8", "surrogatepass"))):
        result.errors.append(problem)
    elif "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        result.errors.append(f"line {line} contains a NUL character: this is not a GIFT "
                             "text file")
    if result.errors:
        return result
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\ue000-\ue0ff]", "", text)  # the placeholders of escaped characters
    for line, block in _blocks(text):
        if block.startswith("$CATEGORY:"):
            first, _nl, block = block.partition("\n")
            importer.set_category(first[len("$CATEGORY:"):].strip())
            if not block.strip():
                continue
        try:
            question = _Question(block)
        except ValueError as exc:
            result.errors.append(f"line {line}: {exc}")
            continue
        _read(question, importer)
    return result


def _read(question: _Question, importer: Importer) -> None:
    kind = question.kind()
    prompt = question.plain(question.text)
    name = question.name or prompt[:40]
    reader = _READERS.get(kind)
    if reader is None:
        importer.skip(name, kind, _EXTRA_REASONS.get(kind) or unsupported_reason(kind))
        return
    try:
        fields, notes = reader(question)
    except Unmappable as exc:
        importer.skip(name, kind, str(exc))
        return
    importer.add(name, kind, prompt, question.feedback, fields, notes, set(question.media))


# Export ----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _field(text: str) -> str:
    """Escaped text, marked [plain] when Moodle would otherwise read it as markup or as a
    weight or format tag."""
    plain = bool(re.search(r"[<>&]", text) or _FORMAT.match(text) or _WEIGHT.match(text))
    return ("[plain]" if plain else "") + _escape(text)


def _with_feedback(text: str, feedback: str) -> str:
    return _field(text) + (f"#{_field(feedback)}" if feedback else "")


def _answer_lines(q: QuestionSpec) -> list[str]:
    spec = q.spec
    if q.type == "single":
        return [("=" if o["correct"] else "~") + _with_feedback(o["text"], o["feedback"])
                for o in spec["options"]]
    if q.type == "multiple":
        return [f"~%{percent_text(f)}%" + _with_feedback(o["text"], o["feedback"])
                for o, f in zip(spec["options"], multiple_fractions(spec), strict=True)]
    if q.type == "short_answer":
        # A bare * is Moodle's wildcard; \* is a literal star.
        feedback = f"#{_field(spec['feedback'])}" if spec["feedback"] else ""
        return [f"=%100%{_escape(a.replace('*', _LITERAL_STAR))}{feedback}"
                for a in spec["answers"]]
    if q.type == "numeric":
        value = f"{number_text(spec['answer'])}:{number_text(spec['tolerance'])}"
        return [f"=%100%{value}" + (f"#{_field(spec['feedback'])}" if spec["feedback"] else "")]
    return [f"={_field(p['left'])} -> {_escape(p['right'])}" for p in spec["pairs"]]


def _question(q: QuestionSpec) -> str:
    head = f"// question: {q.key}\n::{q.key}::{_field(q.prompt)}"
    explanation = (matching_feedback_in_explanation(q) if q.type == "matching"
                   else q.explanation)
    tail = f"\t####{_field(explanation)}\n" if explanation else ""
    if q.type == "true_false":
        right = q.spec["feedback_true"] if q.spec["answer"] else q.spec["feedback_false"]
        wrong = q.spec["feedback_false"] if q.spec["answer"] else q.spec["feedback_true"]
        feedback = (f"#{_field(wrong)}" + (f"#{_field(right)}" if right else "")
                    if wrong or right else "")
        value = "TRUE" if q.spec["answer"] else "FALSE"
        return f"{head}{{{value}{feedback}\n{tail}}}\n"
    opener = "{#\n" if q.type == "numeric" else "{\n"
    return head + opener + "".join(f"\t{line}\n" for line in _answer_lines(q)) + tail + "}\n"


def to_gift(questions: Sequence[QuestionSpec],
            category: str = "") -> tuple[str, list[Skipped]]:
    """GIFT text of the questions, a `$CATEGORY:` before each topic, and the questions
    GIFT cannot hold (not in the text)."""
    fits, left_out = split_exportable(questions, gift=True)
    blocks = []
    for topic, run in by_topic(fits):
        path = category_path(category, topic).replace("\n", " ")
        blocks.append(f"$CATEGORY: {path}\n")
        blocks.extend(_question(q) for q in run)
    return "\n".join(blocks), left_out
