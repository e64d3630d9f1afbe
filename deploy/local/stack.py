#!/usr/bin/env python3
"""Warta's local stack without Docker: Kafka (KRaft) + Elasticsearch on 127.0.0.1, then the services.

Standard library only, so it runs before the project's dependencies are installed.

    python3 deploy/local/stack.py fetch      download Kafka jars and the ES zip into the cache (once)
    python3 deploy/local/stack.py start      fetch, then start Kafka and ES and wait until healthy
    python3 deploy/local/stack.py up         start + `warta init` + the five services + sample feed
    python3 deploy/local/stack.py down       stop the services, then Kafka and ES (cache kept)
    python3 deploy/local/stack.py status     what runs: pids, addresses, health
    python3 deploy/local/stack.py logs [-f] [NAME]
    python3 deploy/local/stack.py clean      stop everything and delete runtime data (downloads kept)

Everything lives outside the repository, under ``$WARTA_HOME``: ``downloads/`` (Kafka jars, the ES
zip and its unpacked tree) and ``run/`` (data, config, logs, pid files). Default ``~/.cache/warta``;
as root ``/var/cache/warta``, because Elasticsearch refuses to run as root and the unprivileged user
it runs as (``warta``) cannot enter ``/root`` (mode 0700).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

KAFKA_VERSION = os.environ.get("WARTA_KAFKA_VERSION", "4.3.1")
SCALA_VERSION = "2.13"
# Kafka's jars log through slf4j 1.7; this binding routes them to log4j2, which kafka.Kafka configures.
LOG4J_VERSION = "2.25.4"
ES_VERSION = os.environ.get("WARTA_ES_VERSION", "8.19.21")
MAVEN_CENTRAL = os.environ.get("WARTA_MAVEN_URL", "https://repo1.maven.org/maven2").rstrip("/")
KAFKA_TARBALL_URL = os.environ.get(
    "WARTA_KAFKA_TARBALL_URL",
    f"https://archive.apache.org/dist/kafka/{KAFKA_VERSION}/kafka_{SCALA_VERSION}-{KAFKA_VERSION}.tgz",
)
ES_USER = os.environ.get("WARTA_ES_USER", "warta")

HOST = "127.0.0.1"
KAFKA_PORT = int(os.environ.get("WARTA_STACK_KAFKA_PORT", "9092"))
KAFKA_CONTROLLER_PORT = int(os.environ.get("WARTA_STACK_KAFKA_CONTROLLER_PORT", "9093"))
ES_PORT = int(os.environ.get("WARTA_STACK_ES_PORT", "9200"))
ES_TRANSPORT_PORT = int(os.environ.get("WARTA_STACK_ES_TRANSPORT_PORT", "9300"))
API_PORT = int(os.environ.get("WARTA_STACK_API_PORT", "8000"))
KAFKA_HEAP_OPTS = os.environ.get("KAFKA_HEAP_OPTS", "-Xms256m -Xmx512m")
ES_HEAP = os.environ.get("WARTA_ES_HEAP", "512m")
# C1-only JIT: on 2 busy cores it halves the CPU both JVMs burn while starting (ES: ~18 -> ~9 CPU
# seconds, 66 -> 27 s wall), at some cost in peak throughput. WARTA_STACK_FAST_JVM=0 turns it off
# (for benchmarks of the servers themselves).
FAST_JVM_OPTS = [] if os.environ.get("WARTA_STACK_FAST_JVM", "1") == "0" else ["-XX:TieredStopAtLevel=1"]

SERVICES = ("fetcher", "enricher", "indexer", "alerter", "api")
# where each service answers /healthz (the services' own defaults; the API's is API_PORT)
SERVICE_HEALTH_PORTS = {"fetcher": 9101, "enricher": 6066, "indexer": 9102, "alerter": 6067, "api": API_PORT}
DEV_API_KEY = os.environ.get("WARTA_STACK_API_KEY", "dev-key")
SAMPLE_QUERY = "Stoltenberg"


class StackError(RuntimeError):
    """A problem the user can act on; the message says what to do."""


# ---------------------------------------------------------------------------------------------
# output


def say(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def note(msg: str) -> None:
    print(f"    {msg}", flush=True)


class Dots:
    """Progress while waiting: a dot per tick on one line, closed by ``done``."""

    def __init__(self, label: str) -> None:
        self.started = time.monotonic()
        print(f"    {label} ", end="", flush=True)

    def tick(self) -> None:
        print(".", end="", flush=True)

    def done(self, outcome: str = "ok") -> None:
        print(f" {outcome} ({time.monotonic() - self.started:.1f}s)", flush=True)


# ---------------------------------------------------------------------------------------------
# layout


def default_home() -> Path:
    if os.environ.get("WARTA_HOME"):
        return Path(os.environ["WARTA_HOME"]).expanduser().resolve()
    if os.geteuid() == 0:
        return Path("/var/cache/warta")
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "warta"


@dataclass(frozen=True)
class Layout:
    """Every path the stack uses; nothing is written inside the repository."""

    home: Path

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    @property
    def kafka_dist(self) -> Path:
        return self.downloads / f"kafka-{KAFKA_VERSION}"

    @property
    def kafka_libs(self) -> Path:
        return self.kafka_dist / "libs"

    @property
    def es_zip(self) -> Path:
        return self.downloads / f"elasticsearch-{ES_VERSION}.zip"

    @property
    def es_home(self) -> Path:
        return self.downloads / f"elasticsearch-{ES_VERSION}"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def kafka_run(self) -> Path:
        return self.run / "kafka"

    @property
    def es_run(self) -> Path:
        return self.run / "es"

    @property
    def logs(self) -> Path:
        return self.run / "logs"

    @property
    def pids(self) -> Path:
        return self.run / "pids"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pidfile(self, name: str) -> Path:
        return self.pids / f"{name}.pid"


@contextlib.contextmanager
def stack_lock(layout: Layout) -> Iterator[None]:
    """Serialise starts and stops: `make up` and a test session may race for the same stack."""
    layout.home.mkdir(parents=True, exist_ok=True)
    with open(layout.home / "stack.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------
# prerequisites


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if not (java_home / "bin" / "java").exists():
        return None
    if release.exists():
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                version = line.split("=", 1)[1].strip().strip('"')
                head = version.split(".")[0]
                return int(head) if head.isdigit() else None
    return None


def find_java_home() -> Path:
    """A JDK/JRE 17+ for Kafka 4 and ES 8.19. Prefers 17/21 (what ES 8.19 is tested on) over newer."""
    candidates: list[Path] = []
    for var in ("WARTA_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append(Path(os.environ[var]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted(jvm.glob("java-17-openjdk*")) + sorted(jvm.glob("java-21-openjdk*"))
        candidates += sorted(p for p in jvm.iterdir() if p.is_dir())
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parents[1])
    usable = [(c, m) for c in candidates if (m := _java_major(c)) is not None and m >= 17]
    if not usable:
        raise StackError(
            "Java 17 or newer is required for Kafka and Elasticsearch but none was found.\n"
            "    Install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`) or point "
            "WARTA_JAVA_HOME at a JDK 17+."
        )
    preferred = [c for c, m in usable if m <= 24]
    return preferred[0] if preferred else usable[0][0]


def ensure_es_user() -> pwd.struct_passwd | None:
    """The account ES runs as when we are root (ES refuses root); None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(ES_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if not useradd:
        raise StackError(
            f"Elasticsearch cannot run as root and user {ES_USER!r} does not exist; "
            f"create it (`adduser --system {ES_USER}`) or run as a normal user."
        )
    say(f"creating system user {ES_USER!r} to run Elasticsearch (it refuses to run as root)")
    shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home", "--shell", shell, ES_USER], check=True
    )
    return pwd.getpwnam(ES_USER)


