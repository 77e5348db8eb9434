"""Echo (spec §7, vector 103)."""

from __future__ import annotations

import pytest

from podplan import Echo
from podplan.errors import UnknownArgumentError
from podplan.tasks.metadata import TaskMetadata


def test_echo_interface_mirrors_inputs_as_o_names():
    e = Echo(name="echo", inputs={"a": int, "b": str})
    assert e.task_type == "echo"
    assert dict(e.python_interface.inputs) == {"a": int, "b": str}
    assert dict(e.python_interface.outputs) == {"o0": int, "o1": str}


def test_echo_execute_and_call():
    e = Echo(name="echo", inputs={"a": int, "b": str})
    assert e.execute(a=1, b="x") == (1, "x")
    assert e(a=1, b="x") == (1, "x")
    assert e(1, "x").o1 == "x"
    single = Echo(name="e", inputs={"a": int})
    assert single.execute(a=5) == 5
    assert single(a=7) == 7


def test_echo_without_inputs():
    e = Echo(name="empty")
    assert dict(e.python_interface.inputs) == {} and dict(e.python_interface.outputs) == {}
    assert e.execute() == ()
    assert e() is None


def test_echo_call_checks_types():
    with pytest.raises(TypeError, match="input 'a'"):
        Echo(name="e", inputs={"a": int})(a="x")


def test_echo_template_has_no_container_pod_or_extended_resources():
    from podplan.serialize import task_template

    tpl = task_template(Echo(name="echo", inputs={"a": int, "b": str}))
    assert tpl.type == "echo"
    assert not tpl.HasField("container")
    assert not tpl.HasField("k8s_pod")
    assert not tpl.HasField("extended_resources")
    assert dict(tpl.config) == {}
    outs = tpl.interface.outputs.variables
    assert set(outs) == {"o0", "o1"}
    assert outs["o0"].type.simple == 1 and outs["o1"].type.simple == 3  # INTEGER, STRING


def test_echo_metadata_kwarg_honoured():
    e = Echo(name="e", inputs={"a": int}, metadata=TaskMetadata(retries=2))
    assert e.metadata.retries == 2


def test_echo_rejects_kwargs_flytekit_silently_ignores():
    # flytekit accepts and drops requests= (spec §9.11); podplan rejects it (D5)
    with pytest.raises(UnknownArgumentError, match="requests"):
        Echo(name="e", inputs={"a": int}, requests="x")
