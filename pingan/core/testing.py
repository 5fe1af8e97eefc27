"""A permission-matrix base that every page and API test reuses (X1).

Subclass it as ``class TestUnitList(PermissionMatrix)`` and declare who may and who may not:

- ``anonymous``: a page redirects to the login page, an API answers 401;
- ``wrong_role``: a persona whose roles may not use the page gets 403;
- ``out_of_scope``: a persona with the right role but another area gets 404 (not 403, so that
  outsiders cannot tell whether the object exists);
- ``in_scope``: a persona who may, gets ``ok_status``.

Leave ``wrong_role`` or ``out_of_scope`` as ``None`` where the case cannot arise (a list is
scoped rather than refused); each declared refusal becomes its own test, and an undeclared one
is not collected at all. A persona is a demo username, or ``"role@division-code"`` for the
first member of staff with that role in a unit at that division.
"""

import pytest
from django.urls import reverse


class PermissionMatrix:
    url_name: str = ""
    url_args: tuple = ()
    method: str = "get"
    data: dict | None = None
    api: bool = False
    in_scope: str = ""
    wrong_role: str | None = None
    out_of_scope: str | None = None
    ok_status: int = 200

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Collect exactly the refusal tests a class declares (pytest skips non-callables): a
        # class may declare one that an intermediate base left out, and must get it back.
        cls.test_wrong_role_is_refused = (
            None if cls.wrong_role is None else PermissionMatrix._wrong_role_is_refused
        )
        cls.test_out_of_scope_is_not_found = (
            None if cls.out_of_scope is None else PermissionMatrix._out_of_scope_is_not_found
        )

    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)

    def request(self, client):
        call = getattr(client, self.method)
        if self.api and self.method != "get":
            return call(self.url(), self.data or {}, content_type="application/json")
        return call(self.url(), self.data or {})

    @pytest.mark.django_db
    def test_anonymous_is_refused(self, client):
        response = self.request(client)
        if self.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    @pytest.mark.django_db
    def _wrong_role_is_refused(self, client_as):
        response = self.request(client_as(self.wrong_role))
        assert response.status_code == 403

    @pytest.mark.django_db
    def _out_of_scope_is_not_found(self, client_as):
        response = self.request(client_as(self.out_of_scope))
        assert response.status_code == 404

    @pytest.mark.django_db
    def test_in_scope_is_allowed(self, client_as):
        response = self.request(client_as(self.in_scope))
        assert response.status_code == self.ok_status


def check_refusals_change_nothing(machine, *, make, act, events, data, only=None) -> None:
    """The property every declared machine must have, for a Hypothesis test to call with its
    ``data`` strategy object: an action the table refuses from some state raises, and leaves
    the object's state, version and timeline exactly as they were.

    ``make(state)`` returns a fresh object in that state; ``act(action, obj)`` runs the action
    through its service as a permitted user would; ``events(obj)`` counts its timeline rows.
    ``only`` limits the actions to those a person takes (set-based sweeps select by state).
    """
    from hypothesis import strategies as st

    from pingan.core.errors import ApplicationError

    state = data.draw(st.sampled_from(sorted(machine.states.values)), label="state")
    refused = [action for action in (only or machine.moves) if not machine.allows(action, state)]
    if not refused:
        return
    action = data.draw(st.sampled_from(refused), label="action")
    obj = make(state)
    before = (machine.state_of(obj), getattr(obj, "version", None), events(obj))
    with pytest.raises(ApplicationError):
        act(action, obj)
    obj.refresh_from_db()
    after = (machine.state_of(obj), getattr(obj, "version", None), events(obj))
    assert after == before, (state, action)
