"""docker-compose.yml is checked structurally (no Docker engine here): images or builds, healthchecks,
``depends_on`` conditions, scalable consumers, and every setting a service needs is set.

"Needs" is derived from the code, not listed by hand: the pydantic-settings classes deriving from
``warta.settings.CommonSettings`` under ``libs/`` and ``services/`` are read with ``ast`` (so a service
half-written by someone else cannot break the import of this test). A field must be set in compose
when it has no default, or when its default points at loopback (``127.0.0.1``/``localhost``), which
inside a container is the container itself.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICE_NAMES = ("fetcher", "enricher", "indexer", "alerter", "api")
# consumers (and the fetcher, which shares its sources by leases) scale with --scale
SCALABLE = ("fetcher", "enricher", "indexer", "alerter")
CONDITIONS = {"service_healthy", "service_completed_successfully", "service_started"}
LOOPBACK = re.compile(r"\b(127\.0\.0\.1|localhost)\b")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def one_shot_services(services: dict[str, Any]) -> set[str]:
    """Services others wait for to *finish* (the init job): they need no healthcheck."""
    return {
        dep
        for spec in services.values()
        for dep, cond in (spec.get("depends_on") or {}).items()
        if isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully"
    }


# --------------------------------------------------------------------------------------------
# the settings scan


@dataclass
class SettingField:
    name: str
    env_names: tuple[str, ...]  # any one of them satisfies the field
    required: bool  # no default
    default: object = None


@dataclass
class SettingsClass:
    name: str
    path: Path
    bases: tuple[str, ...]
    env_prefix: str | None
    own_fields: list[SettingField] = field(default_factory=list)
    raw_fields: list[tuple[str, ast.expr | None]] = field(default_factory=list)


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name_of(node.value)
    return ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _literal(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _env_prefix(cls: ast.ClassDef) -> str | None:
    for stmt in cls.body:
        targets = [t.id for t in getattr(stmt, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            targets = [stmt.target.id]
        value = getattr(stmt, "value", None)
        if "model_config" in targets and isinstance(value, ast.Call):
            prefix = _literal(_kw(value, "env_prefix"))
            return prefix if isinstance(prefix, str) else None
    return None


def parse_settings_classes(paths: list[Path]) -> list[SettingsClass]:
    found: list[SettingsClass] = []
    for path in paths:
        try:
            tree = ast.parse(path.read_text("utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # being edited by someone else right now; its settings are checked next run
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            cls = SettingsClass(node.name, path, tuple(_name_of(b) for b in node.bases), _env_prefix(node))
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and not stmt.target.id.startswith("_")
                    and stmt.target.id != "model_config"
                    and _name_of(stmt.annotation) != "ClassVar"
                ):
                    cls.raw_fields.append((stmt.target.id, stmt.value))
            found.append(cls)
    return found


def _field(name: str, value: ast.expr | None, prefix: str) -> SettingField:
    env_names: tuple[str, ...] = (f"{prefix}{name}".upper(),)
    if value is None:
        return SettingField(name, env_names, required=True)
    if isinstance(value, ast.Call) and _name_of(value.func) == "Field":
        alias = _kw(value, "validation_alias") or _kw(value, "alias")
        if isinstance(alias, ast.Call):  # AliasChoices("WARTA_X", "x"): env names are the upper-case ones
            names = [_literal(a) for a in alias.args]
            env_names = tuple(n for n in names if isinstance(n, str) and n.isupper()) or env_names
        elif isinstance(_literal(alias), str):
            env_names = (str(_literal(alias)).upper(),)
        default_node = _kw(value, "default")
        if default_node is None and value.args:
            default_node = value.args[0]
        has_default = _kw(value, "default_factory") is not None or (
            default_node is not None
            and not (isinstance(default_node, ast.Constant) and default_node.value is ...)
        )
        return SettingField(name, env_names, required=not has_default, default=_literal(default_node))
    return SettingField(name, env_names, required=False, default=_literal(value))


def settings_fields(
    classes: list[SettingsClass], root: str = "CommonSettings"
) -> dict[Path, list[SettingField]]:
    """Per file: the effective fields of every class deriving (transitively) from ``root``.

    A subclass re-reads inherited fields under its own env prefix unless they carry an alias,
    exactly as pydantic-settings does.
    """
    by_name: dict[str, list[SettingsClass]] = {}
    for cls in classes:
        by_name.setdefault(cls.name, []).append(cls)

    def lineage(cls: SettingsClass, seen: frozenset[str] = frozenset()) -> list[SettingsClass] | None:
        if cls.name == root:
            return [cls]
        for base in cls.bases:
            if base in seen:
                continue
            for parent in by_name.get(base, []):
                if parent is cls:
                    continue
                chain = lineage(parent, seen | {cls.name})
                if chain is not None:
                    return [*chain, cls]
        return None

    out: dict[Path, list[SettingField]] = {}
    for cls in classes:
        chain = lineage(cls)
        if chain is None:
            continue
        prefix = next((c.env_prefix for c in reversed(chain) if c.env_prefix is not None), "")
        fields: dict[str, SettingField] = {}
        for ancestor in chain:
            for name, value in ancestor.raw_fields:
                fields[name] = _field(name, value, prefix)
        out.setdefault(cls.path, []).extend(fields.values())
    return out


def python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.py"))


def needed_env(fields: list[SettingField]) -> list[tuple[str, ...]]:
    """Env-name alternatives that compose must set: required fields and loopback defaults."""
    return [
        f.env_names
        for f in fields
        if f.required or (isinstance(f.default, str) and LOOPBACK.search(f.default))
    ]


# --------------------------------------------------------------------------------------------
# tests


def test_every_service_has_an_image_or_a_build(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        assert spec.get("image") or spec.get("build"), f"{name}: neither image nor build"


def test_kafka_and_elasticsearch_use_official_images_matching_the_client(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft
    # the Python client is elasticsearch 8.x, which talks to an 8.x server
    assert services["elasticsearch"]["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.")
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"


def test_each_warta_service_is_built_from_its_own_dockerfile_at_the_repo_root(
    compose: dict[str, Any],
) -> None:
    for name in SERVICE_NAMES:
        build = compose["services"][name]["build"]
        assert build["context"] == ".", f"{name}: the uv workspace needs the repo root as build context"
        dockerfile = REPO / build["dockerfile"]
        assert build["dockerfile"] == f"services/{name}/Dockerfile" and dockerfile.exists()
        text = dockerfile.read_text()
        assert "uv.lock" in text and f"--package warta-{name}" in text and "--frozen" in text
        assert f'CMD ["warta-{name}"]' in text


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    services = compose["services"]
    one_shot = one_shot_services(services)
    assert "init" in one_shot, "services should wait for the init job to complete"
    for name, spec in services.items():
        if name in one_shot:
            assert spec.get("restart") == "no", f"{name} is a one-shot job and must not restart"
            continue
        test = (spec.get("healthcheck") or {}).get("test")
        assert test and test != ["NONE"], f"{name}: no healthcheck"


def test_depends_on_waits_on_conditions_that_can_be_met(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, spec in services.items():
        depends = spec.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on must be a mapping with conditions"
        for dep, cond in depends.items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            assert isinstance(cond, dict) and cond.get("condition") in CONDITIONS, f"{name} -> {dep}"
            if cond["condition"] == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{name} waits for {dep} to be healthy, it has no check"
                )
    for name in SERVICE_NAMES:
        depends = services[name]["depends_on"]
        assert depends["init"]["condition"] == "service_completed_successfully"
        assert depends["kafka"]["condition"] == depends["elasticsearch"]["condition"] == "service_healthy"


def test_scalable_services_bind_no_fixed_host_port_or_container_name(compose: dict[str, Any]) -> None:
    for name in SCALABLE:
        spec = compose["services"][name]
        assert not spec.get("ports"), f"{name}: a published host port prevents --scale"
        assert "container_name" not in spec, f"{name}: a container_name prevents --scale"


def test_init_job_creates_topics_with_room_for_scaled_consumers(compose: dict[str, Any]) -> None:
    init = compose["services"]["init"]
    assert init["command"][:2] == ["warta", "init"]
    assert int(init["environment"]["WARTA_TOPIC_PARTITIONS"]) >= 12
    assert int(compose["services"]["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"]) >= 12


def test_settings_scan_sees_every_service_and_the_common_settings() -> None:
    fields = settings_fields(parse_settings_classes(python_files(REPO / "libs", REPO / "services")))
    common = fields.get(REPO / "libs/warta/src/warta/settings.py", [])
    env = {n for f in common for n in f.env_names}
    assert {"WARTA_KAFKA_BOOTSTRAP", "WARTA_ES_URL"} <= env
    for name in SERVICE_NAMES:
        if (REPO / f"services/{name}/src/warta_{name}/settings.py").exists():
            assert any(f"services/{name}/" in str(p) for p in fields), f"no Settings class found for {name}"


def test_settings_scan_finds_required_aliased_and_loopback_fields(tmp_path: Path) -> None:
    (tmp_path / "common.py").write_text(
        "class CommonSettings(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='WARTA_')\n"
        "    kafka: str = Field(validation_alias=AliasChoices('WARTA_KAFKA', 'kafka'), default='127.0.0.1:9092')\n"
        "    level: str = 'INFO'\n"
    )
    (tmp_path / "svc.py").write_text(
        "class Settings(CommonSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='WARTA_SVC_', frozen=True)\n"
        "    token: str\n"
        "    secret: str = Field(..., description='x')\n"
        "    url: str = Field(default='http://localhost:1')\n"
        "    items: list[str] = Field(default_factory=list)\n"
        "class Unrelated(BaseModel):\n"
        "    other: str\n"
    )
    fields = settings_fields(parse_settings_classes(python_files(tmp_path)))
    svc = {f.name: f for f in fields[tmp_path / "svc.py"]}
    assert svc["level"].env_names == ("WARTA_SVC_LEVEL",) and not svc["level"].required
    assert sorted(needed_env(list(svc.values()))) == [
        ("WARTA_KAFKA",), ("WARTA_SVC_SECRET",), ("WARTA_SVC_TOKEN",), ("WARTA_SVC_URL",),
    ]  # fmt: skip
    assert tmp_path / "common.py" in fields and not any(
        f.name == "other" for fs in fields.values() for f in fs
    )


def test_every_setting_a_service_needs_is_set_in_compose(compose: dict[str, Any]) -> None:
    fields = settings_fields(parse_settings_classes(python_files(REPO / "libs", REPO / "services")))
    common = fields.get(REPO / "libs/warta/src/warta/settings.py", [])
    users = {name: [f"services/{name}/"] for name in SERVICE_NAMES}
    users["init"] = []  # `warta init` reads CommonSettings only
    missing: list[str] = []
    for service, dirs in users.items():
        env = compose["services"][service].get("environment") or {}
        assert isinstance(env, dict), f"{service}: write environment as a mapping"
        needed = needed_env(common)
        for path, path_fields in fields.items():
            if any(d in str(path.relative_to(REPO)) for d in dirs):
                needed += needed_env(path_fields)
        for alternatives in needed:
            if not any(env.get(name) not in (None, "") for name in alternatives):
                missing.append(f"{service}: {' or '.join(alternatives)}")
    assert not missing, "unset in docker-compose.yml:\n" + "\n".join(sorted(set(missing)))
