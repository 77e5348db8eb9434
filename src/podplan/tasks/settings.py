"""Serialization settings, images and container-image templating (flytekit spec §5.8)."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from podplan.errors import ImageConfigError, TaskDefinitionError, TaskTypeError

if TYPE_CHECKING:
    from podplan.resources import ResourceSpec

#: name of the default image in an :class:`ImageConfig`
DEFAULT_IMAGE_NAME = "default"
#: the image :meth:`SerializationSettings.default` uses: flytekit's published image for this Python
DEFAULT_IMAGE_FQN = "cr.flyte.org/flyteorg/flytekit"
DEFAULT_IMAGE_TAG = f"py{sys.version_info[0]}.{sys.version_info[1]}-latest"
#: project / domain / version used by :meth:`SerializationSettings.default`
DEFAULT_PROJECT = "flytesnacks"
DEFAULT_DOMAIN = "development"
DEFAULT_VERSION = "local"
#: the env var carrying the serialized settings into dynamic and eager tasks (flytekit's name)
SERIALIZED_CONTEXT_ENV_VAR = "_F_SS_C"

_PART = r"(?:\.([a-zA-Z0-9_-]+))"
_TEMPLATE_RE = re.compile(rf"({{{{\s*\.images?{_PART}{_PART}?\s*}}}})", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Image:
    """A named container image: ``fqn`` plus a ``tag`` or a ``digest`` (not both)."""

    name: str
    fqn: str
    tag: str | None = None
    digest: str | None = None

    def __post_init__(self) -> None:
        for field in ("name", "fqn"):
            if not isinstance(getattr(self, field), str):
                raise TaskTypeError(f"Image {field}={getattr(self, field)!r} is invalid: expected a str")
        if self.tag is not None and self.digest is not None:
            raise TaskDefinitionError(
                f"Cannot specify both tag and digest. Got tag={self.tag} and digest={self.digest}"
            )

    @property
    def full(self) -> str:
        """``fqn:tag`` or ``fqn@digest`` (just ``fqn`` when neither is set)."""
        if self.digest:
            return f"{self.fqn}@{self.digest}"
        return f"{self.fqn}:{self.tag}" if self.tag else self.fqn

    @property
    def version(self) -> str | None:
        """The digest or the tag."""
        return self.digest or self.tag

    @classmethod
    def look_up_image_info(
        cls, name: str, image_identifier: str, allow_no_tag_or_digest: bool = False
    ) -> Image:
        """Parse ``"registry/repo:tag"`` or ``"registry/repo@sha256:…"`` into an :class:`Image`."""
        fqn, at, digest = image_identifier.rpartition("@")
        if at:
            return cls(name=name, fqn=fqn, digest=digest)
        fqn, colon, tag = image_identifier.rpartition(":")
        if colon and "/" not in tag:
            return cls(name=name, fqn=fqn, tag=tag)
        if not allow_no_tag_or_digest:
            raise ImageConfigError(f"Incorrectly formatted image {image_identifier}, missing tag or digest")
        return cls(name=name, fqn=image_identifier)


@dataclasses.dataclass(frozen=True)
class ImageConfig:
    """The default image plus named images that ``container_image`` templates can refer to."""

    default_image: Image | None = None
    images: tuple[Image, ...] = ()

    def __post_init__(self) -> None:
        if self.default_image is not None and not isinstance(self.default_image, Image):
            raise TaskTypeError(f"default_image={self.default_image!r} is invalid: expected an Image")
        images = tuple(self.images or ())
        for img in images:
            if not isinstance(img, Image):
                raise TaskTypeError(f"images: {img!r} is invalid: expected an Image")
        object.__setattr__(self, "images", images)

    def find_image(self, name: str) -> Image | None:
        """The image called ``name`` (the default image first), or ``None``."""
        if self.default_image is not None and self.default_image.name == name:
            return self.default_image
        return next((i for i in self.images if i.name == name), None)

    @classmethod
    def auto(cls, img_name: str | None = None) -> ImageConfig:
        """An image config whose default image is ``img_name`` (flytekit's default image if None)."""
        if img_name:
            return cls(default_image=Image.look_up_image_info(DEFAULT_IMAGE_NAME, img_name))
        return cls(default_image=Image(DEFAULT_IMAGE_NAME, DEFAULT_IMAGE_FQN, DEFAULT_IMAGE_TAG))

    @classmethod
    def from_images(cls, default_image: str | None = None, m: Mapping[str, str] | None = None) -> ImageConfig:
        """Build from strings: ``from_images("repo/img:1", {"gpu": "repo/gpu:2"})``."""
        default = Image.look_up_image_info(DEFAULT_IMAGE_NAME, default_image) if default_image else None
        others = tuple(Image.look_up_image_info(k, v) for k, v in (m or {}).items())
        return cls(default_image=default, images=others)


@dataclasses.dataclass(frozen=True)
class FastSerializationSettings:
    """Fast registration: code is shipped separately and ``pyflyte-fast-execute`` wraps the args."""

    enabled: bool = False
    destination_dir: str | None = None
    distribution_location: str | None = None


@dataclasses.dataclass(frozen=True)
class SerializationSettings:
    """What a task template depends on besides the task: image, project/domain/version, env.

    ``default_resources`` applies (without mutating the task) to tasks that set no resources.
    """

    image_config: ImageConfig = dataclasses.field(default_factory=ImageConfig.auto)
    project: str | None = None
    domain: str | None = None
    version: str | None = None
    env: Mapping[str, str] | None = None
    default_resources: ResourceSpec | None = None
    git_repo: str | None = None
    python_interpreter: str = "/opt/venv/bin/python3"
    fast_serialization_settings: FastSerializationSettings | None = None
    source_root: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.image_config, ImageConfig):
            raise TaskTypeError(f"image_config={self.image_config!r} is invalid: expected an ImageConfig")
        if self.env is not None:
            from podplan.tasks.validation import check_environment

            object.__setattr__(self, "env", check_environment(self.env, "env"))

    @classmethod
    def default(cls) -> SerializationSettings:
        """Settings usable without arguments: project ``flytesnacks``, domain ``development``,
        version ``local``, default image ``cr.flyte.org/flyteorg/flytekit:py3.X-latest``."""
        return _DEFAULT_SETTINGS

    def should_fast_serialize(self) -> bool:
        """True when fast registration is enabled."""
        return bool(self.fast_serialization_settings and self.fast_serialization_settings.enabled)

    def serialized_context(self) -> str:
        """flytekit's ``_F_SS_C`` value: these settings as gzip-compressed, base64-encoded JSON.

        The JSON has flytekit's ``SerializationSettings`` shape (the entrypoint of dynamic and
        eager tasks reads it back); resource values are podplan's canonical strings.
        """
        import base64
        import gzip
        import io
        import json
        import posixpath

        if self.env and SERIALIZED_CONTEXT_ENV_VAR in self.env:
            return self.env[SERIALIZED_CONTEXT_ENV_VAR]

        def image(img: Image | None) -> dict[str, Any] | None:
            if img is None:
                return None
            return {"name": img.name, "fqn": img.fqn, "tag": img.tag, "digest": img.digest}

        def side(res: Any) -> dict[str, Any] | None:
            if res is None:
                return None
            out = {}
            for name in ("cpu", "mem", "gpu", "ephemeral_storage"):
                value = getattr(res, name)
                out[name] = None if value is None else str(value)
            return out

        spec = self.default_resources
        fast = self.fast_serialization_settings
        data = {
            "image_config": {
                "default_image": image(self.image_config.default_image),
                "images": [image(i) for i in self.image_config.images],
            },
            "project": self.project,
            "domain": self.domain,
            "version": self.version,
            "env": dict(self.env) if self.env is not None else None,
            "default_resources": None
            if spec is None
            else {"requests": side(spec.requests), "limits": side(spec.limits)},
            "git_repo": self.git_repo,
            "python_interpreter": self.python_interpreter,
            "flytekit_virtualenv_root": posixpath.dirname(posixpath.dirname(self.python_interpreter)),
            "fast_serialization_settings": None if fast is None else dataclasses.asdict(fast),
            "source_root": self.source_root,
        }
        buf = io.BytesIO()
        with gzip.GzipFile(mode="wb", fileobj=buf, mtime=0) as f:
            f.write(json.dumps(data).encode("utf-8"))
        return base64.b64encode(buf.getvalue()).decode("utf-8")

    def with_serialized_context(self) -> SerializationSettings:
        """These settings with ``_F_SS_C`` added to ``env`` (flytekit does this for dynamic and
        eager tasks, whose entrypoint rebuilds the settings from it)."""
        if self.env and SERIALIZED_CONTEXT_ENV_VAR in self.env:
            return self
        env = {**(self.env or {}), SERIALIZED_CONTEXT_ENV_VAR: self.serialized_context()}
        return dataclasses.replace(self, env=env)