def as_user(user: pwd.struct_passwd | None, cmd: Sequence[str]) -> list[str]:
    """``cmd`` run as ``user``; setpriv execs in place, so the pid we see is the real process."""
    if user is None:
        return list(cmd)
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", *cmd]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user.pw_name, "--", *cmd]
    raise StackError("running as root needs `setpriv` or `runuser` (util-linux) to start Elasticsearch")


def chown_tree(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)
    os.chown(path, user.pw_uid, user.pw_gid)


def check_reachable_by(user: pwd.struct_passwd | None, path: Path) -> None:
    if user is None:
        return
    probe = subprocess.run(as_user(user, ["test", "-r", str(path)]), capture_output=True)
    if probe.returncode != 0:
        raise StackError(
            f"user {user.pw_name!r} cannot read {path}: a parent directory is private.\n"
            "    Set WARTA_HOME to a directory outside private homes, e.g. WARTA_HOME=/var/cache/warta."
        )


# ---------------------------------------------------------------------------------------------
# downloads


def download(url: str, dest: Path, label: str) -> None:
    """Stream ``url`` to ``dest`` with visible progress; atomic (``.part`` then rename)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(part, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            got, last_shown = 0, -1
            while chunk := resp.read(1 << 20):
                out.write(chunk)
                got += len(chunk)
                shown = int(got * 10 / total) if total else got >> 24
                if shown != last_shown:
                    last_shown = shown
                    size = f"{got >> 20} / {total >> 20} MiB" if total else f"{got >> 20} MiB"
                    # a terminal gets one updating line; a log (CI) one line per tenth
                    lead, end = ("\r", "") if sys.stdout.isatty() else ("", "\n")
                    print(f"{lead}    {label}: {size}", end=end, flush=True)
        if sys.stdout.isatty():
            print(flush=True)
    except (urllib.error.URLError, OSError) as exc:
        part.unlink(missing_ok=True)
        raise StackError(f"could not download {url}: {exc}\n    Check the network / proxy settings.") from exc
    part.rename(dest)


def verify_sha1(url: str, path: Path) -> None:
    """Maven Central publishes a .sha1 beside every artefact; refuse a corrupt download."""
    try:
        with urllib.request.urlopen(url + ".sha1", timeout=30) as resp:
            expected = resp.read().decode().split()[0].strip().lower()
    except (urllib.error.URLError, OSError, IndexError):
        note("no checksum published; skipping verification")
        return
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        path.unlink()
        raise StackError(f"checksum mismatch for {path.name}; deleted it, run the command again")


def _kafka_pom() -> str:
    deps = [
        ("org.apache.kafka", f"kafka_{SCALA_VERSION}", KAFKA_VERSION),
        ("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J_VERSION),
    ]
    dep_xml = "\n".join(
        f"    <dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version></dependency>"
        for g, a, v in deps
    )
    return f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.warta.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
{dep_xml}
  </dependencies>
</project>
"""


