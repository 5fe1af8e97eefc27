"""The dispatch instruction's state machine (指挥调度指令, M7.2): one declared table."""

from pingan.core.actions import Machine

from .choices import InstructionState as S
from .models import Instruction

# action: (states it may start from, state it leads to, roles). No role gate: the target unit's
# staff sign for and close an instruction, and the dispatcher who issued it may close it; the
# services check that relation.
INSTRUCTION = Machine(
    "instruction",
    model=Instruction,
    field="state",
    states=S,
    moves={
        "accept": ([S.ISSUED], S.ACCEPTED, None),
        "close": ([S.ISSUED, S.ACCEPTED], S.CLOSED, None),
    },
)
