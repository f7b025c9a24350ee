"""Possible duplicates in one salon: pairs of cards with the same phone, the same e-mail or similar names.

Bounded work: one pass over the salon's cards (id, folded name, phone, e-mail) puts each card in a few
blocks, and only cards sharing a block are compared, never all pairs:
- e-mail: the same normalised address; phone: the same last 9 digits (the unique index already refuses two
  cards with one E.164 number, but a number stored as typed, unparsed, can still match one that was);
  a block bigger than CONTACT_BLOCK_MAX (a shared placeholder such as "none@none.com") is ignored;
- name: cards with the same folded name are a pair at 100%. Distinct names alone are then compared: each
  goes in two blocks, the first 3 letters of its two longest words and their last 3 letters (in either
  order), so inverted words, an extra middle name or a typo at one end of a word are still compared (a typo
  at both ends of a word is not). Inside a block rapidfuzz's `process.extract` scores each name against the
  rest (the inner loop in C) with token_sort_ratio and keeps those at NAME_SCORE_MIN or more; a block of
  more than NAME_BLOCK_MAX names is split by the longest word.
Only the best `limit` pairs are kept (a bounded heap), whatever the salon's size.
"""
import dataclasses
import heapq
import re

from rapidfuzz import fuzz, process

from salon_web.db import db
from salon_web.models import SalonCustomer
from salon_web.services.export import iter_rows
from salon_web.texts import _l

NAME_SCORE_MIN = 88
CONTACT_BLOCK_MAX = 20
NAME_BLOCK_MAX = 2_000
PHONE_DIGITS = 9
LIMIT = 50
_WORD_BREAKS = re.compile(r"[\W_]+")  # "marie-claire" is two words
_NOT_DIGITS = re.compile(r"\D")


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
    if phone_e164:
        return phone_e164[-PHONE_DIGITS:]
    digits = _NOT_DIGITS.sub("", phone or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= 7 else None


def _cards(salon):
    """Yield (id, folded name, phone key, e-mail) of the salon's cards that are not forgotten.

    Raw rows from the bare cursor (a named one on PostgreSQL): peewee's per-row conversion cost more than
    everything else on 200,000 cards.
    """
    query = (SalonCustomer.in_salon(salon, SalonCustomer.id, SalonCustomer.name_search, SalonCustomer.phone_e164,
                                    SalonCustomer.phone, SalonCustomer.email)
             .where(SalonCustomer.forgotten_at.is_null()).order_by(SalonCustomer.id))
    with db.atomic():
        for customer_id, name, phone_e164, phone, email in iter_rows(query):
            name = name or ""
            if not name.replace(" ", "").isalnum():
                name = _WORD_BREAKS.sub(" ", name).strip()
            yield customer_id, name, _phone_key(phone_e164, phone), email.strip().lower() if email else None


def candidate_pairs(salon, limit=LIMIT):
    """Return the salon's best `limit` candidate pairs, most likely first."""
    names, by_name, by_email, by_phone = {}, {}, {}, {}
    for customer_id, name, phone_key, email in _cards(salon):
        names[customer_id] = name
        by_name.setdefault(name, []).append(customer_id)
        if email:
            by_email.setdefault(email, []).append(customer_id)
        if phone_key:
            by_phone.setdefault(phone_key, []).append(customer_id)
    contacts = {}
    for reason, groups in ((_l("same phone"), by_phone), (_l("same e-mail"), by_email)):
        for ids in groups.values():
            if 1 < len(ids) <= CONTACT_BLOCK_MAX:
                for i, first in enumerate(ids):
                    for second in ids[i + 1:]:
                        contacts.setdefault((first, second), []).append(reason)
    best, in_best = [], set()

    def consider(first_ids, second_ids, score, reason):
        for pair in _some_pairs(first_ids, second_ids, limit):
            if pair not in contacts and pair not in in_best:
                _keep(best, in_best, limit, Candidate(*pair, score, (reason,)))

    # Only distinct names are compared: a salon's hundred "Marie Uwase" cost one comparison, not 4,950.
    for name, ids in by_name.items():
        if name and len(ids) > 1:
            consider(ids, ids, 100, _l("same name"))
    blocks = {}
    for name in by_name:
        for key in _name_keys(name):
            blocks.setdefault(key, []).append(name)
    for block in _bounded(blocks):
        for first, second, score in _similar_names(block):
            consider(by_name[first], by_name[second], score, _l("similar name (%(score)s%%)", score=score))
    for pair, reasons in contacts.items():
        name_score = int(fuzz.token_sort_ratio(names[pair[0]], names[pair[1]]))
        similar = (_l("similar name (%(score)s%%)", score=name_score),) if name_score >= NAME_SCORE_MIN else ()
        shown = tuple(reasons) + similar
        _keep(best, in_best, limit, Candidate(*pair, name_score + 100 * len(reasons), shown))
    return [entry[-1] for entry in sorted(best, reverse=True)]


def _some_pairs(first_ids, second_ids, limit):
    """Yield at most `limit` (smaller id, larger id) pairs of different cards, newest cards first."""
    count = 0
    for first in reversed(first_ids):
        for second in reversed(second_ids):
            if first == second or (first_ids is second_ids and second > first):
                continue
            yield (min(first, second), max(first, second))
            count += 1
            if count >= limit:
                return


def _bounded(blocks):
    """Yield the blocks of distinct names to compare, a too-large block split by its names' longest word."""
    for block in blocks.values():
        if len(block) < 2:
            continue
        if len(block) <= NAME_BLOCK_MAX:
            yield block
            continue
        smaller = {}
        for name in block:
            smaller.setdefault(max(name.split(), key=len), []).append(name)
        yield from (part[:NAME_BLOCK_MAX] for part in smaller.values() if len(part) > 1)


def _similar_names(block):
    """Yield (name, other name, score) for the different names of one block that are similar enough."""
    for index, text in enumerate(block[:-1]):
        for other, score, _ in process.extract(text, block[index + 1:], scorer=fuzz.token_sort_ratio,
                                               score_cutoff=NAME_SCORE_MIN, limit=None):
            yield text, other, int(score)


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
