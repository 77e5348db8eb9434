"""Run one task definition through flytekit 1.16 and podplan and compare what they serialize.

A definition is Python source text without imports. The harness writes it twice to a real module
file (flytekit reads the function source), once under flytekit's imports and once under
podplan's (:data:`FLYTEKIT_IMPORTS` / :data:`PODPLAN_IMPORTS` are the only difference), imports
both and serializes the task called ``t`` (or the node built by an override expression).

Comparisons normalise only the documented deviations (docs/tasks.md):

* resource quantities are compared by value (canonical strings, D3) and as a set per side (one
  entry order), in the container, in node overrides and in pod-template resources;
* ``shared_memory.size_limit`` is compared by quantity value (canonical string, D3);
* the SDK runtime (``metadata.runtime``) is excluded;
* module names differ (``<case>_fk`` / ``<case>_pp``) and are mapped to one name.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from podplan.resources import Quantity

COMMON_IMPORTS = """\
import enum
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Dict, List, NamedTuple, Optional, Union

from kubernetes.client import (
    V1Container, V1EnvVar, V1PodSpec, V1ResourceRequirements, V1Toleration, V1Volume, V1VolumeMount,
)
"""

FLYTEKIT_IMPORTS = """\
from flytekit import Cache, Deck, PodTemplate, Resources, Secret, eager, task, workflow
from flytekit.core.base_task import kwtypes
from flytekit.core.task import Echo
from flytekit.deck import DeckField
from flytekit.extras.accelerators import *  # noqa: F403
from flytekit.models.documentation import Description, Documentation
"""

PODPLAN_IMPORTS = """\
from podplan import Cache, PodTemplate, Resources, Secret, eager, task
from podplan import Echo
from podplan.accelerators import *  # noqa: F403
from podplan.tasks import DeckField
from podplan.tasks.metadata import Description, Documentation
"""

_DIR = Path(tempfile.mkdtemp(prefix="podplan-differential-"))
_COUNTER = itertools.count()


def load(source: str, sdk: str, case: str) -> Any:
    """Import ``source`` under ``sdk``'s imports ("flytekit" or "podplan"); returns the module."""
    imports = FLYTEKIT_IMPORTS if sdk == "flytekit" else PODPLAN_IMPORTS
    name = f"{case}_{'fk' if sdk == 'flytekit' else 'pp'}_{next(_COUNTER)}"
    path = _DIR / f"{name}.py"
    path.write_text(COMMON_IMPORTS + imports + "\n" + source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- settings ------------------------------------------------------------------------------------

PROJECT, DOMAIN, VERSION = "proj", "dev", "v1"
DEFAULT_IMAGE = ("default", "repo/img", "1.0")
OTHER_IMAGES = (("gpu", "repo/gpu", "2.0"), ("digest", "repo/dig", None))
DIGEST = "sha256:" + "ab" * 32
SETTINGS_ENV = {"B": "settings", "C": "3"}


Defaults = tuple[dict[str, str], dict[str, str]] | None


def flytekit_settings(env: dict[str, str] | None = None, defaults: Defaults = None) -> Any:
    """flytekit ``SerializationSettings`` with a default image and two named images."""
    from flytekit import Resources
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.core.resources import ResourceSpec

    images = [
        Image(name=n, fqn=f, tag=t) if t else Image(name=n, fqn=f, digest=DIGEST) for n, f, t in OTHER_IMAGES
    ]
    return SerializationSettings(
        project=PROJECT,
        domain=DOMAIN,
        version=VERSION,
        image_config=ImageConfig(default_image=Image(*DEFAULT_IMAGE), images=images),
        env=env,
        default_resources=None
        if defaults is None
        else ResourceSpec(requests=Resources(**defaults[0]), limits=Resources(**defaults[1])),
    )


def podplan_settings(env: dict[str, str] | None = None, defaults: Defaults = None) -> Any:
    """The same settings in podplan."""
    from podplan import Resources, ResourceSpec
    from podplan.tasks import Image, ImageConfig, SerializationSettings

    images = tuple(Image(n, f, tag=t) if t else Image(n, f, digest=DIGEST) for n, f, t in OTHER_IMAGES)
    return SerializationSettings(
        image_config=ImageConfig(default_image=Image(*DEFAULT_IMAGE), images=images),
        project=PROJECT,
        domain=DOMAIN,
        version=VERSION,
        env=env,
        default_resources=None
        if defaults is None
        else ResourceSpec(requests=Resources(**defaults[0]), limits=Resources(**defaults[1])),
    )


# --- serialization -------------------------------------------------------------------------------


def flytekit_template(entity: Any, env: dict[str, str] | None = None, defaults: Defaults = None) -> Any:
    """flytekit's ``TaskTemplate`` protobuf for ``entity`` (through its translator)."""
    from flytekit.tools.translator import get_serializable

    spec = get_serializable(OrderedDict(), flytekit_settings(env, defaults), entity)
    return spec.template.to_flyte_idl()


def podplan_template(entity: Any, env: dict[str, str] | None = None, defaults: Defaults = None) -> Any:
    """podplan's ``TaskTemplate`` protobuf for ``entity``."""
    from podplan.serialize import task_template

    return task_template(entity, podplan_settings(env, defaults))


def flytekit_node(workflow: Any) -> Any:
    """The first node of a flytekit workflow, as ``workflow_pb2.Node``."""
    from flytekit.tools.translator import get_serializable

    spec = get_serializable(OrderedDict(), flytekit_settings(), workflow)
    return spec.template.nodes[0].to_flyte_idl()


def podplan_node(node: Any) -> Any:
    """podplan's ``workflow_pb2.Node`` of a ``with_overrides`` result."""
    from podplan.serialize import task_node

    return task_node(node, podplan_settings())


# --- normalisation -------------------------------------------------------------------------------


def _quantity(value: Any) -> Quantity:
    return Quantity(value)


def resource_entries(entries: Any) -> dict[int, Quantity]:
    """IDL resource entries → {resource name enum: quantity} (order and spelling dropped)."""
    out: dict[int, Quantity] = {}
    for e in entries:
        assert e.name not in out, f"duplicate resource entry {e.name}"
        out[e.name] = _quantity(e.value)
    return out


def resources(pb: Any) -> dict[str, dict[int, Quantity]]:
    """A ``tasks_pb2.Resources`` message → {"requests": …, "limits": …} by value."""
    return {"requests": resource_entries(pb.requests), "limits": resource_entries(pb.limits)}


def _pod_resources(block: dict[str, Any]) -> dict[str, dict[str, Quantity]]:
    return {side: {k: _quantity(v) for k, v in (block.get(side) or {}).items()} for side in block}


def pod_spec(struct: Any) -> dict[str, Any]:
    """A pod-spec ``Struct`` as a dict whose container resources are quantities by value."""
    spec = json_format.MessageToDict(struct)
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if "resources" in container:
                container["resources"] = _pod_resources(container["resources"])
    return spec


def rename(text: str, fk_module: str, pp_module: str) -> str:
    """Map the flytekit module name to podplan's in ``text``."""
    return text.replace(fk_module, pp_module)


def as_dict(message: Any) -> dict[str, Any]:
    """A protobuf message as a dict (field names as in the proto)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)