def fetch_kafka(layout: Layout) -> None:
    """Kafka's broker and its runtime jars into ``downloads/kafka-<v>/libs`` (once)."""
    marker = layout.kafka_libs / ".complete"
    if marker.exists():
        note(f"Kafka {KAFKA_VERSION}: cached in {layout.kafka_libs}")
        return
    staging = layout.kafka_dist / "libs.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    manifest = Path(__file__).with_name(f"kafka-{KAFKA_VERSION}.classpath")
    mvn = shutil.which("mvn")
    if manifest.exists() and os.environ.get("WARTA_KAFKA_FETCH") != "mvn":
        say(f"fetching Kafka {KAFKA_VERSION} jars from Maven Central ({manifest.name})")
        fetch_jars(read_classpath(manifest), staging)
    elif mvn:
        say(f"fetching Kafka {KAFKA_VERSION} jars from Maven Central (mvn)")
        pom = layout.kafka_dist / "pom.xml"
        pom.write_text(_kafka_pom())
        cmd = [
            mvn, "-B", "-f", str(pom), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
        ]  # fmt: skip
        _run_maven(cmd, layout.kafka_dist / "mvn.log")
    else:
        say(f"Maven not found; fetching the official Kafka {KAFKA_VERSION} tarball instead")
        tgz = layout.downloads / f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.tgz"
        if not tgz.exists():
            download(KAFKA_TARBALL_URL, tgz, f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.tgz")
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if member.isfile() and len(parts) == 3 and parts[1] == "libs" and parts[2].endswith(".jar"):
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    (staging / parts[2]).write_bytes(extracted.read())
    jars = list(staging.glob("*.jar"))
    if not any(j.name.startswith(f"kafka_{SCALA_VERSION}-") for j in jars):
        raise StackError(f"Kafka jars missing after download (see {layout.kafka_dist})")
    shutil.rmtree(layout.kafka_libs, ignore_errors=True)
    staging.rename(layout.kafka_libs)
    marker.write_text(f"{KAFKA_VERSION}\n")
    note(f"Kafka {KAFKA_VERSION}: {len(jars)} jars in {layout.kafka_libs}")


def read_classpath(manifest: Path) -> list[tuple[str, str, str]]:
    """``groupId:artifactId:version`` lines (``#`` comments allowed)."""
    coords = []
    for line in manifest.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            group, artifact, version = line.split(":")
            coords.append((group, artifact, version))
    return coords


def fetch_jars(coords: list[tuple[str, str, str]], dest: Path) -> None:
    """Download pinned jars from Maven Central in parallel, each checked against its .sha1."""
    from concurrent.futures import ThreadPoolExecutor

    def one(coord: tuple[str, str, str]) -> None:
        group, artifact, version = coord
        url = f"{MAVEN_CENTRAL}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.jar"
        target = dest / f"{artifact}-{version}.jar"
        try:
            with urllib.request.urlopen(url, timeout=60) as resp:
                data = resp.read()
            with urllib.request.urlopen(url + ".sha1", timeout=30) as resp:
                expected = resp.read().decode().split()[0].strip().lower()
        except (urllib.error.URLError, OSError, IndexError) as exc:
            raise StackError(
                f"could not download {url}: {exc}\n    Check the network / proxy settings."
            ) from exc
        if hashlib.sha1(data).hexdigest() != expected:
            raise StackError(f"checksum mismatch for {url}; run the command again")
        target.write_bytes(data)

    dots = Dots(f"{len(coords)} jars")
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in pool.map(one, coords):
            dots.tick()
    dots.done()


def _run_maven(cmd: list[str], log_path: Path) -> None:
    """Run Maven, showing one dot per downloaded artefact and the log tail on failure."""
    dots = Dots("resolving")
    count = 0
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if "Downloaded from" in line:
                count += 1
                dots.tick()
        code = proc.wait()
    dots.done(f"{count} artefacts downloaded" if code == 0 else "FAILED")
    if code != 0:
        tail = "".join(log_path.read_text(errors="replace").splitlines(True)[-15:])
        raise StackError(
            f"Maven could not fetch Kafka {KAFKA_VERSION} (full log: {log_path}):\n{tail}\n"
            "    Check Maven's network access, or set WARTA_KAFKA_VERSION to another 4.x release."
        )


def fetch_elasticsearch(layout: Layout) -> None:
    """The minimal ES distribution (``integ-test-zip``) from Maven Central, unpacked once."""
    marker = layout.es_home / ".complete"
    if marker.exists():
        note(f"Elasticsearch {ES_VERSION}: cached in {layout.es_home}")
        return
    url = (
        f"{MAVEN_CENTRAL}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
        f"{ES_VERSION}/elasticsearch-{ES_VERSION}.zip"
    )
    if not layout.es_zip.exists():
        say(f"fetching Elasticsearch {ES_VERSION} (integ-test-zip) from Maven Central")
        download(url, layout.es_zip, layout.es_zip.name)
        verify_sha1(url, layout.es_zip)
    say(f"unpacking {layout.es_zip.name}")
    staging = layout.downloads / f"elasticsearch-{ES_VERSION}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(layout.es_zip) as zf:
        for info in zf.infolist():
            target = staging / info.filename
            if not target.resolve().is_relative_to(staging.resolve()):
                raise StackError(f"refusing zip entry outside the target: {info.filename}")
            zf.extract(info, staging)
            # zipfile drops Unix modes; the launch scripts must stay executable.
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode)
    inner = staging / f"elasticsearch-{ES_VERSION}"
    shutil.rmtree(layout.es_home, ignore_errors=True)
    inner.rename(layout.es_home)
    shutil.rmtree(staging, ignore_errors=True)
    marker.write_text(f"{ES_VERSION}\n")
    note(f"Elasticsearch {ES_VERSION}: unpacked in {layout.es_home}")


def fetch(layout: Layout) -> None:
    find_java_home()  # fail early, before a long download, when Java is missing
    layout.downloads.mkdir(parents=True, exist_ok=True)
    fetch_kafka(layout)
    fetch_elasticsearch(layout)


