"""The accelerator catalog: GPU models, MIG profiles, label schemes, TPUs, other vendors.

Lookups accept every spelling a user or a cluster uses for a model: the catalog name
(``"A100_80GB"``), a device string (``"nvidia-a100-80gb"``), a node-label value of any scheme
(``"nvidia-h100-80gb"``, ``"NVIDIA-A100-SXM4-80GB"``, ``"a10g"``), a Flyte 2 name (``"A100 80G"``)
or an NVML name. Comparison ignores case and separators. When a value names several models
(Karpenter's ``a100`` is both A100s), the earlier catalog entry wins — the smaller variant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Final

from podplan.accelerators._models import DeviceClass, GPUModel, LabelScheme, TPUTopology, TPUType
from podplan.accelerators._nvidia_data import NVIDIA_MODELS
from podplan.accelerators._other_data import DEVICE_CLASSES, LABEL_SCHEMES, TPU_TYPES
from podplan.accelerators.mig import MigProfile, fits_layout, parse_profile_name
from podplan.accelerators.naming import lookup_key, normalize_nvml_name
from podplan.errors import AcceleratorError

__all__ = [
    "DEVICE_CLASSES",
    "LABEL_SCHEMES",
    "TPU_TYPES",
    "DeviceClass",
    "GPUModel",
    "LabelScheme",
    "MigProfile",
    "TPUTopology",
    "TPUType",
    "all_device_classes",
    "all_models",
    "all_tpus",
    "constant_hint",
    "find_by_nvml_name",
    "find_model",
    "fits_layout",
    "get_device_class",
    "get_model",
    "get_tpu",
    "lookup",
    "models_with_profile",
    "parse_profile_name",
    "partition_hint",
    "valid_partitions",
]

_BY_NAME: Final = {m.name: m for m in NVIDIA_MODELS}
# label schemes consulted by get_model, in priority order
_SCHEME_ORDER: Final = ("flytekit", "flyte2", "gke", "gfd", "eks", "karpenter", "eks-auto")
_GFD_SUFFIX: Final = re.compile(r"(?:-MIG-[0-9a-z.+-]+|-SHARED)$", re.IGNORECASE)
_GB_IN_NAME: Final = re.compile(r"(\d+)\s?GB?\b")


def _build_index() -> dict[str, GPUModel]:
    index: dict[str, GPUModel] = {}
    levels: list[Iterable[tuple[str, GPUModel]]] = [
        ((m.name, m) for m in NVIDIA_MODELS),
        ((m.device, m) for m in NVIDIA_MODELS),
        ((a, m) for m in NVIDIA_MODELS for a in m.aliases),
        ((m.display_name, m) for m in NVIDIA_MODELS),
    ]
    levels += [[(v, m) for m in NVIDIA_MODELS for v in m.label_values(s)] for s in _SCHEME_ORDER]
    levels.append((n, m) for m in NVIDIA_MODELS for n in m.nvml_names)
    for level in levels:
        for value, model in level:
            index.setdefault(lookup_key(value), model)
    return index


_INDEX: Final = _build_index()
_NVML_EXACT: Final[dict[str, list[GPUModel]]] = {}
for _m in NVIDIA_MODELS:
    for _n in _m.nvml_names:
        _NVML_EXACT.setdefault(normalize_nvml_name(_n), []).append(_m)

# ordered rules over normalize_nvml_name(): most specific first, word boundaries everywhere
_NVML_RULES: Final[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = tuple(
    (re.compile(pattern), names)
    for pattern, names in (
        (r"\bGB300\b", ("GB300",)),
        (r"\bGB200\b", ("GB200",)),
        (r"\bGH200\b", ("GH200", "GH200_144GB")),
        (r"\bGB10\b", ("GB10",)),
        (r"\bB300\b", ("B300",)),
        (r"\bB200\b", ("B200",)),
        (r"\bH200\b", ("H200",)),
        (r"\bH[18]00\b.*\bNVL\b", ("H100_NVL",)),
        (r"\bH[18]00\b", ("H100", "H100_96GB", "H100_NVL")),
        (r"\bH20\b", ("H20",)),
        (r"\bA[18]00\b", ("A100", "A100_80GB")),
        (r"\bA10G\b", ("A10G",)),
        (r"\bA10\b", ("A10",)),
        (r"\bA30\b", ("A30",)),
        (r"\bA40\b", ("A40",)),
        (r"\bA2\b", ("A2",)),
        (r"\bL40S\b", ("L40S",)),
        (r"\bL40\b", ("L40",)),
        (r"\bL4\b", ("L4",)),
        (r"\bRTX PRO 6000\b", ("RTX_PRO_6000",)),
        (r"\bRTX 6000 ADA\b", ("RTX_6000_ADA",)),
        (r"\bRTX A6000\b", ("RTX_A6000",)),
        (r"\bRTX 4090\b", ("RTX_4090",)),
        (r"\bRTX 5090\b", ("RTX_5090",)),
        (r"\bV100S?\b", ("V100", "V100_32GB")),
        (r"\bP100\b", ("P100",)),
        (r"\bP4\b", ("P4",)),
        (r"\bT4G?\b", ("T4",)),
        (r"\bK80\b", ("K80",)),
        (r"\bM60\b", ("M60",)),
    )
)


def all_models() -> tuple[GPUModel, ...]:
    """Every catalogued NVIDIA GPU model, oldest architecture first."""
    return NVIDIA_MODELS


def all_tpus() -> tuple[TPUType, ...]:
    """Every catalogued Google Cloud TPU type."""
    return TPU_TYPES


def all_device_classes() -> tuple[DeviceClass, ...]:
    """Every catalogued non-NVIDIA device class (AMD Instinct, AWS Neuron, Intel)."""
    return DEVICE_CLASSES


def find_model(value: str) -> GPUModel | None:
    """The GPU model ``value`` names (name, device, alias, label value, NVML name), or ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = lookup_key(value)
    model = _INDEX.get(key)
    if model is None:
        stripped = _GFD_SUFFIX.sub("", value.strip())
        if stripped != value.strip():
            model = _INDEX.get(lookup_key(stripped))
    return model


