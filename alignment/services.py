"""The alignment service: the only code that writes ``Objective.parent``.

(Minimal first version; the alignment issue adds the rules, history and locking.)
"""

from django.db import transaction

from objectives.models import Objective


@transaction.atomic
def objective_align(*, objective: Objective, parent: Objective | None, actor) -> Objective:
    if parent is not None and parent.org_id != objective.org_id:
        raise ValueError("An objective can only align within its own company.")
    objective.parent = parent
    objective.save(update_fields=["parent", "updated_at"])
    return objective
