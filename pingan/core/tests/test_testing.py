"""The permission-matrix base collects exactly the refusals each class declares."""

from pingan.core.testing import PermissionMatrix


class _Base(PermissionMatrix):
    url_name = "cases:queue"


class _Declares(_Base):
    wrong_role = "street_mediator"


def test_a_refusal_declared_below_a_base_that_left_it_out_is_collected():
    assert _Base.test_wrong_role_is_refused is None
    assert _Base.test_out_of_scope_is_not_found is None
    assert callable(_Declares.test_wrong_role_is_refused)
    assert _Declares.test_out_of_scope_is_not_found is None
