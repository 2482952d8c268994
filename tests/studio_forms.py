"""What the studio's question editor posts for one question of each type (tests share it)."""
from __future__ import annotations


def rows(name: str, rows: list[dict], prefix: str = "") -> dict:
    data = {f"{prefix}{name}-rows": str(len(rows))}
    for i, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}{name}-{i}-{field}"] = value
    return data


def type_fields(qtype: str, prefix: str = "") -> dict:
    p = prefix
    if qtype == "single":
        return {**rows("option", [{"text": "ACTIP Article 14(7)", "feedback": "Right."},
                                  {"text": "Palermo Article 3", "feedback": "A definition."}],
                       p), f"{p}correct": "0"}
    if qtype == "multiple":
        return {**rows("option", [{"text": "Force"}, {"text": "Fraud"}, {"text": "Consent"}],
                       p), f"{p}correct": ["0", "1"], f"{p}scoring": "partial"}
    if qtype == "true_false":
        return {f"{p}answer": "false", f"{p}feedback_false": "Right: it has none."}
    if qtype == "short_answer":
        return {f"{p}answers": "ACTIP\nASEAN Convention"}
    if qtype == "numeric":
        return {f"{p}answer": "2015", f"{p}tolerance": "0"}
    if qtype == "matching":
        return rows("pair", [{"left": "Act", "right": "Recruitment"},
                             {"left": "Means", "right": "Deception"}], p)
    if qtype == "ordering":
        return rows("item", [{"text": "Identify"}, {"text": "Refer"}, {"text": "Protect"}], p)
    raise ValueError(qtype)


def question_form(qtype: str, key: str, *, topic: str = "basics") -> dict:
    data = {"action": "save", "key": key, "topic": topic,
            "prompt": f"A {qtype} question?", "explanation": "Because.",
            "ref-rows": "1", "ref-0-instrument": "ACTIP Art.", "ref-0-number": "14(7)"}
    if qtype == "scenario":
        data.update({"vignette": "Ms A was recruited with a false job offer.",
                     "part-count": "2", "part-0-key": "p1", "part-0-type": "single",
                     "part-0-prompt": "Is she a victim?", "part-1-key": "p2",
                     "part-1-type": "true_false", "part-1-prompt": "She must be punished."})
        data.update(type_fields("single", "part-0-"))
        data.update(type_fields("true_false", "part-1-"))
        return data
    data.update(type_fields(qtype))
    return data
