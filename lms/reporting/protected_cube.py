"""A report's sums for every (row, column, period), margins included, with each guarding
count suppressed in stages (lms/reporting/suppression.py):

1. the period totals (the overview's numbers). For a report narrowed to a country, a
   sector or a course, these are the unfiltered report's row for that country, sector
   or course, suppressed as it is there: the whole minus the filtered parts gives
   nothing the unfiltered table hides;
2. each dimension's totals by period, against the period totals only, so a dimension's
   totals are the same in every table it appears in, as rows or as columns;
3. the inner cells, against all of the above, always in one orientation (a table and
   its transpose hide the same cells).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from lms.reporting import cube
from lms.reporting.dimensions import DIMENSIONS, Dimension, course_dimension
from lms.reporting.filters import Filters
from lms.reporting.periods import ALL
from lms.reporting.suppression import Group, Protection, protect_stage

TOTAL = "total"
T = TOTAL
ORDER = [*DIMENSIONS, "course"]  # the orientation the inner cells are suppressed in


@dataclass
class Cube:
    rows: list[str]
    cols: list[str]
    years: list[str]
    sums: dict[tuple[str, str, str], dict]
    protections: dict[str, Protection]

    def quarters(self, year: str) -> list[str]:
        return [f"{year}-Q{q}" for q in range(1, 5)]

    def periods(self) -> list[str]:
        return [ALL, *self.years, *(q for y in self.years for q in self.quarters(y))]

    def period_groups(self, r: str, c: str) -> list[Group]:
        groups: list[Group] = [((r, c, y), [(r, c, q) for q in self.quarters(y)])
                               for y in self.years]
        groups.append(((r, c, ALL), [(r, c, y) for y in self.years]))
        return groups

    def transposed(self) -> Cube:
        def flip(key):
            return (key[1], key[0], key[2])

        return Cube(self.cols, self.rows, self.years,
                    {flip(key): sums for key, sums in self.sums.items()},
                    {guard: Protection({flip(k) for k in p.small}, {flip(k) for k in p.hidden})
                     for guard, p in self.protections.items()})


def _accumulate(base: dict, names: tuple[str, ...], with_rows: bool, with_cols: bool):
    sums: dict = defaultdict(lambda: dict.fromkeys(names, 0))
    years: set[str] = set()
    for (r, c, quarter), found in base.items():
        year = quarter[:4]
        years.add(year)
        for rr in ((r, TOTAL) if with_rows else (TOTAL,)):
            for cc in ((c, TOTAL) if with_cols else (TOTAL,)):
                for period in (quarter, year, ALL):
                    target = sums[(rr, cc, period)]
                    for name in names:
                        target[name] += found[name]
    return sums, sorted(years)


# The filters that split the learners' enrolments into parts (each enrolment in one).
_PARTITIONS = (("country", "country"), ("sector", "sector"), ("course_id", "course"))


def _parent(filters: Filters):
    """(the filters without up to two partition filters, their dimensions, the cell
    they pick), or None when no such filter is set."""
    chosen = [(field, key) for field, key in _PARTITIONS
              if getattr(filters, field) is not None][:2]
    if not chosen:
        return None
    dims = [course_dimension() if key == "course" else DIMENSIONS[key] for _f, key in chosen]
    picked = [dim.bucket(getattr(filters, field))
              for (field, _k), dim in zip(chosen, dims, strict=True)]
    wider = replace(filters, **{field: None for field, _key in chosen})
    if len(dims) == 1:
        return wider, dims[0], DIMENSIONS["none"], (picked[0], T)
    return wider, dims[0], dims[1], tuple(picked)


def build_cube(filters: Filters, rows: Dimension, cols: Dimension, names: tuple[str, ...],
               guards: tuple[str, ...], threshold: int, *, base: dict | None = None) -> Cube:
    if base is None and ORDER.index(rows.key) > ORDER.index(cols.key):
        return build_cube(filters, cols, rows, names, guards, threshold).transposed()
    base = cube.aggregate(filters, rows, cols) if base is None else base
    sums, years = _accumulate(base, names, rows.column is not None, cols.column is not None)
    result = Cube([c.key for c in rows.categories()], [c.key for c in cols.categories()],
                  years, sums, {})
    parent = _parent(filters) if guards else None
    outer = None
    if parent is not None:
        wider, first, second, (a, b) = parent
        outer = build_cube(wider, first, second, names, guards, threshold)
        outer_keys = (a, b)
    for guard in guards:
        preset = None
        if outer is not None:
            preset = {p: outer.protections[guard].state((*outer_keys, p))
                      for p in outer.periods()}
        result.protections[guard] = _protect(result, guard, threshold, preset)
    return result


def _stage_one(data: Cube, done: Protection, preset: dict[str, str]) -> None:
    for period, state in preset.items():
        if state == "small":
            done.small.add((T, T, period))
        elif state == "hidden":
            done.hidden.add((T, T, period))


def _protect(data: Cube, guard: str, threshold: int,
             preset: dict[str, str] | None = None) -> Protection:
    values = {cell: sums[guard] for cell, sums in data.sums.items()}
    done, frozen = Protection(), set()
    periods = data.periods()
    first = data.period_groups(T, T)

    def stage(cells, groups, earlier):
        cells = list(cells)
        groups = [(total, parts) for total, parts in groups if parts]
        protect_stage(values, cells, groups, threshold, done, frozen, earlier)
        frozen.update(cells)
        return groups

    if preset is None:
        stage(((T, T, p) for p in periods), first, [])
    else:  # the unfiltered report's suppression of this part, already safe by period
        _stage_one(data, done, preset)
        frozen.update((T, T, p) for p in periods)
    by_rows = stage(((r, T, p) for r in data.rows for p in periods),
                    [((T, T, p), [(r, T, p) for r in data.rows]) for p in periods]
                    + [g for r in data.rows for g in data.period_groups(r, T)], first)
    by_cols = stage(((T, c, p) for c in data.cols for p in periods),
                    [((T, T, p), [(T, c, p) for c in data.cols]) for p in periods]
                    + [g for c in data.cols for g in data.period_groups(T, c)], first)
    if data.rows and data.cols:
        stage(((r, c, p) for r in data.rows for c in data.cols for p in periods),
              [((T, c, p), [(r, c, p) for r in data.rows]) for c in data.cols for p in periods]
              + [((r, T, p), [(r, c, p) for c in data.cols])
                 for r in data.rows for p in periods]
              + [g for r in data.rows for c in data.cols for g in data.period_groups(r, c)],
              [*first, *by_rows, *by_cols])
    return done
