"""The declared state machines and the docs printed from them."""

from pingan.core import diagrams


def test_the_state_machine_docs_are_printed_from_the_tables():
    # when this fails, run: manage.py state_diagrams
    assert diagrams.DOC.read_text(encoding="utf-8") == diagrams.render()


def test_every_declared_move_leads_somewhere_its_machine_knows():
    for machine in diagrams.machines():
        assert machine.moves, machine
        for action, move in machine.moves.items():
            assert move.sources, (machine, action)
            for state in move.sources:
                assert machine.actions_from(state), (machine, state)


def test_every_machine_keeps_its_state_in_a_field_called_state():
    # one convention: the field is ``state`` and its choices are named ``…State``
    machines = diagrams.machines()
    assert len(machines) >= 17
    for machine in machines:
        assert machine.field == "state", machine
        assert machine.states.__name__.endswith("State"), machine
