"""Possible duplicates in one salon: pairs of cards with the same phone, the same e-mail or similar names.

Bounded work: one pass over the salon's cards (id, folded name, phone, e-mail) puts each card in a few
blocks, and only cards sharing a block are compared, never all pairs:
- e-mail: the same normalised address; phone: the same last 9 digits (the unique index already refuses two
  cards with one E.164 number, but a number stored as typed, unparsed, can still match one that was);
  a block bigger than CONTACT_BLOCK_MAX (a shared placeholder such as "none@none.com") is ignored;
- name: a card goes in two blocks, the first 3 letters of its two longest accent-folded words and their
  last 3 letters (in either order), so inverted words, an extra middle name or a typo at one end of a word
  are still compared; a typo at both ends of a word, or words that change length ranks, are not. Inside a block rapidfuzz's `process.extract` scores each card against the rest (the
  inner loop in C) with token_sort_ratio and keeps those at NAME_SCORE_MIN or more. A block bigger than NAME_BLOCK_MAX is split
  by the whole first word.
Only the best `limit` pairs are kept (a bounded heap), whatever the salon's size.
"""
import dataclasses
import heapq
import re

from rapidfuzz import fuzz, process

from salon_web.db import db
from salon_web.models import SalonCustomer

NAME_SCORE_MIN = 88
CONTACT_BLOCK_MAX = 20
NAME_BLOCK_MAX = 2_000
PHONE_DIGITS = 9
LIMIT = 50
_WORD_BREAKS = re.compile(r"[\W_]+")  # "marie-claire" is two words


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A pair of cards that may be one client, with why."""

    first_id: int
    second_id: int
    score: int
    reasons: tuple


def _name_keys(folded):
    """The blocks of a name: its two longest words by their first 3 letters, and by their last 3."""
    words = sorted(sorted(set(folded.split())), key=len, reverse=True)[:2]
    if not words:
        return ()
    return ("<" + "|".join(sorted(word[:3] for word in words)), ">" + "|".join(sorted(word[-3:] for word in words)))


def _phone_key(phone_e164, phone):
    digits = re.sub(r"\D", "", phone_e164 or phone or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= 7 else None


def _cards(salon):
    """Yield (id, folded name, phone key, e-mail) of the salon's cards that are not forgotten."""
    query = (SalonCustomer.in_salon(salon, SalonCustomer.id, SalonCustomer.name_search, SalonCustomer.phone_e164,
                                    SalonCustomer.phone, SalonCustomer.email)
             .where(SalonCustomer.forgotten_at.is_null()).order_by(SalonCustomer.id).tuples())
    with db.atomic():
        for customer_id, name, phone_e164, phone, email in query.iterator():
            words = _WORD_BREAKS.sub(" ", name or "").strip()
            yield customer_id, words, _phone_key(phone_e164, phone), (email or "").strip().lower() or None


def candidate_pairs(salon, limit=LIMIT):
    """Return the salon's best `limit` candidate pairs, most likely first."""
    names, by_email, by_phone, blocks = {}, {}, {}, {}
    for customer_id, name, phone_key, email in _cards(salon):
        names[customer_id] = name
        if email:
            by_email.setdefault(email, []).append(customer_id)
        if phone_key:
            by_phone.setdefault(phone_key, []).append(customer_id)
        for key in _name_keys(name):
            blocks.setdefault(key, []).append(customer_id)
    contacts = {}
    for reason, groups in (("same phone", by_phone), ("same e-mail", by_email)):
        for ids in groups.values():
            if 1 < len(ids) <= CONTACT_BLOCK_MAX:
                for i, first in enumerate(ids):
                    for second in ids[i + 1:]:
                        contacts.setdefault((first, second), []).append(reason)
    best, in_best = [], set()
    for ids in _bounded(blocks, names):
        for pair, name_score in _similar_pairs(ids, names):
            if pair not in contacts and pair not in in_best:
                _keep(best, in_best, limit, Candidate(*pair, name_score, (f"similar name ({name_score}%)",)))
    for pair, reasons in contacts.items():
        name_score = int(fuzz.token_sort_ratio(names[pair[0]], names[pair[1]]))
        shown = tuple(reasons) + ((f"similar name ({name_score}%)",) if name_score >= NAME_SCORE_MIN else ())
        _keep(best, in_best, limit, Candidate(*pair, name_score + 100 * len(reasons), shown))
    return [entry[-1] for entry in sorted(best, reverse=True)]


def _bounded(blocks, names):
    """Yield the name blocks to compare, a too-large block split by its cards' whole first word."""
    for ids in blocks.values():
        if len(ids) < 2:
            continue
        if len(ids) <= NAME_BLOCK_MAX:
            yield ids
            continue
        smaller = {}
        for customer_id in ids:
            smaller.setdefault(" ".join(sorted(names[customer_id].split())[:1]), []).append(customer_id)
        yield from (part[:NAME_BLOCK_MAX] for part in smaller.values() if len(part) > 1)


def _similar_pairs(ids, names):
    """Yield ((smaller id, larger id), score) for the pairs of one block whose names are similar enough."""
    texts = [names[customer_id] for customer_id in ids]
    for index, text in enumerate(texts[:-1]):
        rest = texts[index + 1:]
        for _, score, offset in process.extract(text, rest, scorer=fuzz.token_sort_ratio,
                                                score_cutoff=NAME_SCORE_MIN, limit=None):
            first, second = ids[index], ids[index + 1 + offset]
            yield (min(first, second), max(first, second)), int(score)


def _keep(best, in_best, limit, candidate):
    """Keep `candidate` in the bounded heap of the best pairs (ties: the newer cards first)."""
    pair = (candidate.first_id, candidate.second_id)
    entry = (candidate.score, candidate.second_id, candidate.first_id, candidate)
    if len(best) < limit:
        heapq.heappush(best, entry)
        in_best.add(pair)
    elif entry[:3] > best[0][:3]:
        evicted = heapq.heapreplace(best, entry)
        in_best.discard((evicted[2], evicted[1]))
        in_best.add(pair)