_DEFAULT_SETTINGS = SerializationSettings(
    image_config=ImageConfig.auto(),
    project=DEFAULT_PROJECT,
    domain=DEFAULT_DOMAIN,
    version=DEFAULT_VERSION,
)


def check_container_image(value: Any) -> Any:
    """``container_image`` is ``None``, a str, or an ImageSpec-like object (``image_name()``)."""
    if value is None or isinstance(value, str) or callable(getattr(value, "image_name", None)):
        return value
    raise TaskTypeError(f"container_image={value!r} is invalid: expected a str, an ImageSpec or None")


def get_registerable_container_image(img: Any, cfg: ImageConfig) -> str:
    """Resolve ``img`` against ``cfg``: placeholders ``{{.image.NAME[.fqn|.version]}}`` are replaced.

    ``None``/``""`` → the default image; an ImageSpec-like object → the configured image with its
    ``id`` as name, else its ``image_name()`` (podplan never builds images). Unlike flytekit, the
    attribute is matched case-insensitively like the rest of the placeholder.
    """
    if img is not None and not isinstance(img, str):
        found = cfg.find_image(getattr(img, "id", None) or "")
        return found.full if found else str(img.image_name())
    if img:
        for group, name, attr in _TEMPLATE_RE.findall(img):
            image = cfg.find_image(name)
            if image is None:
                raise ImageConfigError(f"Image Config with name {name} not found in the configuration")
            attr = attr.lower()
            if attr == "version":
                version = image.version
                if version is None and cfg.default_image is not None:
                    version = cfg.default_image.version
                version = version or ""
                if ":" in version and f":{group}" in img:
                    img = img.replace(f":{group}", f"@{version}")
                else:
                    img = img.replace(group, version)
            elif attr == "fqn":
                img = img.replace(group, image.fqn)
            elif attr == "":
                img = img.replace(group, image.full)
            else:
                raise ImageConfigError(
                    f"Only fqn and version are supported replacements, {attr} is not supported"
                )
        return img
    if cfg.default_image is None:
        raise ImageConfigError("An image is required for PythonAutoContainer tasks")
    return cfg.default_image.full


def image_names(images: Sequence[Image]) -> list[str]:
    """Names of ``images`` (for messages)."""
    return [i.name for i in images]
