"""A task whose pod carries a sidecar container, declared with a ``PodTemplate``."""

from __future__ import annotations

from kubernetes.client import V1Container, V1EmptyDirVolumeSource, V1PodSpec, V1Volume, V1VolumeMount

from podplan import PodTemplate, Resources, task

LOG_SHIPPER = PodTemplate(
    primary_container_name="primary",
    labels={"app.kubernetes.io/component": "etl"},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                volume_mounts=[V1VolumeMount(name="logs", mount_path="/var/log/app")],
            ),
            V1Container(
                name="log-shipper",
                image="fluent/fluent-bit:3.0",
                volume_mounts=[V1VolumeMount(name="logs", mount_path="/var/log/app", read_only=True)],
            ),
        ],
        volumes=[V1Volume(name="logs", empty_dir=V1EmptyDirVolumeSource())],
    ),
)


@task(pod_template=LOG_SHIPPER, requests=Resources(cpu="1", mem="2Gi"), limits=Resources(mem="2Gi"))
def etl(rows: int) -> int:
    """Process ``rows`` rows; its logs are shipped by the sidecar."""
    return rows
