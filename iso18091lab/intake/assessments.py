"""Cleaning an assessments table: scores and lights on the 0-100 scale, indicator ids Excel made numbers
(:func:`_recover_indicators`), the catalog's maxima and pillars."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from iso18091lab.catalog import normalise_indicator_id
from iso18091lab.config import Scale
from iso18091lab.intake.bodies import _Bodies
from iso18091lab.intake.clean import NOT_ASSESSED, parse_number, parse_rater, parse_rating
from iso18091lab.intake.columnar import (_Cleaned, _Problems, _Table, _assessed_on, _blank, _distinct, _parse_unique,
                                         _per_unique, _texts, _unique_rows, _wave_dates, _whole)
from iso18091lab.normalize import nfc


def _indicator_id(value: object) -> str | None:
    """:func:`~iso18091lab.catalog.normalise_indicator_id`, remembered per cell value (every sheet repeats them)."""
    try:
        return _indicator_id_cached(value)
    except TypeError:  # an unhashable cell
        return normalise_indicator_id(value)


@lru_cache(maxsize=1 << 14, typed=True)
def _indicator_id_cached(value: object) -> str | None:
    return normalise_indicator_id(value)


def _ordered_between(resolved: list, position: dict[str, int], typed: str, candidate: str) -> bool:
    """Whether a row of the block already read lies between ``typed`` and ``candidate`` in catalog order ('1.2'
    … '1.9' between '1.1' and '1.10'): the evidence that lets a *text* id be read as its longer sibling. Without it
    a repeated text id is a typed duplicate, not another indicator."""
    low, high = sorted((position.get(typed, -1), position[candidate]))
    return any(p is not None and low < p < high for p in resolved)


def _recover_indicators(table: _Table, catalog_ids: list[str], problems: _Problems,
                        block_keys: list[np.ndarray], recovered: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The indicator id of every row (None where it is not an id), recovering ids that Excel may have turned
    into numbers ('1.10' typed into a General cell is 1.1).

    A cell is *suspect* when its id has a longer sibling in the catalog that reads as the same number ('1.1'
    and '1.10') and either the cell holds a number or its block repeats the id. A block is one body, wave and
    rater in one sheet, in row order; sheets list indicators in catalog order, so a suspect cell is recovered
    when exactly one candidate not used by another row of the block fits between its neighbours' positions (or
    the block holds as many such rows as candidates, each a number, in order). A *text* cell is read as its longer
    sibling only when a row of the block lies between the two in catalog order (:func:`_ordered_between`);
    otherwise it keeps the id as typed (a repeated id is then a duplicate or a conflict, as any other). Otherwise the row is quarantined ('ambiguous_indicator') with how to fix the sheet.
    Never dropped silently; every id read otherwise than typed is appended to ``recovered`` as (row, id as
    typed, id recovered), for the data-quality report.
    """
    uniques = table.values("indicator")
    unique_ids = np.array([_indicator_id(u) for u in uniques], dtype=object)
    ids = unique_ids[table.codes("indicator")]
    position = {ind: i for i, ind in enumerate(catalog_ids)}
    same_number: dict[float, list[str]] = {}
    for ind in catalog_ids:
        same_number.setdefault(float(ind), []).append(ind)
    ambiguous = {ind for ids_ in same_number.values() if len(ids_) > 1 for ind in ids_}
    unique_amb = np.array([u in ambiguous for u in unique_ids], dtype=bool)
    flagged = np.zeros(table.n, dtype=bool)
    if not unique_amb.any():
        return ids, flagged
    numeric = np.array([isinstance(u, (int, float)) and not isinstance(u, bool) for u in uniques],
                       dtype=bool)[table.codes("indicator")]
    amb = unique_amb[table.codes("indicator")]
    # a repeated id is an ambiguous one: look for repeats among the ambiguous rows only
    among = np.flatnonzero(amb)
    keys = [pd.factorize(np.asarray(key, dtype=object)[among])[0] for key in block_keys]
    keys.append(pd.factorize(ids[among])[0])
    repeated = np.zeros(table.n, dtype=bool)
    if len(among):
        same = _unique_rows([k + 1 for k in keys])[1]  # NA (-1) becomes a value of its own
        repeated[among] = np.bincount(same)[same] > 1
    suspect = amb & (numeric | repeated)
    if not suspect.any():
        return ids, flagged
    folded = np.stack([pd.factorize(np.asarray(key, dtype=object))[0] for key in block_keys], axis=1)
    block = np.unique(folded, axis=0, return_inverse=True)[1].reshape(-1)
    number = np.array([float(i) if i is not None else np.nan for i in ids])
    ids = ids.copy()
    for b in np.unique(block[suspect]):
        members = np.flatnonzero(block == b)  # in row order within the table
        member_ids = ids[members]
        member_suspect = suspect[members]
        resolved = [position[i] if (not s and i in position) else None for i, s in zip(member_ids, member_suspect)]
        used = {i for i, s in zip(member_ids, member_suspect) if not s and i in position}
        for j, row in enumerate(members):
            if not member_suspect[j]:
                continue
            before = [p for p in resolved[:j] if p is not None]
            after = [p for p in resolved[j + 1:] if p is not None]
            low, high = (before[-1] if before else -1), (after[0] if after else len(catalog_ids))
            options = same_number[number[row]]
            fits = [c for c in options if low < position[c] < high and c not in used]
            if len(fits) > 1:
                waiting = [members[m] for m in range(j, len(members))
                           if member_suspect[m] and number[members[m]] == number[row]]
                # as many rows as candidates, each a number: Excel turned them all into the same number, and they
                # come in catalog order; a repeated *text* id with no row between is a typed duplicate
                if len(waiting) == len(fits) and numeric[waiting].all():
                    fits = fits[:1]
            if len(fits) == 1 and (numeric[row] or _ordered_between(resolved, position, member_ids[j], fits[0])):
                choice = fits[0]
            elif not numeric[row]:  # text out of order, or repeated with nothing to order it by: the id as typed
                choice = member_ids[j]
            else:
                problems.add([row], "indicator", nfc(table.raw("indicator")[row]), "ambiguous_indicator",
                             f" ({' / '.join(options)})")
                ids[row] = None
                flagged[row] = True
                continue
            if recovered is not None and choice != member_ids[j]:
                recovered.append((row, member_ids[j], choice))
            ids[row] = choice
            resolved[j] = position[choice]
            used.add(choice)
    return ids, flagged


