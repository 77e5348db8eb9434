"""ReferenceTask / reference_task (spec §7, vector 104)."""

from __future__ import annotations

from unittest import mock

import pytest

from podplan import ReferenceTask, reference_task
from podplan.errors import ReferenceExecutionError, TaskTypeError


@reference_task(
    project="flytesnacks",
    domain="development",
    name="recipes.aaa.simple.join_strings",
    version="553018f39e519bdb2597b652639c30ce16b99c79",
)
def ref_t1(a: list[str]) -> str:
    """The body never runs and needs no return statement."""


def test_decorator_builds_reference_with_signature_interface():
    assert isinstance(ref_t1, ReferenceTask)
    assert ref_t1.name == "recipes.aaa.simple.join_strings"
    assert dict(ref_t1.python_interface.inputs) == {"a": list[str]}
    assert dict(ref_t1.python_interface.outputs) == {"o0": str}
    # the module variable holding it (flytekit's TrackedInstance.find_lhs), not the remote name
    assert ref_t1.lhs == "ref_t1"
    assert ref_t1.instantiated_in == __name__
    assert ref_t1.location == f"{__name__}.ref_t1"
    assert ref_t1.task_resolver is None


def test_identifier_and_idl():
    from flyteidl.core import identifier_pb2

    rt = ReferenceTask("media", "stg", "some.name", "cafe", inputs={"in1": str}, outputs={})
    assert rt.id == rt.reference.id
    assert (rt.id.project, rt.id.domain, rt.id.name, rt.id.version) == ("media", "stg", "some.name", "cafe")
    pb = rt.id.to_flyte_idl()
    assert pb == identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="media", domain="stg", name="some.name", version="cafe"
    )


def test_local_call_raises_not_implemented_with_flytekit_text():
    with pytest.raises(ReferenceExecutionError) as info:
        ref_t1(a=["x"])
    assert isinstance(info.value, NotImplementedError)
    assert str(info.value) == "Remote reference entities cannot be run locally. You must mock this out."


def test_local_call_can_be_mocked_and_is_type_checked():
    with mock.patch.object(ref_t1, "execute", return_value="joined") as fake:
        assert ref_t1(a=["x", "y"]) == "joined"
        fake.assert_called_once_with(a=["x", "y"])
        with pytest.raises(TypeError, match="input 'a'"):
            ref_t1(a="not a list")


def test_metadata_exists_deviation_from_flytekit_bug_9_15():
    # flytekit raises AttributeError for ReferenceTask.metadata (spec §9.15); podplan has defaults
    assert ref_t1.metadata.retries == 0


@pytest.mark.parametrize("field", ["project", "domain", "name", "version"])
def test_reference_fields_must_be_non_empty_strings(field):
    args = {"project": "p", "domain": "d", "name": "n", "version": "v"}
    args[field] = ""
    with pytest.raises(TaskTypeError, match=field):
        ReferenceTask(**args, inputs={}, outputs={})
