"""Resource rules of the backend (spec §2): names, admin defaults, per-container resolution.

Inside the builder a container's ``resources`` is ``{"requests": {name: Quantity}, "limits":
{name: Quantity}}``; quantities become canonical strings only when the pod is finished. A key that
is present with a zero value is *present* (Go tests presence, not value) but *unset* for the
``adjust_or_default`` / ``ensure_in_range`` primitives of :mod:`podplan.resources`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podplan.errors import PodBuildError, QuantityError

if TYPE_CHECKING:  # pragma: no cover
    from podplan.podspec.provenance import Provenance
    from podplan.resources import Quantity

__all__ = [
    "IDL_TO_K8S",
    "ResourceMaps",
    "admin_defaults",
    "apply_resource_overrides",
    "canonical_string",
    "customize_container_resources",
    "final_container_resources",
    "idl_to_k8s",
    "parse_resource_list",
    "platform_maps",
    "quantity",
    "quantity_type",
    "sanitize_gpu",
]

#: ``(requests, limits)``, each mapping a Kubernetes resource name to a Quantity
ResourceMaps = tuple[dict[str, "Quantity"], dict[str, "Quantity"]]

#: flyteidl ``Resources.ResourceName`` enum value -> Kubernetes name (GPU is hard-wired, §2.1)
IDL_TO_K8S: dict[int, str] = {1: "cpu", 2: "nvidia.com/gpu", 3: "memory", 5: "ephemeral-storage"}

_ZERO: Any = None
_CACHE: dict[Any, Any] = {}
_R: Any = None  # the podplan.resources module, imported on first use


def _res() -> Any:
    global _R, _ZERO
    if _R is None:
        import podplan.resources as module

        _R = module
        _ZERO = module.Quantity("0")
    return _R


def quantity(value: Any, where: str = "quantity") -> Quantity:
    """Parse ``value`` (str, int, float, Quantity) to a Quantity; parsed strings are cached.

    The cache is keyed by the spelling (and its type), never by value: ``"1Gi"`` and
    ``"1073741824"`` are equal quantities that print differently.
    """
    r = _R if _R is not None else _res()
    if isinstance(value, r.Quantity):
        return value
    if isinstance(value, bool):
        raise PodBuildError(f"{where}: expected a quantity, got {value!r}")
    key = (type(value), value)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    except TypeError:  # unhashable
        raise PodBuildError(f"{where}: expected a quantity, got {value!r}") from None
    try:
        q = r.Quantity(value)
    except QuantityError as exc:
        raise PodBuildError(f"{where}: {exc}") from None
    if len(_CACHE) < 8192:
        _CACHE[key] = q
    return q


def canonical(value: Any) -> str:
    """The canonical string of a quantity value (Go's ``Quantity.String()``)."""
    r = _R if _R is not None else _res()
    if isinstance(value, r.Quantity):
        return str(value)
    return str(quantity(value))


_CANONICAL: dict[str, str] = {}


def canonical_string(value: str, where: str = "quantity") -> str:
    """The canonical string of the quantity spelled ``value`` (memoized by spelling)."""
    found = _CANONICAL.get(value)
    if found is None:
        found = str(quantity(value, where))
        if len(_CANONICAL) < 4096:
            _CANONICAL[value] = found
    return found


def zero_quantity() -> Quantity:
    """The zero quantity (``"0"``)."""
    return _zero()


def quantity_type() -> type:
    """The ``podplan.resources.Quantity`` class (imported on first use)."""
    r = _R if _R is not None else _res()
    return r.Quantity


def _zero() -> Quantity:
    _res()
    return _ZERO


def _is_zero(q: Quantity | None) -> bool:
    return q is None or q.is_zero()


def parse_resource_list(raw: Any, where: str) -> dict[str, Quantity]:
    """A Kubernetes ResourceList (JSON form, strings or numbers) parsed to Quantities."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise PodBuildError(f"{where}: expected a mapping of resource name to quantity, got {raw!r}")
    return {str(k): quantity(v, f"{where}.{k}") for k, v in raw.items()}


def idl_to_k8s(pb_resources: Any) -> ResourceMaps:
    """``ToK8sResourceRequirements``: IDL entries to Kubernetes maps; zero and unknown dropped."""
    out: ResourceMaps = ({}, {})
    if pb_resources is None:
        return out
    for side, entries in ((0, pb_resources.requests), (1, pb_resources.limits)):
        target = out[side]
        for entry in entries:
            name = IDL_TO_K8S.get(entry.name)
            if name is None:  # UNKNOWN and STORAGE are silently dropped
                continue
            q = quantity(entry.value, f"container.resources.{'limits' if side else 'requests'}.{name}")
            if not _is_zero(q):
                target[name] = q
    return out


_PLATFORM_CACHE: dict[int, tuple[Any, Any]] = {}


def platform_maps(platform: Any) -> ResourceMaps | None:
    """Propeller's platform resources: explicit maps, or admin values with all four keys (§2.5).

    ``None`` means the empty platform object (k8s config defaults apply, nothing is clamped).
    Cached per (immutable) platform object.
    """
    hit = _PLATFORM_CACHE.get(id(platform))
    if hit is not None and hit[0] is platform:
        return hit[1]
    maps = _platform_maps(platform)
    if len(_PLATFORM_CACHE) > 64:
        _PLATFORM_CACHE.clear()
    _PLATFORM_CACHE[id(platform)] = (platform, maps)
    return maps


def _platform_maps(platform: Any) -> ResourceMaps | None:
    if platform.platform_resources is not None:
        pr = platform.platform_resources
        return (
            {k: quantity(v) for k, v in pr.requests.items()},
            {k: quantity(v) for k, v in pr.limits.items()},
        )
    tr = platform.task_resources
    if tr is None:
        return None

    def four(values: Any) -> dict[str, Quantity]:
        return {
            "cpu": quantity(values.cpu),
            "memory": quantity(values.memory),
            "ephemeral-storage": quantity(values.ephemeralStorage),
            "nvidia.com/gpu": quantity(values.gpu),
        }

    return four(tr.defaults), four(tr.limits)


def _adjust(
    request: Quantity | None, limit: Quantity | None, default: Quantity | None, ceiling: Quantity | None
) -> tuple[Quantity, Quantity]:
    """``AdjustOrDefaultResource`` (zero means unset) via ``podplan.resources.adjust_or_default``."""

    r, lim = _res().adjust_or_default(
        None if _is_zero(request) else request,
        None if _is_zero(limit) else limit,
        None if _is_zero(default) else default,
        None if _is_zero(ceiling) else ceiling,
    )
    return (r if r is not None else _zero()), (lim if lim is not None else _zero())


def _clamp(
    request: Quantity | None, limit: Quantity | None, ceiling: Quantity | None
) -> tuple[Quantity, Quantity]:
    """``ensureResourceRange`` with Go's zero-means-unset, via :func:`podplan.resources.ensure_in_range`."""

    r, lim = _res().ensure_in_range(
        None if _is_zero(request) else request,
        None if _is_zero(limit) else limit,
        None if _is_zero(ceiling) else ceiling,
    )
    return (r if r is not None else _zero()), (lim if lim is not None else _zero())


_ADMIN_CACHE: dict[int, tuple[Any, Any]] = {}


def _admin_rows(tr: Any) -> list[tuple[str, Quantity, Quantity]]:
    hit = _ADMIN_CACHE.get(id(tr))
    if hit is not None and hit[0] is tr:
        return hit[1]
    rows = [
        (name, quantity(getattr(tr.defaults, attr)), quantity(getattr(tr.limits, attr)))
        for name, attr in (
            ("cpu", "cpu"),
            ("memory", "memory"),
            ("ephemeral-storage", "ephemeralStorage"),
            ("nvidia.com/gpu", "gpu"),
        )
    ]
    if len(_ADMIN_CACHE) > 64:
        _ADMIN_CACHE.clear()
    _ADMIN_CACHE[id(tr)] = (tr, rows)
    return rows


def admin_defaults(maps: ResourceMaps, platform: Any, prov: Provenance, where: str) -> ResourceMaps:
    """flyteadmin ``setCompiledTaskDefaults`` on a container task's IDL resources (§1.0.2)."""
    tr = platform.task_resources
    if tr is None or platform.platform_resources is not None:
        return maps
    requests, limits = maps
    out: ResourceMaps = ({}, {})
    for name, default, ceiling in _admin_rows(tr):
        if (
            name not in ("cpu", "memory")
            and name not in requests
            and name not in limits
            and _is_zero(default)
        ):
            continue
        req, lim = requests.get(name), limits.get(name)
        new_req, new_lim = _adjust(req, lim, default, ceiling)
        if prov.enabled:
            _note_adjust(prov, where, name, req, lim, new_req, new_lim, default, ceiling, "task", admin=True)
        if not _is_zero(new_req):
            out[0][name] = new_req
        if not _is_zero(new_lim):
            out[1][name] = new_lim
    return out


_CONTAINER_CACHE: dict[tuple[bytes, int], tuple[Any, ResourceMaps]] = {}


def container_resources(pb_resources: Any, platform: Any, prov: Provenance) -> ResourceMaps:
    """A container task's resources after ``ToK8sResourceRequirements`` and the admin step.

    Memoized by the serialized IDL resources and the platform's ``task_resources`` (when not
    explaining); the returned maps are fresh copies the caller may mutate.
    """
    if prov.enabled:
        return admin_defaults(idl_to_k8s(pb_resources), platform, prov, "admin")
    tr = platform.task_resources if platform.platform_resources is None else None
    key = (pb_resources.SerializeToString(deterministic=True), id(tr))
    hit = _CONTAINER_CACHE.get(key)
    if hit is None or hit[0] is not tr:
        maps = admin_defaults(idl_to_k8s(pb_resources), platform, prov, "admin")
        if len(_CONTAINER_CACHE) > 4096:
            _CONTAINER_CACHE.clear()
        hit = _CONTAINER_CACHE[key] = (tr, maps)
    return dict(hit[1][0]), dict(hit[1][1])


_FINAL_CACHE: dict[tuple[bytes, int], tuple[Any, tuple[dict[str, str], dict[str, str]]]] = {}


def final_container_resources(pb_resources: Any, platform: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The final resources of a container task's container when only admin shapes them.

    That is a production platform (admin ``task_resources``, no ``platform_resources``), no
    resource or pod-spec override and no base template: the propeller step then adds explicit
    zero ``cpu``/``memory`` entries and changes nothing else (spec §2.5). Canonical strings,
    memoized like :func:`container_resources`; the returned maps are fresh copies.
    """
    tr = platform.task_resources
    key = (pb_resources.SerializeToString(), id(tr))  # no maps in Resources: already deterministic
    hit = _FINAL_CACHE.get(key)
    if hit is None or hit[0] is not tr:
        from podplan.podspec.provenance import Provenance

        requests, limits = container_resources(pb_resources, platform, Provenance(False))
        final: list[dict[str, str]] = []
        for m in (requests, limits):
            if "cpu" not in m:
                m["cpu"] = _zero()
            if "memory" not in m:
                m["memory"] = _zero()
            final.append({k: str(v) for k, v in m.items()})
        if len(_FINAL_CACHE) > 4096:
            _FINAL_CACHE.clear()
        hit = _FINAL_CACHE[key] = (tr, (final[0], final[1]))
    return dict(hit[1][0]), dict(hit[1][1])


def sanitize_gpu(res: dict[str, Any], gpu_name: str) -> None:
    """``SanitizeGPUResourceRequirements``: rename a literal ``gpu`` key to ``gpu-resource-name``."""
    for side in ("requests", "limits"):
        m = res.get(side)
        if m and "gpu" in m:
            m[gpu_name] = m.pop("gpu")


_DEFAULTS_CACHE: dict[tuple[int, int], tuple[Any, Any, Any]] = {}


def _resolved_defaults(
    platform_res: ResourceMaps | None, cfg: Any
) -> tuple[dict[str, Quantity], dict[str, Quantity], dict[str, str]]:
    """``resolvePlatformDefaults``: platform limits, defaults with the k8s config fallback, sources."""
    key = (id(platform_res), id(cfg))
    hit = _DEFAULTS_CACHE.get(key)
    if hit is not None and hit[0] is platform_res and hit[1] is cfg:
        return hit[2]
    if platform_res is None:
        p_req: dict[str, Quantity] = {}
        p_lim: dict[str, Quantity] = {}
    else:
        p_req, p_lim = platform_res
    defaults = dict(p_req)
    default_src = dict.fromkeys(defaults, "platform default")
    if "cpu" not in defaults:
        defaults["cpu"] = quantity(cfg.default_cpus)
        default_src["cpu"] = "platform default (plugins.k8s default-cpus)"
    if "memory" not in defaults:
        defaults["memory"] = quantity(cfg.default_memory)
        default_src["memory"] = "platform default (plugins.k8s default-memory)"
    value = (p_lim, defaults, default_src)
    if len(_DEFAULTS_CACHE) > 64:
        _DEFAULTS_CACHE.clear()
    _DEFAULTS_CACHE[key] = (platform_res, cfg, value)
    return value


def apply_resource_overrides(
    res: dict[str, Any],
    platform_res: ResourceMaps | None,
    cfg: Any,
    assign_if_unset: bool,
    prov: Provenance,
    where: str,
    sources: dict[tuple[str, str], str],
) -> None:
    """``ApplyResourceOverrides`` (§2.3), in place on ``res``; records where each value came from."""
    requests = res.setdefault("requests", {})
    limits = res.setdefault("limits", {})
    p_lim, defaults, default_src = _resolved_defaults(platform_res, cfg)
    names = ["cpu", "memory"]
    if "ephemeral-storage" in requests or "ephemeral-storage" in limits:
        names.append("ephemeral-storage")
    gpu = cfg.gpu_resource_name
    if (gpu in requests or gpu in limits) and gpu not in names:
        names.append(gpu)
    for name in names:
        req, lim = requests.get(name), limits.get(name)
        ceiling = p_lim.get(name)
        if assign_if_unset:
            new_req, new_lim = _adjust(req, lim, defaults.get(name), ceiling)
        else:
            new_req, new_lim = _clamp(req, lim, ceiling)
        requests[name] = new_req
        limits[name] = new_lim
        if prov.enabled:
            _note_adjust(
                prov,
                where,
                name,
                req,
                lim,
                new_req,
                new_lim,
                defaults.get(name),
                ceiling,
                sources.get(("requests", name), "task"),
                default_src=default_src.get(name, "platform default"),
                lim_source=sources.get(("limits", name), "task"),
                assign=assign_if_unset,
            )
    for side, m in (("requests", requests), ("limits", limits)):
        for name in m:
            if name not in names and prov.enabled:
                prov.set(f"{where}.resources.{side}.{name}", sources.get((side, name), "task"))


def _note_adjust(
    prov: Provenance,
    where: str,
    name: str,
    req: Quantity | None,
    lim: Quantity | None,
    new_req: Quantity,
    new_lim: Quantity,
    default: Quantity | None,
    ceiling: Quantity | None,
    req_source: str,
    *,
    admin: bool = False,
    default_src: str = "platform default",
    lim_source: str | None = None,
    assign: bool = True,
) -> None:
    """Record the origin of one resolved request/limit pair."""
    if not prov.enabled:
        return
    lim_source = lim_source or req_source
    suffix = " (admin task_resources)" if admin else ""
    clamp_note = f"platform clamp (limit {ceiling})" if ceiling is not None and not _is_zero(ceiling) else ""
    # request: where the value came from, then whether a clamp changed it
    if not _is_zero(req):
        src, pre_req = req_source, req
    elif assign and not _is_zero(lim):
        src, pre_req = f"{lim_source} (request copied from limit)", lim
    elif assign and not _is_zero(default):
        src, pre_req = default_src + suffix, default
    else:
        src, pre_req = "unset (explicit zero written by the backend)", None
    if pre_req is not None and new_req != pre_req:
        was = f"was {pre_req} ({src})"
        src = f"{clamp_note}; {was}" if clamp_note and new_req == ceiling else f"capped at the limit; {was}"
    # limit
    if not _is_zero(lim):
        lsrc, pre_lim = lim_source, lim
    elif assign and pre_req is not None:
        lsrc, pre_lim = f"{src} (limit copied from request)", pre_req
    else:
        lsrc, pre_lim = "unset (explicit zero written by the backend)", None
    if pre_lim is not None and new_lim != pre_lim:
        lsrc = f"{clamp_note}; was {pre_lim} ({lsrc})" if clamp_note else lsrc
    key = f"{where}.resources"
    if admin:
        prov.set(f"{key}.requests.{name}", src)
        prov.set(f"{key}.limits.{name}", lsrc)
    else:
        prov.set(f"{key}.requests.{name}", src)
        prov.set(f"{key}.limits.{name}", lsrc)


def customize_container_resources(
    container: dict[str, Any],
    *,
    merge_mode: bool,
    override: ResourceMaps | None,
    template_res: dict[str, Any] | None,
    platform_res: ResourceMaps | None,
    cfg: Any,
    prov: Provenance,
    where: str,
    own_source: str = "task",
) -> None:
    """Resolve one container's resources in merge (primary/init) or ensure-in-range mode (§2.4)."""
    res: dict[str, Any] = container.get("resources") or {}
    container["resources"] = res
    requests: dict[str, Any] = res.get("requests") or {}
    limits: dict[str, Any] = res.get("limits") or {}
    res["requests"] = requests
    res["limits"] = limits
    sanitize_gpu(res, cfg.gpu_resource_name)
    sources: dict[tuple[str, str], str] = {}
    if prov.enabled:
        for side, m in (("requests", requests), ("limits", limits)):
            for k in m:
                sources[(side, k)] = own_source
    if merge_mode and override is not None:
        pairs: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
            ("requests", requests, override[0]),
            ("limits", limits, override[1]),
        )
        for side, m, src in pairs:
            for k, v in src.items():
                m[k] = v
                sources[(side, k)] = "override"
    if template_res:
        t_req = template_res.get("requests") or {}
        t_lim = template_res.get("limits") or {}
        tpairs: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
            ("requests", requests, t_req),
            ("limits", limits, t_lim),
        )
        for side, m, src in tpairs:
            for k, v in src.items():
                if k not in m:
                    m[k] = v
                    sources[(side, k)] = "base template"
    apply_resource_overrides(res, platform_res, cfg, merge_mode, prov, where, sources)