def _clean_assessments(table: _Table, bodies: _Bodies, catalog: pd.DataFrame | tuple, scale: Scale,
                       problems: _Problems) -> _Cleaned:
    """The clean columns of every row of an assessments table (rows with problems are dropped later);
    ``catalog`` indexed by indicator, or its :func:`_catalog_lookups`."""
    days = _wave_dates(table, problems)
    body, province = bodies.locate(table, problems, days)
    year = _parse_unique(table, "year", _whole(1990, 2100, "bad_year"), problems, required=True)
    round_ = _parse_unique(table, "round", _whole(1, 1000, "bad_round"), problems, default=1)
    rater = _parse_unique(table, "rater", lambda v: parse_rater(nfc(v)), problems, required=True)
    catalog_ids, in_catalog, max_of, pillar_of = _catalog_lookups(catalog)
    typed = _unique_rows([table.codes(c) for c in ("province", "unit", "code")])[1]
    rater_id = _texts(table, "rater_id")
    block_keys = [table.parts(), np.where(body >= 0, body, -1 - typed), year, round_, rater, rater_id]
    recovered: list[tuple[int, str, str]] = []
    indicator, recovered_problem = _recover_indicators(table, catalog_ids, problems, block_keys, recovered)
    for row, typed_id, read_id in recovered:  # listed with the name matches: "1.1" read as "1.10", how many rows
        if body[row] >= 0:
            key = (bodies.rows[body[row]]["province"], typed_id, read_id, "", "indicator_order")
            bodies.name_matches[key] = bodies.name_matches.get(key, 0) + 1
    indicator_blank = _blank(table, "indicator")
    missing = np.flatnonzero(indicator_blank)
    problems.add(missing, "indicator", "", "missing_value")
    indicator_distinct = _distinct(indicator)
    known = _per_unique(indicator_distinct, lambda i: i is not None and i in in_catalog, bool)
    unknown = np.flatnonzero(~known & ~indicator_blank & ~recovered_problem)
    problems.add(unknown, "indicator", _texts(table, "indicator")[unknown], "unknown_indicator")
    max_score = _per_unique(indicator_distinct, lambda i: max_of.get(i, np.nan), float)

    score_blank = _blank(table, "score")
    rating_blank = _blank(table, "rating")
    score = np.array(_parse_unique(table, "score", parse_number, problems, default=np.nan), dtype=float)
    out_of_range = np.flatnonzero(~np.isnan(score) & ~np.isnan(max_score) & ((score < 0) | (score > max_score)))
    problems.add(out_of_range, "score", _texts(table, "score")[out_of_range], "score_out_of_range",
                 np.array([f"{m:g}" for m in max_score[out_of_range]], dtype=object))
    rating = _parse_unique(table, "rating", lambda v: parse_rating(nfc(v)), problems)
    neither = np.flatnonzero(score_blank & rating_blank)
    problems.add(neither, "score", "", "missing_score")
    both = np.flatnonzero(~np.isnan(score) & (rating == NOT_ASSESSED))
    problems.add(both, "rating", _texts(table, "rating")[both], "score_and_not_assessed")

    not_assessed = rating == NOT_ASSESSED
    has_score = ~np.isnan(score)
    with np.errstate(invalid="ignore", divide="ignore"):
        from_points = 100.0 * score / max_score
    light_100 = _per_unique(rating, lambda r: scale.rating_to_100.get(r, np.nan) if isinstance(r, str) else np.nan,
                            float)
    score_100 = np.where(has_score, from_points, np.where(not_assessed, np.nan, light_100))
    derived = _per_unique(from_points, lambda v: scale.rating_of(v) if v is not None else None)
    final_rating = np.where(has_score, np.where(rating == None, derived, rating),  # noqa: E711
                            np.where(not_assessed, None, rating))
    source = np.where(has_score, 0, np.where(not_assessed, 1, 2)).astype(np.int8)  # codes: categories below
    assessed_on = _assessed_on(table, days, year, problems)
    columns = {
        "_body": body, "year": year, "round": round_, "assessed_on": assessed_on, "rater": rater,
        "rater_id": np.where(rater_id == "", None, rater_id), "indicator": indicator,
        "pillar": _per_unique(indicator_distinct, pillar_of.get), "score": score, "max_score": max_score,
        "score_100": score_100, "rating": final_rating, "not_assessed": not_assessed, "score_source": source,
    }
    return _Cleaned(columns, province, categories={"score_source": SCORE_SOURCES})


#: Where a score row's 0-100 value comes from (``score_source``).
SCORE_SOURCES = ["points", "not_assessed", "rating"]


def _catalog_lookups(catalog: pd.DataFrame | tuple) -> tuple[list, set, dict, dict]:
    """(indicator ids in order, the set of them, max score by id, pillar by id) of a catalog indexed by
    indicator; given as such a tuple (made once by ingest, not once per sheet), returned as it is."""
    if isinstance(catalog, tuple):
        return catalog
    return catalog.index.tolist(), set(catalog.index), catalog["max_score"].to_dict(), catalog["pillar"].to_dict()
