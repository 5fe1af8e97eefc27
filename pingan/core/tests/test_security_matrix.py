"""docs/security.md's printed part is the code's rules, kept current."""

from pingan.core import security


def test_the_security_matrix_in_the_docs_is_current():
    # when this fails, run: manage.py security_matrix
    current = security.DOC.read_text(encoding="utf-8")
    assert current == security.render(current)


def test_the_matrix_names_each_roles_reach_of_cases():
    printed = security.render_printed()
    cases = next(line for line in printed.splitlines() if line.startswith("| `cases.Case`"))
    cells = [cell.strip() for cell in cases.strip("|").split("|")][1:]
    roles = [role for role in security._roles()]
    reach = dict(zip([role.value for role in roles], cells, strict=True))
    # the roles that work cases read their area; the others only what is linked to them
    assert reach["dispatcher"].startswith("their area's")
    assert reach["auditor"] == "those they handle in person"
    assert "rotation" in reach["assistant"]