#: look-alike characters folded before the last suggestion attempt (``H1OO`` → ``h100``)
_CONFUSABLE: Final = str.maketrans({"o": "0", "i": "1", "l": "1"})


def _folded(value: str) -> str:
    return lookup_key(value).translate(_CONFUSABLE)


def _suggest(value: str, choices: Iterable[str]) -> str:
    pool = list(dict.fromkeys(choices))
    low: dict[str, str] = {}
    for c in pool:
        low.setdefault(c.lower(), c)
    close = [low[c] for c in difflib.get_close_matches(value.lower(), list(low), n=3, cutoff=0.6)]
    if not close:  # ignore case, separators and look-alike characters: "h1OO", "a100 80 gb"
        folded: dict[str, str] = {}
        for c in pool:
            folded.setdefault(_folded(c), c)
        hits = difflib.get_close_matches(_folded(value), list(folded), n=3, cutoff=0.75)
        close = list(dict.fromkeys(folded[h] for h in hits))
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def get_model(value: str) -> GPUModel:
    """Like :func:`find_model` but raises :class:`~podplan.errors.AcceleratorError` with suggestions."""
    model = find_model(value)
    if model is None:
        names = [m.name for m in NVIDIA_MODELS] + [m.device for m in NVIDIA_MODELS]
        raise AcceleratorError(
            f"unknown GPU model {value!r}{_suggest(str(value), names)} (see `podplan catalog` for the list)"
        )
    return model


def get_tpu(value: str) -> TPUType:
    """The TPU type named by ``value`` (``"V5P"``, ``"tpu-v5p-slice"``), else :class:`AcceleratorError`."""
    key = lookup_key(value) if isinstance(value, str) else ""
    for tpu in TPU_TYPES:
        if key in (lookup_key(tpu.name), lookup_key(tpu.device)):
            return tpu
    raise AcceleratorError(
        f"unknown TPU type {value!r}; known: {', '.join(t.name + ' (' + t.device + ')' for t in TPU_TYPES)}"
    )


def get_device_class(value: str) -> DeviceClass:
    """The non-NVIDIA device class named by ``value`` (``"MI300X"``, ``"Trn2"``, ``"Gaudi2"``)."""
    key = lookup_key(value) if isinstance(value, str) else ""
    for dc in DEVICE_CLASSES:
        if key in (lookup_key(dc.name), lookup_key(dc.display_name)):
            return dc
    raise AcceleratorError(
        f"unknown device class {value!r}{_suggest(str(value), (d.name for d in DEVICE_CLASSES))}"
    )


