"""Small-cell suppression over a report's whole cube: rows × columns × periods.

A count from 1 to threshold − 1 is "small" and never shown (primary suppression). Then,
in every line that adds up to a total (the cells of a row and the row's total; of a
column; the quarters of a year and the year; the years and all time), if exactly one
member is hidden, one more is hidden (complementary suppression): the smallest non-zero
count, a component before the total. One hidden member of a sum is its line's
difference. Two hidden in every line is not yet enough: lines cross, and a hidden cell
can still follow from several of them together (row m's total is the grand total minus
a shown column, once shown zeros pin the column down). So each stage ends with an exact
audit (lms/reporting/audit.py) over all the lines published so far, and for every
concealed cell it could still work out, one more cell of a line through it is hidden;
until nothing can be worked out. Zero is shown: it describes no one.

The work is done in stages, each freezing the one before: the period totals first, then
each dimension's totals, then the inner cells. So the totals of a dimension are hidden
the same way whichever other dimension they are crossed with, and the overview's period
totals are the same on every page: tables that share totals cannot be played off against
each other.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from lms.reporting.audit import derivable

Cell = Hashable
Group = tuple[Cell, Sequence[Cell]]  # (the total, the cells that add up to it)


@dataclass
class Protection:
    small: set[Cell] = field(default_factory=set)  # under the threshold: "<5"
    hidden: set[Cell] = field(default_factory=set)  # hidden so the small stay hidden: "x"

    def state(self, cell: Cell) -> str:
        if cell in self.small:
            return "small"
        return "hidden" if cell in self.hidden else "shown"

    def concealed(self, cell: Cell) -> bool:
        return cell in self.small or cell in self.hidden


def protect_stage(values: dict[Cell, float], cells: Iterable[Cell], groups: Sequence[Group],
                  threshold: int, done: Protection, frozen: set[Cell],
                  earlier: Sequence[Group] = ()) -> None:
    """Suppress within `cells` (the stage's own), given the earlier stages in `frozen`
    and their lines in `earlier` (read by the audit, which sees everything published)."""
    own = [cell for cell in cells if cell not in frozen]
    done.small.update(cell for cell in own if 0 < values.get(cell, 0) < threshold)
    _close_lone_lines(values, groups, done, frozen)
    lines = [*earlier, *groups]
    through: dict[Cell, list[Group]] = {}
    for group in groups:
        for cell in (group[0], *group[1]):
            through.setdefault(cell, []).append(group)
    while True:
        leaks = derivable(lines, done.concealed)
        if not leaks:
            return
        hidden_now = False
        for cell in sorted(leaks, key=repr):
            pick = _widen(values, cell, through, done, frozen)
            if pick is not None:
                done.hidden.add(pick)
                hidden_now = True
        if not hidden_now:
            return  # nothing of this stage is left to hide (an earlier stage's concern)
        _close_lone_lines(values, groups, done, frozen)


def _widen(values, leak: Cell, through: dict, done: Protection, frozen: set[Cell]):
    """A cell to hide so `leak` no longer follows: the best free member of a line through
    it, else of a line through a concealed cell that shares a line with it, and so on."""
    seen, ring = {leak}, [leak]
    while ring:
        candidates = []
        for cell in ring:
            for total, parts in through.get(cell, ()):
                pick = _complement(values, total, parts, done, frozen)
                if pick is not None:
                    candidates.append((pick == total, values.get(pick, 0) == 0,
                                       values.get(pick, 0), repr(pick), pick))
        if candidates:
            return min(candidates)[-1]
        ring = [member for cell in ring for total, parts in through.get(cell, ())
                for member in (total, *parts)
                if member not in seen and done.concealed(member) and not seen.add(member)]
    return None


def _close_lone_lines(values, groups: Sequence[Group], done: Protection,
                      frozen: set[Cell]) -> None:
    """No line keeps exactly one concealed member."""
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            members = [total, *parts]
            if sum(done.concealed(cell) for cell in members) != 1:
                continue
            pick = _complement(values, total, parts, done, frozen)
            if pick is not None:
                done.hidden.add(pick)
                changed = True


def _complement(values, total, parts, done: Protection, frozen: set[Cell]) -> Cell | None:
    """The member to hide with the lone hidden one: the smallest non-zero visible count
    this stage may still hide, a component before the total; a zero only when nothing
    else is left (it is then no secret that it is zero, but nothing better exists)."""
    free = [cell for cell in (*parts, total)
            if not done.concealed(cell) and cell not in frozen]
    if not free:
        return None
    nonzero = [cell for cell in free if values.get(cell, 0) > 0]
    pool = nonzero or free
    return min(pool, key=lambda cell: (cell == total, values.get(cell, 0)))


def lone_hidden_groups(groups: Sequence[Group], done: Protection) -> list[Group]:
    """Lines with exactly one hidden member (a test's check; empty when protected)."""
    return [group for group in groups
            if sum(done.concealed(cell) for cell in (group[0], *group[1])) == 1]