# ---------------------------------------------------------------------------------------------
# processes


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None if there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def pid_alive(pid: int | None, marker: str | None = None) -> bool:
    """True if ``pid`` runs (not a zombie) and, when given, its command line contains ``marker``."""
    if pid is None:
        return False
    fields = _proc_stat(pid)
    if fields is None or fields[0] == "Z":
        return False
    if marker is None:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return marker in cmdline


def write_pidfile(pidfile: Path, pid: int) -> None:
    """``pid`` plus its kernel start time: a reused pid, or a process that renamed itself (Faust
    sets its process title), is still told apart reliably."""
    fields = _proc_stat(pid)
    started = fields[19] if fields else "0"
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{pid} {started}\n")


def tracked_pid(pidfile: Path, marker: str) -> int | None:
    """The live process a pid file names, or None. Checks the recorded start time when the file
    has one (ours), else that the command line contains ``marker`` (Elasticsearch writes its own)."""
    try:
        parts = pidfile.read_text().split()
        pid = int(parts[0])
    except (OSError, ValueError, IndexError):
        return None
    if len(parts) > 1:
        fields = _proc_stat(pid)
        alive = fields is not None and fields[0] != "Z" and fields[19] == parts[1]
        return pid if alive else None
    return pid if pid_alive(pid, marker) else None


