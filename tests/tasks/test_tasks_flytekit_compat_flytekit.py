"""A task defined with flytekit converts to the podplan task with the same template (D1)."""

from __future__ import annotations

import pytest
import tasks_flytekit_compat_defs as defs

from podplan.serialize import task_template
from podplan.tasks.discovery import load_target
from podplan.tasks.flytekit_compat import from_flytekit

pytestmark = pytest.mark.flytekit  # organisation only: flytekit is in the test extra


def _normalised(tpl, name):
    """Drop the SDK runtime and rename fk_<name> to pp_<name> (the two functions' names differ)."""
    tpl.metadata.ClearField("runtime")
    args = [a.replace(f"fk_{name}", f"pp_{name}") for a in tpl.container.args]
    del tpl.container.args[:]
    tpl.container.args.extend(args)
    tpl.id.name = tpl.id.name.replace(f"fk_{name}", f"pp_{name}")
    return tpl


@pytest.mark.parametrize("name", defs.PAIRS)
def test_converted_template_equals_podplan_template(name):
    fk_task = getattr(defs, f"fk_{name}")
    pp_task = getattr(defs, f"pp_{name}")
    converted = from_flytekit(fk_task)
    assert converted.name == fk_task.name
    ours = _normalised(task_template(converted), name)
    assert ours == _normalised(task_template(pp_task), name)
    assert ours.container.resources == task_template(pp_task).container.resources


def test_discovery_converts_flytekit_tasks():
    tasks = load_target(f"{defs.__file__}:fk_gpu")
    assert task_template(tasks[0]).extended_resources == task_template(defs.pp_gpu).extended_resources


@pytest.mark.parametrize("var", ["fk_echo", "fk_ref"])
def test_converted_echo_and_reference_keep_their_location(var):
    fk_task = getattr(defs, var)
    converted = from_flytekit(fk_task)
    assert converted.name == fk_task.name
    assert converted.instantiated_in == fk_task.instantiated_in == defs.__name__
    assert converted.lhs == converted.find_lhs() == var  # the variable holding the flytekit task
    assert converted.location == f"{defs.__name__}.{var}"
