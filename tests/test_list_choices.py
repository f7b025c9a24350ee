"""The list's choices (tag names, services, segments) come in one statement, each in its own order, per salon."""
from playhouse.test_utils import assert_query_count

from salon_web.models import SavedSegment, Tag
from salon_web.services.list_choices import list_choices
from salon_web.services.service_menu import save_service


def test_choices_of_one_salon_in_their_orders(world):
    Tag.delete().execute()
    for salon, prefix in ((world.salon, ""), (world.other_salon, "Other ")):
        for name in ("VIP", "Braids", "regular"):
            Tag.create(salon=salon, name=prefix + name)
        save_service(salon, name=prefix + "Wash", category="Hair")
        save_service(salon, name=prefix + "Manicure", category="Nails", active=False)
        save_service(salon, name=prefix + "Box braids", category="Hair")
        SavedSegment.create(salon=salon, name=prefix + "Regulars", query="tags=regular")
        SavedSegment.create(salon=salon, name=prefix + "Big spenders", query="min_spent=100000")
    with assert_query_count(1):
        choices = list_choices(world.salon)
    assert choices.tags == sorted(["VIP", "Braids", "regular"])
    assert [(s.name, s.active) for s in choices.services] == [("Box braids", True), ("Wash", True),
                                                              ("Manicure", False)]
    assert [(s.name, s.query) for s in choices.segments] == [("Big spenders", "min_spent=100000"),
                                                            ("Regulars", "tags=regular")]
    assert all(isinstance(s.id, int) for s in choices.services + choices.segments)
