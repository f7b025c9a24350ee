"""Login, salons and profile."""
from tests.access import Route
from tests.factories import PASSWORD

# anonymous, admin, owner, other_owner, employee
ROUTES = [
    Route("auth.login", "GET", "/login", 200, 302, 302, 302, 302),
    Route("auth.login", "POST", "/login", 422, 422, 422, 422, 422),
    Route("auth.logout", "POST", "/logout", 303, 303, 303, 303, 303),
    Route("salons.home", "GET", "/", 302, 302, 302, 302, 302),
    Route("salons.salon_list", "GET", "/salons", 302, 200, 200, 200, 200),
    Route("salons.switch", "POST", "/salons/{salon}/switch", 302, 303, 303, 404, 303),
    Route("profile.profile", "GET", "/profile", 302, 200, 200, 200, 200),
    Route("profile.password", "POST", "/profile/password", 302, 422, 422, 422, 422),
    Route("profile.end_sessions", "POST", "/profile/sessions/end", 302, 303, 303, 303, 303),
    Route("profile.language", "POST", "/profile/language", 302, 303, 303, 303, 303, data={"language": "fr"}),
]

ROUTES += [
    Route("profile.create_api_token", "POST", "/profile/tokens", 302, 200, 200, 200, 200, data={"name": "Till", "password": PASSWORD}),
    Route("profile.revoke_api_token", "POST", "/profile/tokens/999999/revoke", 302, 404, 404, 404, 404),
]
