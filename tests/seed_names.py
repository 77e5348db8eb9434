"""The names the seed (``flytekit.core.task``) lists, shared by the seed-surface tests
(``tests/tasks``) and the flytekit differential tests (``tests/differential``)."""

from __future__ import annotations

SEED_FUNCTIONS = ["decorate_function", "eager", "reference_task", "task"]

#: methods of the seed's task classes (Echo; ReferenceTask adds REFERENCE_METHODS)
SEED_METHODS = [
    "compile",
    "construct_node_metadata",
    "dispatch_execute",
    "execute",
    "find_lhs",
    "get_config",
    "get_container",
    "get_custom",
    "get_extended_resources",
    "get_input_types",
    "get_k8s_pod",
    "get_sql",
    "get_type_for_input_var",
    "get_type_for_output_var",
    "local_execute",
    "local_execution_mode",
    "post_execute",
    "pre_execute",
    "sandbox_execute",
]

#: properties of the seed's task classes (ReferenceTask adds REFERENCE_PROPERTIES)
SEED_PROPERTIES = [
    "deck_fields",
    "disable_deck",
    "docs",
    "enable_deck",
    "environment",
    "instantiated_in",
    "interface",
    "lhs",
    "location",
    "metadata",
    "name",
    "python_interface",
    "security_context",
    "task_config",
    "task_type",
    "task_type_version",
]

REFERENCE_METHODS = ["unwrap_literal_map_and_execute"]
REFERENCE_PROPERTIES = ["id", "reference"]
TASK_PLUGINS_METHODS = ["find_pythontask_plugin", "register_pythontask_plugin"]
