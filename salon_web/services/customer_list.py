"""The salon's customer list: newest visit first, customers who never came last."""
from peewee import Case

from salon_web.models import SalonCustomer
from salon_web.services.text import fold

PER_PAGE = 25


def customer_page(salon, *, q="", page=1, per_page=PER_PAGE):
    """Return (customers, total) for one page of the salon's customers matching `q`."""
    query = SalonCustomer.select().where(SalonCustomer.salon == salon)
    if q:
        query = query.where(SalonCustomer.name_search.contains(fold(q)))
    total = query.count()
    never_came = Case(None, [(SalonCustomer.last_visit_at.is_null(), 1)], 0)
    rows = query.order_by(never_came, SalonCustomer.last_visit_at.desc(), SalonCustomer.id.desc())
    return list(rows.paginate(page, per_page)), total
