"""Expected answers for every route, per role: one module per area, collected by test_access_matrix.

Each module defines ROUTES, a list of `Route`s. Paths are templates filled from the
`world` fixture: {salon}, {other_salon}, {customer}, {other_customer}, plus any key a
module's `prepare(world)` function adds to the dict it returns.
"""
import dataclasses
import importlib
import pkgutil

ROLES = ("anonymous", "admin", "owner", "other_owner", "employee")


@dataclasses.dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str
    anonymous: int
    admin: int
    owner: int
    other_owner: int
    employee: int
    data: dict = dataclasses.field(default_factory=dict)

    def expected(self, role):
        return getattr(self, role)


def all_modules():
    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]


def all_routes():
    return [route for module in all_modules() for route in module.ROUTES]