def lookup(value: str) -> GPUModel | TPUType | DeviceClass:
    """Resolve any accelerator spelling to its catalog record (GPU model, TPU type or device class)."""
    model = find_model(value)
    if model is not None:
        return model
    for getter in (get_tpu, get_device_class):
        try:
            return getter(value)
        except AcceleratorError:
            pass
    choices = (
        [m.name for m in NVIDIA_MODELS]
        + [t.name for t in TPU_TYPES]
        + [d.name for d in DEVICE_CLASSES]
        + [m.device for m in NVIDIA_MODELS]
        + [t.device for t in TPU_TYPES]
    )
    raise AcceleratorError(
        f"unknown accelerator {value!r}{_suggest(str(value), choices)} (see `podplan catalog` for the list)"
    )


def _pick(cands: list[GPUModel], norm: str, memory_bytes: int | None) -> GPUModel:
    if len(cands) == 1:
        return cands[0]
    figures = {int(g) for g in _GB_IN_NAME.findall(norm)}
    named = [m for m in cands if any(abs(m.memory_gib - f) <= 2 for f in figures)]
    if len(named) == 1:
        return named[0]
    if memory_bytes is not None:
        return min(cands, key=lambda m: abs(m.memory_bytes - memory_bytes))
    return cands[0]


def find_by_nvml_name(name: str, memory_bytes: int | None = None) -> GPUModel | None:
    """Map an NVML device name (``nvmlDeviceGetName``) to its catalog model, or ``None``.

    Robust to driver differences: the ``NVIDIA``/``Tesla``/``GeForce`` prefixes, a ``MIG <profile>``
    suffix, case and separators are ignored; PCIe/SXM/NVL variants map to their model. When the
    name does not settle the variant (``NVIDIA H100``, a 40 vs 80 GB A100, GH200), ``memory_bytes``
    (``nvmlDeviceGetMemoryInfo().total``) picks the model with the closest nominal memory.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    norm = normalize_nvml_name(name)
    exact = _NVML_EXACT.get(norm)
    if exact:
        model = _pick(list(exact), norm, memory_bytes)
        if memory_bytes is not None and abs(model.memory_bytes - memory_bytes) > 0.12 * model.memory_bytes:
            siblings = [m for m in NVIDIA_MODELS if m.family == model.family and m.nvml_names]
            return _pick(siblings, "", memory_bytes)
        return model
    for pattern, names in _NVML_RULES:
        if pattern.search(norm):
            return _pick([_BY_NAME[n] for n in names], norm, memory_bytes)
    return None


def valid_partitions(device: str) -> tuple[str, ...] | None:
    """Partitions the catalog knows for ``device``: MIG profiles of a GPU model, TPU topologies.

    ``()`` for a catalogued GPU without MIG; ``None`` when the device is not catalogued.
    """
    for tpu in TPU_TYPES:
        if device == tpu.device:
            return tpu.topology_names
    model = find_model(device)
    if model is None:
        return None
    return tuple(model.mig_profiles)


def models_with_profile(profile: str) -> tuple[GPUModel, ...]:
    """Every model that offers the MIG profile ``profile``."""
    return tuple(m for m in NVIDIA_MODELS if profile in m.mig_profiles)


def partition_hint(value: str, valid: tuple[str, ...]) -> str:
    """A hint for a partition not in ``valid``: a close spelling, or which models offer it."""
    parts: list[str] = []
    if not valid:
        parts.append(" (the device is not MIG-capable)")
    close = difflib.get_close_matches(value.lower(), list(valid), n=1, cutoff=0.7)
    if close:
        parts.append(f"; did you mean {close[0]!r}?")
    others = [m.name for m in models_with_profile(value)]
    if others:
        parts.append(f"; {value!r} is a profile of {', '.join(others[:4])}")
    return "".join(parts)


def constant_hint(value: str) -> str:
    """For a device string passed where an accelerator object belongs: the object to use instead."""
    model = find_model(value)
    if model is not None:
        if model.flytekit_constant:
            return f" (did you mean podplan.accelerators.{model.flytekit_constant}?)"
        return f" (did you mean GPUAccelerator({model.device!r})?)"
    for tpu in TPU_TYPES:
        if lookup_key(value) in (lookup_key(tpu.name), lookup_key(tpu.device)):
            return f" (did you mean podplan.accelerators.{tpu.flytekit_constant}?)"
    return f" (did you mean GPUAccelerator({value!r})?)" if value else ""