def stop_pid(name: str, pid: int | None, grace: float) -> bool:
    """SIGTERM, wait ``grace`` seconds, then SIGKILL. Returns True if something was stopped."""
    if pid is None or not pid_alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            note(f"{name}: stopped (pid {pid})")
            return True
        time.sleep(0.2)
    note(f"{name}: did not stop within {grace:.0f}s, killing (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return True


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def spawn(cmd: Sequence[str], log_path: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A daemon that survives this script: own session, stdin closed, output to its log file.

    Not inheriting our stdout matters: CI and `make` wait for every writer of their pipe to exit.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n---- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode())
        log.flush()
        return subprocess.Popen(
            list(cmd), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=env, cwd=cwd, start_new_session=True,
        )  # fmt: skip


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "".join(path.read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# Kafka


def kafka_probe(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when a Kafka broker answers a Metadata request listing at least one broker.

    Hand-rolled Metadata v4 (stdlib only): a listener that accepts connections is not yet a broker
    that serves metadata, which is what producers and consumers need.
    """
    client_id = b"warta-stack"
    header = struct.pack(">hhih", 3, 4, 7, len(client_id)) + client_id
    body = struct.pack(">i?", -1, False)  # all topics, no auto-creation
    request = header + body
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack(">i", len(request)) + request)
            size_bytes = _recv_exact(s, 4)
            (size,) = struct.unpack(">i", size_bytes)
            payload = _recv_exact(s, size)
    except (OSError, struct.error):
        return False
    correlation_id, _throttle, brokers = struct.unpack(">iii", payload[:12])
    return correlation_id == 7 and brokers >= 1


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


def kafka_uuid() -> str:
    """Kafka's cluster-id format: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


KAFKA_LOG4J2 = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.controller
        level: INFO
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
"""


def kafka_properties(layout: Layout) -> str:
    # Single node, combined broker + controller. Internal topics get replication 1 and a short
    # initial rebalance delay so tests' consumer groups join at once.
    return f"""# generated by deploy/local/stack.py - edits are overwritten at start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{KAFKA_CONTROLLER_PORT}
listeners=PLAINTEXT://{HOST}:{KAFKA_PORT},CONTROLLER://{HOST}:{KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://{HOST}:{KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={layout.kafka_run / "data"}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.retention.hours=168
log.segment.bytes=67108864
"""


def kafka_java_cmd(layout: Layout, java_home: Path, main: str, *args: str) -> list[str]:
    heap = KAFKA_HEAP_OPTS.split()
    return [
        str(java_home / "bin" / "java"), *heap, *FAST_JVM_OPTS, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={layout.kafka_run / 'log4j2.yaml'}",
        f"-Dkafka.logs.dir={layout.logs}", "-cp", str(layout.kafka_libs / "*"), main, *args,
    ]  # fmt: skip


@dataclass
class Starting:
    """A server launched (or found launching) whose readiness is still to be awaited."""

    name: str
    ready: Callable[[], bool]
    failure: Callable[[], str | None]  # a message once it is known the start failed


def launch_kafka(layout: Layout, java_home: Path) -> Starting | None:
    """Launch the KRaft broker unless one already serves the port (then None)."""
    pidfile = layout.pidfile("kafka")
    pid = tracked_pid(pidfile, "kafka.Kafka")
    if kafka_probe(HOST, KAFKA_PORT):
        whose = f"pid {pid}" if pid else "not started by this script"
        note(f"Kafka already running on {HOST}:{KAFKA_PORT} ({whose})")
        return None
    if pid is None:
        if port_open(KAFKA_PORT) or port_open(KAFKA_CONTROLLER_PORT):
            busy = KAFKA_PORT if port_open(KAFKA_PORT) else KAFKA_CONTROLLER_PORT
            raise StackError(
                f"port {busy} on {HOST} is in use by something that is not a healthy Kafka broker.\n"
                f"    See `ss -ltnp 'sport = :{busy}'`; stop it, or choose other ports with "
                "WARTA_STACK_KAFKA_PORT / WARTA_STACK_KAFKA_CONTROLLER_PORT."
            )
        run = layout.kafka_run
        (run / "data").mkdir(parents=True, exist_ok=True)
        props = run / "server.properties"
        props.write_text(kafka_properties(layout))
        (run / "log4j2.yaml").write_text(KAFKA_LOG4J2)
        if not (run / "data" / "meta.properties").exists():
            cluster_id = kafka_uuid()
            note(f"formatting Kafka storage (cluster id {cluster_id})")
            fmt = subprocess.run(
                kafka_java_cmd(layout, java_home, "kafka.tools.StorageTool", "format",
                               "-t", cluster_id, "-c", str(props), "--ignore-formatted"),
                capture_output=True, text=True,
            )  # fmt: skip
            if fmt.returncode != 0:
                raise StackError(f"formatting Kafka storage failed:\n{fmt.stdout}{fmt.stderr}")
        say(f"starting Kafka {KAFKA_VERSION} on {HOST}:{KAFKA_PORT}")
        proc = spawn(kafka_java_cmd(layout, java_home, "kafka.Kafka", str(props)), layout.log("kafka"),
                     dict(os.environ), run)  # fmt: skip
        layout.pids.mkdir(parents=True, exist_ok=True)
        write_pidfile(pidfile, proc.pid)
        pid = proc.pid
    launched = pid

    def failure() -> str | None:
        if pid_alive(launched):
            return None
        return f"Kafka exited during start-up; last log lines:\n{tail(layout.log('kafka'))}"

    return Starting("Kafka", lambda: kafka_probe(HOST, KAFKA_PORT), failure)


# ---------------------------------------------------------------------------------------------
# Elasticsearch


def es_health(url: str, timeout: float = 2.0) -> dict[str, object] | None:
    """Cluster health when the node answers and is at least yellow, else None.

    (The integ-test-zip has no ``GET /`` handler, so ``ping``/``info`` cannot be used.)
    """
    try:
        with urllib.request.urlopen(
            f"{url}/_cluster/health?wait_for_status=yellow&timeout={max(int(timeout), 1)}s",
            timeout=timeout + 2,
        ) as resp:
            body = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if isinstance(body, dict) and body.get("status") in ("yellow", "green") and not body.get("timed_out"):
        return body
    return None


def es_settings(layout: Layout) -> str:
    return f"""# generated by deploy/local/stack.py - edits are overwritten at start
cluster.name: warta-local
node.name: warta-local-1
discovery.type: single-node
network.host: {HOST}
http.port: {ES_PORT}
transport.port: {ES_TRANSPORT_PORT}
path.data: {layout.es_run / "data"}
path.logs: {layout.logs / "elasticsearch"}
xpack.security.enabled: false
# a laptop disk that is 90% full must not turn every index read-only
cluster.routing.allocation.disk.threshold_enabled: false
# tests delete their namespaced indices with wildcards
action.destructive_requires_name: false
"""


def launch_elasticsearch(layout: Layout, java_home: Path) -> Starting | None:
    """Launch ES (as an unprivileged user when root) unless a healthy node serves the port (then None)."""
    url = f"http://{HOST}:{ES_PORT}"
    pidfile = layout.es_run / "es.pid"
    pid = tracked_pid(pidfile, "org.elasticsearch")
    if es_health(url, timeout=1):
        whose = f"pid {pid}" if pid else "not started by this script"
        note(f"Elasticsearch already running on {url} ({whose})")
        return None
    launcher: subprocess.Popen[bytes] | None = None
    if pid is None:
        for port in (ES_PORT, ES_TRANSPORT_PORT):
            if port_open(port):
                raise StackError(
                    f"port {port} on {HOST} is in use by something that is not a healthy Elasticsearch.\n"
                    f"    See `ss -ltnp 'sport = :{port}'`; stop it, or choose other ports with "
                    "WARTA_STACK_ES_PORT / WARTA_STACK_ES_TRANSPORT_PORT."
                )
        user = ensure_es_user()
        run = layout.es_run
        config = run / "config"
        if not config.exists():
            shutil.copytree(layout.es_home / "config", config)
        (config / "elasticsearch.yml").write_text(es_settings(layout))
        (config / "jvm.options.d").mkdir(exist_ok=True)
        jvm_options = [f"-Xms{ES_HEAP}", f"-Xmx{ES_HEAP}", *FAST_JVM_OPTS]
        (config / "jvm.options.d" / "warta.options").write_text("\n".join(jvm_options) + "\n")
        (config / "jvm.options.d" / "warta-heap.options").unlink(missing_ok=True)
        for sub in ("data", "tmp"):
            (run / sub).mkdir(parents=True, exist_ok=True)
        (layout.logs / "elasticsearch").mkdir(parents=True, exist_ok=True)
        pidfile.unlink(missing_ok=True)
        chown_tree(run, user)
        chown_tree(layout.logs / "elasticsearch", user)
        chown_tree(layout.es_home, user)
        check_reachable_by(user, layout.es_home / "bin" / "elasticsearch")
        check_reachable_by(user, config / "elasticsearch.yml")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(run),
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(config),
            "ES_TMPDIR": str(run / "tmp"),
            # the launcher is a JVM too
            "CLI_JAVA_OPTS": " ".join(FAST_JVM_OPTS),
        }
        say(f"starting Elasticsearch {ES_VERSION} on {url} (heap {ES_HEAP}"
            + (f", as user {user.pw_name})" if user else ")"))  # fmt: skip
        # -d: the launcher returns once the server is up and writes the server's pid to es.pid.
        cmd = as_user(user, [str(layout.es_home / "bin" / "elasticsearch"), "-d", "-p", str(pidfile)])
        launcher = spawn(cmd, layout.log("elasticsearch"), env, run)

    def failure() -> str | None:
        if launcher is not None and launcher.poll() not in (None, 0):
            return f"Elasticsearch failed to start; last log lines:\n{tail(layout.log('elasticsearch'))}"
        return None

    return Starting("Elasticsearch", lambda: es_health(url, timeout=1) is not None, failure)


def await_ready(starting: list[Starting], timeout: float = 240.0) -> None:
    """Wait for servers launched in parallel, one progress line for all of them."""
    waiting = list(starting)
    if not waiting:
        return
    dots = Dots("waiting for " + " and ".join(s.name for s in waiting))
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for item in list(waiting):
            if item.ready():
                waiting.remove(item)
                print(f" {item.name} ready ({time.monotonic() - dots.started:.1f}s)", end="", flush=True)
            elif (message := item.failure()) is not None:
                dots.done("FAILED")
                raise StackError(message)
        if waiting:
            dots.tick()
            time.sleep(1)
    if waiting:
        dots.done("TIMEOUT")
        raise StackError(
            f"{' and '.join(s.name for s in waiting)} not ready in {timeout:.0f}s; see {layout_hint()}"
        )
    dots.done()


def layout_hint() -> str:
    return f"the logs in {Layout(default_home()).logs}"


# ---------------------------------------------------------------------------------------------
# the infrastructure as a whole (also used by tests/stack.py)


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    es_url: str
    started: bool  # True when this call started at least one of the two servers


def ensure_infra(layout: Layout | None = None, while_starting: Callable[[], None] | None = None) -> Infra:
    """Kafka and ES running and healthy on 127.0.0.1: reuse what runs, fetch and start what does not.

    ``while_starting`` runs after the servers were launched and before waiting for them (``up``
    launches the services there: they wait for Kafka and ES themselves, so their slow Python
    start-up overlaps the JVMs').
    """
    layout = layout or Layout(default_home())
    with stack_lock(layout):
        java_home = find_java_home()
        fetch(layout)
        note(f"Java: {java_home}")
        layout.logs.mkdir(parents=True, exist_ok=True)
        # ES first: it is the slower of the two, and both start in parallel.
        starting = [
            s for s in (launch_elasticsearch(layout, java_home), launch_kafka(layout, java_home)) if s
        ]
        if while_starting is not None:
            while_starting()
        await_ready(starting)
    return Infra(f"{HOST}:{KAFKA_PORT}", f"http://{HOST}:{ES_PORT}", bool(starting))


def stop_infra(layout: Layout) -> None:
    with stack_lock(layout):
        es_pid = tracked_pid(layout.es_run / "es.pid", "org.elasticsearch")
        if not stop_pid("elasticsearch", es_pid, grace=60):
            note("elasticsearch: not running (from this script)")
        if not stop_pid("kafka", tracked_pid(layout.pidfile("kafka"), "kafka.Kafka"), grace=60):
            note("kafka: not running (from this script)")


# ---------------------------------------------------------------------------------------------
# services


def service_env() -> dict[str, str]:
    """Environment for services and the `warta` CLI: the stack's addresses plus local dev values.

    Values already set in the caller's environment win, so `WARTA_...=x make up` overrides.
    """
    defaults = {
        "WARTA_KAFKA_BOOTSTRAP": f"{HOST}:{KAFKA_PORT}",
        "WARTA_ES_URL": f"http://{HOST}:{ES_PORT}",
        "WARTA_API_HOST": HOST,
        "WARTA_API_PORT": str(API_PORT),
        "WARTA_API_KEYS": f"{DEV_API_KEY}:dev",
        # a developer's webhook receiver is on loopback; production refuses such targets
        "WARTA_API_ALLOW_PRIVATE_WEBHOOKS": "true",
        "WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS": "true",
        # health/metrics endpoints stay on loopback like everything else of the local stack
        "WARTA_ENRICHER_WEB_HOST": HOST,
        "WARTA_ALERTER_WEB_HOST": HOST,
        "WARTA_FETCHER_METRICS_HOST": HOST,
        "WARTA_FETCHER_STATE_DIR": str(Layout(default_home()).run / "fetcher"),
        # Faust keeps table data in "<app id>-data" under the working directory (the repo) by default
        "FAUST_DATADIR": str(Layout(default_home()).run / "faust" / "{conf.name}-data"),
        "PYTHONUNBUFFERED": "1",
    }
    env = dict(os.environ)
    for key, value in defaults.items():
        env.setdefault(key, value)
    return env


def venv_bin(name: str) -> list[str]:
    """A console script of the workspace venv; `uv run` only when the venv is missing."""
    exe = REPO_ROOT / ".venv" / "bin" / name
    if exe.exists():
        return [str(exe)]
    uv = shutil.which("uv")
    if not uv:
        raise StackError("the project is not installed: run `make install` first")
    return [uv, "run", "--frozen", name]


def api_url() -> str:
    return f"http://{HOST}:{API_PORT}"


def http_get(url: str, timeout: float = 3.0, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def warta_init() -> None:
    say("creating topics (with .dlq twins) and index templates/aliases: warta init")
    code = subprocess.run([*venv_bin("warta"), "init"], env=service_env(), cwd=REPO_ROOT).returncode
    if code != 0:
        raise StackError("`warta init` failed (output above)")


def selected_services() -> tuple[str, ...]:
    """``WARTA_STACK_SERVICES=enricher,indexer`` runs a subset (e.g. while one is run from an IDE)."""
    raw = os.environ.get("WARTA_STACK_SERVICES", "").strip()
    if not raw:
        return SERVICES
    chosen = tuple(n.strip() for n in raw.split(",") if n.strip())
    unknown = sorted(set(chosen) - set(SERVICES))
    if unknown:
        raise StackError(
            f"WARTA_STACK_SERVICES names unknown services {unknown}; known: {', '.join(SERVICES)}"
        )
    return chosen


def start_services(layout: Layout) -> None:
    """Start the selected services in the background and wait until each answers ``/healthz``."""
    await_services(layout, spawn_services(layout))


def spawn_services(layout: Layout) -> dict[str, subprocess.Popen[bytes]]:
    """Launch the selected services that are not running yet; returns the launched ones."""
    layout.pids.mkdir(parents=True, exist_ok=True)
    (layout.run / "faust").mkdir(parents=True, exist_ok=True)
    env = service_env()
    started: dict[str, subprocess.Popen[bytes]] = {}
    for name in selected_services():
        script = f"warta-{name}"
        pid = tracked_pid(layout.pidfile(name), script)
        if pid:
            note(f"{name}: already running (pid {pid})")
            continue
        port = SERVICE_HEALTH_PORTS[name]
        if port_open(port):
            raise StackError(
                f"port {port} (the {name} service's) is in use by another program; stop it"
                + (" or set WARTA_STACK_API_PORT" if name == "api" else "")
            )
        proc = spawn(venv_bin(script), layout.log(name), env, REPO_ROOT)
        write_pidfile(layout.pidfile(name), proc.pid)
        started[name] = proc
        note(f"{name}: started (pid {proc.pid}, log {layout.log(name)})")
    return started


def await_services(
    layout: Layout, started: dict[str, subprocess.Popen[bytes]], timeout: float = 150.0
) -> None:
    """Wait until each started service answers ``/healthz``.

    A service that exits is an error (with its log tail); one that runs but is not yet healthy when
    ``timeout`` ends is only reported, since it may still be waiting for a dependency.
    """
    if not started:
        return
    waiting = set(started)
    dots = Dots("waiting for /healthz of " + ", ".join(started))
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for name in sorted(waiting):
            proc = started[name]
            if proc.poll() is not None:
                dots.done("FAILED")
                raise StackError(
                    f"service {name} exited (code {proc.returncode}); last log lines:\n"
                    f"{tail(layout.log(name))}\n    (`make down` stops what did start)"
                )
            status, _ = http_get(f"http://{HOST}:{SERVICE_HEALTH_PORTS[name]}/healthz", timeout=1)
            if status == 200:
                waiting.discard(name)
        if waiting:
            dots.tick()
            time.sleep(1)
    dots.done("ok" if not waiting else f"still starting: {', '.join(sorted(waiting))} (see `make status`)")


def stop_services(layout: Layout) -> None:
    # The API first, so callers see the outage at once; each service then flushes and commits.
    for name in reversed(SERVICES):
        pidfile = layout.pidfile(name)
        if stop_pid(name, tracked_pid(pidfile, f"warta-{name}"), grace=20):
            pidfile.unlink(missing_ok=True)


def feed_samples() -> None:
    sources = REPO_ROOT / "samples" / "sources.yaml"
    if not sources.exists():
        note(f"{sources.relative_to(REPO_ROOT)} not found: no sample data fed")
        return
    say("feeding the bundled samples: warta fetch --once samples/sources.yaml")
    cmd = [*venv_bin("warta"), "fetch", "--once", str(sources.relative_to(REPO_ROOT))]
    code = subprocess.run(cmd, env=service_env(), cwd=REPO_ROOT).returncode
    if code != 0:
        raise StackError("feeding the samples failed (output above)")


def _total_hits(body: object) -> int:
    """`total` of a search response, whether an int or ES's {"value": n}."""
    if isinstance(body, dict):
        total = body.get("total")
        if isinstance(total, dict):
            total = total.get("value")
        if isinstance(total, int):
            return total
        for key in ("hits", "meta"):
            if key in body:
                return _total_hits(body[key])
    return 0


def wait_searchable(min_hits: int = 2, timeout: float = 120.0) -> int:
    url = f"{api_url()}/v1/search?q={SAMPLE_QUERY}"
    dots = Dots(f"waiting until q={SAMPLE_QUERY} finds {min_hits} articles")
    deadline = time.monotonic() + timeout
    hits = 0
    while time.monotonic() < deadline:
        status, body = http_get(url, headers={"Authorization": f"Bearer {DEV_API_KEY}"})
        if status == 200:
            with contextlib.suppress(ValueError):
                hits = _total_hits(json.loads(body))
            if hits >= min_hits:
                dots.done(f"{hits} found")
                return hits
        dots.tick()
        time.sleep(1)
    dots.done(f"only {hits} after {timeout:.0f}s")
    raise StackError(f"the sample articles did not become searchable; see `make logs` ({url})")


def banner() -> None:
    api = api_url()
    print(
        f"""
Warta is up.
  API          {api}
  API docs     {api}/docs
  Kafka        {HOST}:{KAFKA_PORT}
  Elasticsearch http://{HOST}:{ES_PORT}

Search:
  curl -s -H 'Authorization: Bearer {DEV_API_KEY}' '{api}/v1/search?q={SAMPLE_QUERY}&lang=id'

Subscribe (webhook on your own receiver):
  curl -s -X POST -H 'Authorization: Bearer {DEV_API_KEY}' -H 'Content-Type: application/json' \\
       -d '{{"name": "nato", "query": "Stoltenberg OR NATO", "delivery": {{"webhook": {{"url": "http://127.0.0.1:9999/hook", "secret": "a-secret-of-16-chars-or-more"}}}}}}' \\
       {api}/v1/subscriptions

Status: make status    Logs: make logs    Stop: make down
""",
        flush=True,
    )


# ---------------------------------------------------------------------------------------------
# commands


def cmd_up(layout: Layout, wait: bool = True) -> None:
    started = time.monotonic()
    services: dict[str, subprocess.Popen[bytes]] = {}

    def launch_services() -> None:
        say("starting the services (each waits for Kafka and Elasticsearch itself)")
        services.update(spawn_services(layout))

    try:
        ensure_infra(layout, while_starting=launch_services)
    except StackError:
        stop_services(layout)  # they would only wait for servers that are not coming
        raise
    warta_init()
    await_services(layout, services)
    feed_samples()
    if wait and (REPO_ROOT / "samples" / "sources.yaml").exists():
        wait_searchable()
    banner()
    say(f"up in {time.monotonic() - started:.1f}s")


def cmd_down(layout: Layout) -> None:
    say("stopping the services")
    stop_services(layout)
    say("stopping Kafka and Elasticsearch")
    stop_infra(layout)


def status_rows(layout: Layout) -> list[tuple[str, str, str, str]]:
    rows = []
    kpid = tracked_pid(layout.pidfile("kafka"), "kafka.Kafka")
    rows.append((
        "kafka", str(kpid or "-"), f"{HOST}:{KAFKA_PORT}",
        "healthy" if kafka_probe(HOST, KAFKA_PORT) else "down",
    ))  # fmt: skip
    epid = tracked_pid(layout.es_run / "es.pid", "org.elasticsearch")
    health = es_health(f"http://{HOST}:{ES_PORT}", timeout=1)
    rows.append((
        "elasticsearch", str(epid or "-"),
        f"http://{HOST}:{ES_PORT}", f"healthy ({health['status']})" if health else "down",
    ))  # fmt: skip
    for name in SERVICES:
        pid = tracked_pid(layout.pidfile(name), f"warta-{name}")
        alive = pid is not None
        addr = f"http://{HOST}:{SERVICE_HEALTH_PORTS[name]}"
        state = "stopped"
        if alive:
            path = "/readyz" if name == "api" else "/healthz"
            code, _ = http_get(f"{addr}{path}", timeout=2)
            state = f"running, {path} {code or 'no answer'}"
        rows.append((name, str(pid) if alive else "-", addr, state))
    return rows


def cmd_status(layout: Layout) -> int:
    rows = status_rows(layout)
    print(f"{'component':<15}{'pid':<9}{'address':<28}state")
    for name, pid, addr, state in rows:
        print(f"{name:<15}{pid:<9}{addr:<28}{state}")
    print(f"\ncache and runtime: {layout.home}   logs: {layout.logs}")
    return 0


def cmd_logs(layout: Layout, names: list[str], follow: bool, lines: int) -> int:
    wanted = names or ["kafka", "elasticsearch", *SERVICES]
    paths = [layout.log(n) for n in wanted if layout.log(n).exists()]
    if not paths:
        print(f"no logs yet in {layout.logs}")
        return 0
    if follow:
        os.execvp("tail", ["tail", "-n", str(lines), "-F", *map(str, paths)])
    for path in paths:
        print(f"==> {path} <==")
        print(tail(path, lines), end="")
    return 0


def cmd_clean(layout: Layout) -> None:
    cmd_down(layout)
    if layout.run.exists():
        say(f"removing runtime data {layout.run} (downloads kept in {layout.downloads})")
        shutil.rmtree(layout.run)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stack.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download Kafka and Elasticsearch into the cache")
    sub.add_parser("start", help="start Kafka and Elasticsearch (reuse if running)")
    sub.add_parser("ensure", help="alias of start")
    sub.add_parser("stop", help="stop Kafka and Elasticsearch")
    up = sub.add_parser("up", help="start everything, feed the samples, print the API address")
    up.add_argument("--no-wait", action="store_true", help="do not wait for the samples to be searchable")
    sub.add_parser("down", help="stop the services, Kafka and Elasticsearch")
    sub.add_parser("services", help="(re)start the five services only")
    sub.add_parser("stop-services", help="stop the five services only")
    sub.add_parser("feed", help="feed the bundled samples again")
    sub.add_parser("status", help="what runs")
    logs = sub.add_parser("logs", help="show logs")
    logs.add_argument("names", nargs="*")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=40)
    sub.add_parser("clean", help="stop everything and delete runtime data (keep downloads)")
    sub.add_parser("env", help="print the environment variables that point at the local stack")
    args = parser.parse_args(argv)
    layout = Layout(default_home())
    try:
        if args.command == "fetch":
            with stack_lock(layout):
                fetch(layout)
        elif args.command in ("start", "ensure"):
            infra = ensure_infra(layout)
            say(f"Kafka {infra.kafka_bootstrap}  Elasticsearch {infra.es_url}")
        elif args.command == "stop":
            stop_infra(layout)
        elif args.command == "up":
            cmd_up(layout, wait=not args.no_wait)
        elif args.command == "down":
            cmd_down(layout)
        elif args.command == "services":
            start_services(layout)
        elif args.command == "stop-services":
            stop_services(layout)
        elif args.command == "feed":
            feed_samples()
        elif args.command == "status":
            return cmd_status(layout)
        elif args.command == "logs":
            return cmd_logs(layout, args.names, args.follow, args.lines)
        elif args.command == "clean":
            cmd_clean(layout)
        elif args.command == "env":
            env = service_env()
            for key in ("WARTA_KAFKA_BOOTSTRAP", "WARTA_ES_URL"):
                print(f"export {key}={env[key]}")
    except StackError as exc:
        print(f"\nerror: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
