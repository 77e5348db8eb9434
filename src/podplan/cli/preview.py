"""``podplan preview TARGET``: print the Pod Flyte's backend would create for each task.

TARGET is ``file.py:task``, ``package.module:task``, or a file/module/package (all its tasks;
flytekit tasks too when flytekit is installed). Output: kubectl-style YAML (default), Kubernetes
JSON (``--output json``; several tasks become a ``kind: List``), or the flyteidl TaskTemplate as
JSON (``--output template``). ``--explain`` adds where each value came from, as YAML comments.

Exit codes: 0 ok; 1 when Kubernetes would reject a pod (the pod is still printed, each problem
is reported on stderr); 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_REJECTED = 1


def register(subparsers: Any) -> None:
    """Add the ``preview`` sub-command."""
    parser = subparsers.add_parser(
        "preview",
        help="print the exact Pod Flyte's backend would create for a task",
        description="Print the Pod Flyte (flytepropeller v1.16.8) creates for each task of TARGET on a "
        "platform: resources after defaults and clamps, GPU selectors and tolerations, shared memory, "
        "interruptible placement, pod-template merge.",
    )
    parser.add_argument(
        "target", metavar="TARGET", help="file.py:task, package.module:task, a file or a module"
    )
    parser.add_argument(
        "--platform",
        metavar="FILE|PRESET",
        help="platform file (podplan schema, Flyte Helm values or propeller ConfigMap) or preset "
        "(flyte-defaults, gke-gpu, eks-gpu, gfd, go-test-zero); default: stock Flyte",
    )
    parser.add_argument(
        "--pod-template",
        action="append",
        default=[],
        metavar="FILE",
        help="a Kubernetes PodTemplate YAML file available as a base template (repeatable)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--interruptible", dest="interruptible", action="store_true", default=None)
    group.add_argument("--no-interruptible", dest="interruptible", action="store_false")
    parser.add_argument(
        "--attempt", type=int, default=0, metavar="N", help="0-based retry attempt (default 0)"
    )
    parser.add_argument("--output", "-o", choices=("yaml", "json", "template"), default="yaml")
    parser.add_argument("--explain", action="store_true", help="annotate where each value came from")
    parser.set_defaults(func=run)


def _template_json(task: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    from podplan.podspec.api import to_protobufs

    tmpl, overrides, metadata = to_protobufs(task)
    data = json_format.MessageToDict(tmpl)
    if overrides is None and metadata is None:
        return data
    out: dict[str, Any] = {"template": data}
    if overrides is not None:
        out["overrides"] = json_format.MessageToDict(overrides)
    if metadata is not None:
        out["nodeMetadata"] = json_format.MessageToDict(metadata)
    return out


def _name(task: Any) -> str:
    inner = getattr(task, "task", None)
    return str(getattr(task, "name", None) or getattr(inner, "name", None) or task)


def run(args: argparse.Namespace) -> int:
    """Build and print the pods; see the module doc for exit codes."""
    from podplan.podspec.admission import validate_pod
    from podplan.podspec.api import build_result
    from podplan.podspec.explain import explain_pod
    from podplan.podspec.loading import load_platform
    from podplan.podspec.render import pod_to_k8s_json, render_json, render_yaml
    from podplan.tasks.discovery import load_target

    if args.attempt < 0:
        print(f"podplan preview: error: --attempt must be >= 0, got {args.attempt}", file=sys.stderr)
        return 2
    platform = load_platform(args.platform, pod_templates=args.pod_template)
    try:
        tasks = load_target(args.target)
    except SystemExit as exc:  # a user module calling sys.exit() at import time
        print(
            f"podplan preview: error: {args.target}: importing it called sys.exit({exc.code!r}); "
            "guard script code with `if __name__ == '__main__':`",
            file=sys.stderr,
        )
        return 2
    out = sys.stdout
    status = EXIT_OK
    if args.output == "template":
        docs = [_template_json(t) for t in tasks]
        out.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2) + "\n")
        return EXIT_OK
    pods = []
    for task in tasks:
        name = _name(task)
        if args.explain:
            ex = explain_pod(task, platform, interruptible=args.interruptible, attempt=args.attempt)
            pod, problems, comment = ex.pod, ex.problems, ex.render()
        else:
            result = build_result(task, platform, interruptible=args.interruptible, attempt=args.attempt)
            pod = pod_to_k8s_json(result.pod)
            problems, comment = validate_pod(pod), ""
            for note in result.notes:
                print(f"podplan preview: {name}: note: {note}", file=sys.stderr)
        for p in problems:
            print(f"podplan preview: {name}: Kubernetes would reject this pod: {p}", file=sys.stderr)
            status = EXIT_REJECTED
        pods.append((name, pod, comment))
    if args.output == "json":
        if len(pods) == 1:
            out.write(render_json(pods[0][1]))
        else:
            out.write(
                json.dumps({"apiVersion": "v1", "kind": "List", "items": [p for _, p, _ in pods]}, indent=4)
            )
            out.write("\n")
        if args.explain:
            for name, _, comment in pods:
                sys.stderr.write(f"# {name}\n{comment}")
        return status
    for i, (name, pod, comment) in enumerate(pods):
        if i:
            out.write("---\n")
        if len(pods) > 1:
            out.write(f"# task: {name}\n")
        out.write(render_yaml(pod))
        if comment:
            out.write("".join(f"# {line}\n" for line in comment.splitlines()))
    return status
