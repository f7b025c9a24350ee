"""Client-book imports: owners and admins only (employees 403, other salons 404)."""
from salon_web.services import customer_import as imports
from salon_web.services.import_files import Table
from tests.access import Route


def prepare(world):
    """One uploaded (not yet run) import in each salon."""
    table = Table("csv", ["Name", "Phone"], [["Walk Test", "0788 765 432"]])
    mine = imports.start_import(world.salon, table, "walk.csv")
    theirs = imports.start_import(world.other_salon, Table("csv", ["Nom"], [["Autre"]]), "autre.csv")
    return {"import": mine.id, "other_import": theirs.id}


I = "/salons/{salon}/imports/{import}"
FOREIGN = "/salons/{salon}/imports/{other_import}"  # another salon's import under this salon's URL

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("imports.import_list", "GET", "/salons/{salon}/imports", 302, 200, 200, 404, 403),
    Route("imports.upload", "POST", "/salons/{salon}/imports", 302, 422, 422, 404, 403),
    Route("imports.show", "GET", I, 302, 200, 200, 404, 403),
    Route("imports.show", "GET", FOREIGN, 302, 404, 404, 404, 403),
    Route("imports.preview", "POST", I + "/preview", 302, 422, 422, 404, 403),
    Route("imports.preview", "POST", FOREIGN + "/preview", 302, 404, 404, 404, 403),
    Route("imports.apply", "POST", I + "/apply", 302, 409, 409, 404, 403),
    Route("imports.rejected", "GET", I + "/rejected.csv", 302, 200, 200, 404, 403),
    Route("imports.rejected", "GET", FOREIGN + "/rejected.csv", 302, 404, 404, 404, 403),
    Route("imports.undo", "POST", I + "/undo", 302, 409, 409, 404, 403),
]
