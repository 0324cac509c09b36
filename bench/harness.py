#!/usr/bin/env python3
"""Cattery benchmark: Cattery against PostGraphile and against the raw-SQL ceiling, in one run.

Started by `bench/run` (which builds the release binary and installs PostGraphile first); see
bench/README.md. Python 3.11 standard library only.

Steps: a throwaway PostgreSQL cluster, `cattery migrate up`, 10,000 seeded cats, the release
`cattery` and PostGraphile on the same database, one checked response per case and contender,
SQL statements per request (pg_stat_statements, and Cattery's own counter), then ROUNDS rounds in
which every case runs every contender once (warm-up, then a measured `wrk` or `pgbench` run), the
contenders' order rotating from round to round. Reports medians over the rounds as a table on stdout
and as JSON in bench/out/results.json. Every process it starts is stopped on exit, failure included.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import glob
import hashlib
import hmac
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"

CATTERY = "cattery"
POSTGRAPHILE = "postgraphile"
CEILING = "ceiling"
CONTENDERS = (CATTERY, POSTGRAPHILE, CEILING)

DB_NAME = "cattery"
FIELDS = "id name age breed createdAt"
BATCH_SIZE = 50
NAMES = [
    "Tama", "Luna", "Milo", "Oliver", "Leo", "Bella", "Simba", "Nala", "Chloe", "Loki",
    "Mochi", "Cleo", "Felix", "Kiki", "Salem", "Pumpkin", "Ginger", "Shadow", "Tiger", "Zelda",
    "Momo", "Yuki", "Sora", "Hana",
]
BREEDS = [
    "Japanese Bobtail", "Siamese", "Maine Coon", "Persian", "Bengal", "Sphynx", "Ragdoll",
    "British Shorthair", "Abyssinian", "Scottish Fold", "Norwegian Forest", "Russian Blue",
    "Birman", "Devon Rex", "Savannah", "Tonkinese", "Domestic Shorthair",
]


class BenchError(Exception):
    """A failure that stops the benchmark with a message (and a non-zero exit)."""


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# configuration


@dataclass
class Config:
    smoke: bool
    rounds: int
    duration: int
    warmup: int
    concurrency: int
    threads: int
    seed_cats: int
    pool: int
    cattery_bin: Path
    pg_bin: Path
    workdir: Path
    only: set[str] | None
    s3s_fs_bin: str | None

    @staticmethod
    def from_env(argv: list[str]) -> "Config":
        ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
        ap.add_argument("--smoke", action="store_true", help="every case once, briefly: checks the harness, not speed")
        args = ap.parse_args(argv)
        smoke = args.smoke or os.environ.get("BENCH_SMOKE", "") not in ("", "0")

        def num(name: str, default: int, minimum: int = 1) -> int:
            raw = os.environ.get(name, "")
            if raw == "":
                return default
            try:
                value = int(raw)
            except ValueError:
                raise BenchError(f"{name}={raw!r} is not a whole number") from None
            if value < minimum:
                raise BenchError(f"{name}={value} is below {minimum}")
            return value

        cattery_bin = os.environ.get("CATTERY_BIN", "")
        if not cattery_bin or not os.access(cattery_bin, os.X_OK):
            raise BenchError(f"CATTERY_BIN={cattery_bin!r} is not an executable (bench/run sets it)")
        pg_bin = os.environ.get("PG_BIN") or (sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key) or [""])[-1]
        if not pg_bin or not os.access(os.path.join(pg_bin, "initdb"), os.X_OK):
            raise BenchError("PostgreSQL server binaries not found (set PG_BIN, or install the postgresql package)")
        workdir = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="cattery-bench.")
        only = os.environ.get("BENCH_CASES", "").strip()
        return Config(
            smoke=smoke,
            rounds=1 if smoke else num("ROUNDS", 3),
            duration=2 if smoke else num("DURATION", 10),
            warmup=1 if smoke else num("WARMUP", 3, minimum=0),
            concurrency=num("CONCURRENCY", 32),
            threads=num("THREADS", 2),
            seed_cats=num("SEED_CATS", 10_000, minimum=BATCH_SIZE),
            pool=num("BENCH_POOL", 10),
            cattery_bin=Path(cattery_bin).resolve(),
            pg_bin=Path(pg_bin),
            workdir=Path(workdir),
            only={c.strip() for c in only.split(",") if c.strip()} or None,
            s3s_fs_bin=os.environ.get("S3S_FS_BIN") or shutil.which("s3s-fs"),
        )


def _version_key(path: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", path)]


# --------------------------------------------------------------------------------------------------
# processes


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if the harness dies without cleaning up."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; the trap in bench/run is the fallback
        pass


class Processes:
    """The long-running processes the harness started (servers), stopped in reverse order."""

    def __init__(self, workdir: Path) -> None:
        self.started: list[tuple[str, subprocess.Popen]] = []
        self.pidfile = workdir / "pids"

    def start(self, name: str, argv: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen:
        with open(logfile, "ab") as out:
            proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        self.started.append((name, proc))
        with open(self.pidfile, "a") as f:
            f.write(f"{proc.pid}\n")
        return proc

    def stop_all(self) -> None:
        for name, proc in reversed(self.started):
            if proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {proc.pid}) ignored SIGTERM: killing it")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.started.clear()
        self.pidfile.unlink(missing_ok=True)  # nothing left for bench/run's trap to stop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run(argv: list[str], *, env: dict[str, str] | None = None, what: str, timeout: float | None = None,
        input_text: str | None = None) -> str:
    """Runs a short command, returns its stdout, fails with its output if it fails."""
    try:
        res = subprocess.run(argv, env=env, input=input_text, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: timed out after {timeout}s") from None
    if res.returncode != 0:
        raise BenchError(f"{what} failed (exit {res.returncode}):\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    return res.stdout


# --------------------------------------------------------------------------------------------------
# PostgreSQL


class Postgres:
    """A throwaway cluster on a free loopback port (the approach of scripts/test)."""

    def __init__(self, cfg: Config) -> None:
        self.bin = cfg.pg_bin
        self.dir = cfg.workdir / "pg"
        self.port = free_port()
        self.as_pg: list[str] = []
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def start(self) -> None:
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the cluster as the postgres user.
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                run(["useradd", "--system", "--no-create-home", "postgres"], what="useradd postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        run(self.as_pg + [str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                          "--auth=trust", "-E", "UTF8"], what="initdb")
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c shared_preload_libraries=pg_stat_statements"
        )
        res = subprocess.run(self.as_pg + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                                           str(self.dir / "server.log"), "-w", "start", "-o", opts],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise BenchError(f"PostgreSQL did not start:\n{res.stdout}{res.stderr}\n{tail(self.dir / 'server.log')}")
        self.running = True
        version = run([str(self.bin / "postgres"), "--version"], what="postgres --version").split()[-1]
        log(f"throwaway PostgreSQL {version} on 127.0.0.1:{self.port} ({self.dir})")
        self.psql("CREATE DATABASE cattery", db="postgres")
        # The statistics extension lives in the maintenance database, out of PostGraphile's sight.
        self.psql("CREATE EXTENSION pg_stat_statements", db="postgres")
        # Statements are counted only while measuring statements per request, not under load. (Set
        # with ALTER SYSTEM, not on the command line, which would win over ALTER SYSTEM later.)
        self.track_statements(False)

    def track_statements(self, on: bool) -> None:
        self.psql(f"ALTER SYSTEM SET pg_stat_statements.track = '{'top' if on else 'none'}'",
                  "SELECT pg_reload_conf()", db="postgres")

    def stop(self) -> None:
        if self.running:
            subprocess.run(self.as_pg + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                                         "immediate", "stop"], capture_output=True)
            self.running = False

    def psql(self, *sql: str, db: str = DB_NAME) -> str:
        argv = [str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db]
        for statement in sql:
            argv += ["-c", statement]
        return run(argv, what=f"psql {sql[0][:60]!r}", timeout=300)


SEED_SQL = """
INSERT INTO cats (id, name, age, breed, created_at, updated_at)
SELECT gen_random_uuid(),
       (ARRAY[{names}])[1 + g % {n_names}] || ' ' || g,
       (g * 7) % 21,
       (ARRAY[{breeds}])[1 + (g / 3) % {n_breeds}],
       now() - interval '1 day' - g * interval '1 second',
       now() - interval '1 day' - g * interval '1 second'
FROM generate_series(1, {count}) AS g
"""

# The seeded ids, numbered newest first: the pgbench ceilings pick ids through it and the reset after
# a create run keeps exactly these rows. In its own schema, so that PostGraphile does not expose it.
IDS_SQL = """
CREATE SCHEMA bench;
CREATE TABLE bench.ids AS
  SELECT (row_number() OVER (ORDER BY created_at DESC, id DESC) - 1)::int AS k, id FROM cats;
ALTER TABLE bench.ids ADD PRIMARY KEY (k);
CREATE UNIQUE INDEX ON bench.ids (id);
"""


def sql_list(items: list[str]) -> str:
    return ", ".join("'" + s.replace("'", "''") + "'" for s in items)


# --------------------------------------------------------------------------------------------------
# HTTP


def http(method: str, url: str, body: bytes | None = None, content_type: str = "application/json",
         timeout: float = 30) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", content_type)
    req.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_until(what: str, probe: Callable[[], bool], proc: subprocess.Popen, logfile: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with {proc.returncode} while starting:\n{tail(logfile)}")
        try:
            if probe():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise BenchError(f"{what} not ready after {timeout}s:\n{tail(logfile)}")


def peak_rss_kib(pid: int) -> dict[str, int] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    out = {}
    for key in ("VmHWM", "VmRSS"):
        m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
        if m:
            out[key] = int(m.group(1))
    return out


# --------------------------------------------------------------------------------------------------
# servers


@dataclass
class Server:
    name: str
    url: str  # the GraphQL endpoint
    proc: subprocess.Popen
    logfile: Path
    metrics_url: str | None = None


def start_cattery(cfg: Config, pg: Postgres, procs: Processes, s3: S3Server | None) -> Server:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": pg.url,
        "CATTERY_LOG_FORMAT": "json",
        "RUST_LOG": os.environ.get("BENCH_CATTERY_RUST_LOG", "warn"),
        "CATTERY_DB_MAX_CONNECTIONS": str(cfg.pool),
        "CATTERY_DATA_DIR": str(cfg.workdir / "cattery-data"),
    })
    if s3:
        env.update({
            "S3_BUCKET_NAME": s3.bucket, "AWS_ENDPOINT_URL": s3.endpoint, "AWS_REGION": s3.region,
            "AWS_ACCESS_KEY_ID": s3.access_key, "AWS_SECRET_ACCESS_KEY": s3.secret_key,
            "CATTERY_S3_FORCE_PATH_STYLE": "true", "AWS_EC2_METADATA_DISABLED": "true",
        })
    logfile = cfg.workdir / "cattery.log"
    run([str(cfg.cattery_bin), "migrate", "up"], env=env, what="cattery migrate up", timeout=120)
    port = free_port()
    env["CATTERY_LISTEN"] = f"127.0.0.1:{port}"
    proc = procs.start(CATTERY, [str(cfg.cattery_bin)], env, logfile)
    base = f"http://127.0.0.1:{port}"
    wait_until("cattery", lambda: http("GET", base + "/readyz")[0] == 200, proc, logfile)
    log(f"cattery (pid {proc.pid}) on {base}, pool {cfg.pool}")
    return Server(CATTERY, base + "/graphql", proc, logfile, metrics_url=base + "/metrics")


def start_postgraphile(cfg: Config, pg: Postgres, procs: Processes) -> Server:
    cli = BENCH / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        raise BenchError(f"{cli} is missing: run `npm ci --prefix bench` (bench/run does)")
    port = free_port()
    env = dict(os.environ)
    env["NODE_ENV"] = "production"
    argv = [shutil.which("node") or "node", str(cli),
            "--connection", pg.url, "--schema", "public", "--host", "127.0.0.1", "--port", str(port),
            "--max-pool-size", str(cfg.pool), "--no-ignore-rbac", "--disable-query-log", "--disable-graphiql"]
    logfile = cfg.workdir / "postgraphile.log"
    proc = procs.start(POSTGRAPHILE, argv, env, logfile)
    url = f"http://127.0.0.1:{port}/graphql"
    wait_until("postgraphile", lambda: http("POST", url, b'{"query":"{__typename}"}')[0] == 200, proc, logfile)
    version = json.loads((BENCH / "node_modules" / "postgraphile" / "package.json").read_text())["version"]
    log(f"postgraphile {version} (pid {proc.pid}, node {run(['node', '--version'], what='node --version').strip()}) on {url}, pool {cfg.pool}")
    return Server(POSTGRAPHILE, url, proc, logfile)


@dataclass
class S3Server:
    """s3s-fs (the s3s server the storage tests run in process), standalone on a free port."""
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    proc: subprocess.Popen | None = None

    def presign_put(self, key: str, expires: int = 7 * 24 * 3600) -> str:
        """A SigV4 presigned PUT URL (path style, payload unsigned, only `host` signed)."""
        host = urllib.parse.urlsplit(self.endpoint).netloc
        now = dt.datetime.now(dt.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        scope = f"{day}/{self.region}/s3/aws4_request"
        path = "/" + urllib.parse.quote(self.bucket, safe="") + "/" + urllib.parse.quote(key, safe="/~")
        params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{self.access_key}/{scope}",
                  "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"}
        query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                         for k, v in sorted(params.items()))
        canonical = "\n".join(["PUT", path, query, f"host:{host}\n", "host", "UNSIGNED-PAYLOAD"])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key_ = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key_ = hmac.new(key_, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key_, to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{self.endpoint}{path}?{query}&X-Amz-Signature={signature}"


def start_s3(cfg: Config, procs: Processes) -> S3Server:
    root = cfg.workdir / "s3"
    bucket = "cattery-bench"
    (root / bucket).mkdir(parents=True)  # s3s-fs: a bucket is a folder under the root
    port = free_port()
    s3 = S3Server(f"http://127.0.0.1:{port}", bucket, "AKBENCH" + os.urandom(6).hex().upper(), os.urandom(20).hex())
    logfile = cfg.workdir / "s3s-fs.log"
    env = dict(os.environ, RUST_LOG="warn")
    proc = procs.start("s3s-fs", [str(cfg.s3s_fs_bin), "--host", "127.0.0.1", "--port", str(port),
                                  "--access-key", s3.access_key, "--secret-key", s3.secret_key, str(root)], env, logfile)
    s3.proc = proc
    wait_until("s3s-fs", lambda: http("GET", s3.endpoint)[0] > 0, proc, logfile)
    log(f"s3s-fs (pid {proc.pid}) on {s3.endpoint}, bucket {bucket}")
    return s3


def cattery_statements(server: Server) -> int | None:
    if not server.metrics_url:
        return None
    status, body = http("GET", server.metrics_url)
    m = re.search(rb"^cattery_db_statements_total (\d+)", body, re.M) if status == 200 else None
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------------------------------
# cases


def gql(query: str, variables: dict | None = None) -> str:
    body: dict = {"query": query}
    if variables:
        body["variables"] = variables
    return json.dumps(body, separators=(",", ":"))


@dataclass
class HttpLoad:
    """A wrk load: METHOD URL with bodies cycled through, and a check of one response.

    JSON bodies are `bodies` (one line each); binary ones (multipart, raw bytes) are `body_files`,
    with `bodies` then holding what `check` is given for each (e.g. the multipart `operations`)."""
    url: str
    bodies: list[str]
    check: Callable[[dict, str], str | None] | None  # (data, request) -> problem; None: not GraphQL, any 2xx
    method: str = "POST"
    content_type: str = "application/json"
    body_files: list[Path] | None = None

    def body(self, index: int) -> tuple[bytes, str]:
        i = index % len(self.bodies)
        if self.body_files:
            return self.body_files[i].read_bytes(), self.bodies[i]
        return self.bodies[i].encode(), self.bodies[i]


@dataclass
class SqlLoad:
    """A pgbench load: one script file."""
    script: str


@dataclass
class Case:
    name: str
    title: str
    loads: dict[str, HttpLoad | SqlLoad] = field(default_factory=dict)
    skipped: str | None = None
    mutates: bool = False  # rows it creates are deleted after each run


def expect(cond: bool, problem: str) -> str | None:
    return None if cond else problem


def check_node(node: object) -> str | None:
    if not isinstance(node, dict):
        return f"expected a cat, got {node!r}"
    missing = [f for f in FIELDS.split() if f not in node or node[f] is None]
    return f"cat without {missing}: {node}" if missing else None


def check_list(root: str, expected_ids: list[str]) -> Callable[[dict, str], str | None]:
    def check(data: dict, _body: str) -> str | None:
        edges = (data.get(root) or {}).get("edges")
        if not isinstance(edges, list) or len(edges) != 20:
            return f"expected 20 edges in {root}, got {edges!r:.300}"
        for e in edges:
            if problem := check_node(e.get("node")):
                return problem
        got = [e["node"]["id"].lower() for e in edges]
        return expect(got == expected_ids, f"{root}: not the 20 newest cats in order: {got[:3]}... vs {expected_ids[:3]}...")
    return check


def check_by_id(root: str) -> Callable[[dict, str], str | None]:
    def check(data: dict, body: str) -> str | None:
        want = json.loads(body)["variables"]["id"]
        node = data.get(root)
        return check_node(node) or expect(str(node["id"]).lower() == want, f"{root}: asked for {want}, got {node['id']}")
    return check


def check_batch(data: dict, body: str) -> str | None:
    variables = json.loads(body)["variables"]
    if len(data) != BATCH_SIZE:
        return f"expected {BATCH_SIZE} aliased results, got {len(data)}"
    for i in range(BATCH_SIZE):
        node = data.get(f"c{i}")
        if problem := check_node(node):
            return f"c{i}: {problem}"
        if str(node["id"]).lower() != variables[f"i{i}"]:
            return f"c{i}: asked for {variables[f'i{i}']}, got {node['id']}"
    return None


def check_create(cat_input: Callable[[dict], dict]) -> Callable[[dict, str], str | None]:
    def check(data: dict, body: str) -> str | None:
        want = cat_input(json.loads(body)["variables"])
        cat = (data.get("createCat") or {}).get("cat")
        return check_node(cat) or expect(cat["name"] == want["name"] and cat["age"] == want["age"],
                                         f"createCat returned {cat}, sent {want}")
    return check


def batch_query(id_type: str, field_name: str) -> str:
    params = ", ".join(f"$i{i}: {id_type}" for i in range(BATCH_SIZE))
    fields = " ".join(f"c{i}: {field_name}(id: $i{i}) {{ {FIELDS} }}" for i in range(BATCH_SIZE))
    return f"query Batch({params}) {{ {fields} }}"


def build_cases(cfg: Config, servers: dict[str, Server], ids: list[str], upload_reason: str | None,
                s3: "S3Server | None") -> list[Case]:
    rng = random.Random(20261204)
    n = len(ids)
    newest = ids[:20]
    cat_url, pgl_url = servers[CATTERY].url, servers[POSTGRAPHILE].url
    cases: list[Case] = []

    # 1. list: the newest 20 cats.
    cases.append(Case("list", "newest 20 cats", {
        CATTERY: HttpLoad(cat_url, [gql(f"query List {{ cats(first: 20) {{ edges {{ node {{ {FIELDS} }} }} }} }}")],
                          check_list("cats", newest)),
        POSTGRAPHILE: HttpLoad(pgl_url, [gql(f"query List {{ allCats(first: 20, orderBy: CREATED_AT_DESC) {{ edges {{ node {{ {FIELDS} }} }} }} }}")],
                               check_list("allCats", newest)),
        # What the list needs (21 rows: one more tells whether a next page exists).
        CEILING: SqlLoad("SELECT id, name, age, breed, created_at FROM cats ORDER BY created_at DESC, id DESC LIMIT 21;\n"),
    }))

    # 2. by id: one cat, a random seeded one per request.
    picks = [ids[rng.randrange(n)] for _ in range(1000)]
    cases.append(Case("by_id", "one cat by id", {
        CATTERY: HttpLoad(cat_url, [gql(f"query Cat($id: ID!) {{ cat(id: $id) {{ {FIELDS} }} }}", {"id": i}) for i in picks],
                          check_by_id("cat")),
        POSTGRAPHILE: HttpLoad(pgl_url, [gql(f"query Cat($id: UUID!) {{ catById(id: $id) {{ {FIELDS} }} }}", {"id": i}) for i in picks],
                               check_by_id("catById")),
        # The id is looked up through bench.ids (one more index probe than the real query: a slightly low ceiling).
        CEILING: SqlLoad(f"\\set k random(0, {n - 1})\n"
                         "SELECT id, name, age, breed, created_at FROM cats WHERE id = (SELECT id FROM bench.ids WHERE k = :k);\n"),
    }))

    # 3. batch: 50 aliased by-id lookups in one request.
    batches = [{f"i{j}": i for j, i in enumerate(rng.sample(ids, BATCH_SIZE))} for _ in range(200)]
    cases.append(Case("batch", f"{BATCH_SIZE} aliased by-id lookups", {
        CATTERY: HttpLoad(cat_url, [gql(batch_query("ID!", "cat"), b) for b in batches], check_batch),
        POSTGRAPHILE: HttpLoad(pgl_url, [gql(batch_query("UUID!", "catById"), b) for b in batches], check_batch),
        CEILING: SqlLoad(f"\\set k random(0, {n - BATCH_SIZE})\n"
                         "SELECT id, name, age, breed, created_at FROM cats "
                         f"WHERE id IN (SELECT id FROM bench.ids WHERE k >= :k AND k < :k + {BATCH_SIZE});\n"),
    }))

    # 4. create: createCat.
    inputs = [{"name": f"{rng.choice(NAMES)} {i}", "age": rng.randrange(21), "breed": rng.choice(BREEDS)} for i in range(1000)]
    cases.append(Case("create", "createCat", {
        CATTERY: HttpLoad(cat_url, [gql(f"mutation Create($input: CreateCatInput!) {{ createCat(input: $input) {{ cat {{ {FIELDS} }} }} }}",
                                        {"input": c}) for c in inputs],
                          check_create(lambda v: v["input"])),
        POSTGRAPHILE: HttpLoad(pgl_url, [gql(f"mutation Create($input: CreateCatInput!) {{ createCat(input: $input) {{ cat {{ {FIELDS} }} }} }}",
                                             {"input": {"cat": c}}) for c in inputs],
                               check_create(lambda v: v["input"]["cat"])),
        CEILING: SqlLoad("\\set age random(0, 20)\n"
                         "INSERT INTO cats (name, age, breed) VALUES ('Pgbench', :age, 'Siamese') "
                         "RETURNING id, name, age, breed, created_at, updated_at;\n"),
    }, mutates=True))

    # 5. upload: photos through multipart, against a direct PUT to the same S3-compatible server.
    cases.extend(upload_cases(cfg, upload_reason, s3, cat_url, ids))

    if cfg.only:
        unknown = cfg.only - {c.name for c in cases}
        if unknown:
            raise BenchError(f"BENCH_CASES names unknown cases {sorted(unknown)}; known: {[c.name for c in cases]}")
        cases = [c for c in cases if c.name in cfg.only]
    return cases


UPLOAD_SIZES = (("upload_1mib", 1 << 20), ("upload_5mib", 5 << 20))
UPLOAD_CATS = 16  # distinct cats the multipart bodies attach photos to (the oldest seeded ones)


def upload_unavailable(cfg: Config) -> str | None:
    """Why the photo cases cannot run, or None when they can."""
    try:  # The binary's own schema, which may differ from the committed file.
        sdl = run([str(cfg.cattery_bin), "schema"], what="cattery schema", timeout=60)
        source = "this cattery binary's schema"
    except BenchError:
        sdl = (REPO / "schema.graphql").read_text()
        source = "schema.graphql"
    if not re.search(r"^\s*uploadCatImage\s*\(", sdl, re.M):
        return f"not available: no uploadCatImage mutation in {source} (photo feature not built in)"
    if not cfg.s3s_fs_bin:
        return ("not available: no S3-compatible server (s3s-fs is not installed; bench/run installs it, "
                "or set S3S_FS_BIN)")
    return None


def upload_cases(cfg: Config, reason: str | None, s3: "S3Server | None", cat_url: str, ids: list[str]) -> list[Case]:
    """Photos through Cattery's multipart mutation, against a direct presigned PUT of the same bytes
    to the same S3-compatible server (the ceiling of that path)."""
    cases = []
    for name, size in UPLOAD_SIZES:
        title = f"{size >> 20} MiB photo, multipart"
        if reason or s3 is None:
            cases.append(Case(name, title, skipped=reason or "not available: no S3-compatible server"))
            continue
        folder = cfg.workdir / "uploads" / name
        folder.mkdir(parents=True, exist_ok=True)
        png = make_png(size, seed=size)
        boundary = "cattery-bench-" + hashlib.sha1(png[:64]).hexdigest()[:16]
        query = ("mutation Upload($catId: ID!, $image: Upload!) { uploadCatImage(catId: $catId, image: $image) "
                 "{ cat { id image { byteSize contentType width height } } } }")
        files, operations = [], []
        for i, cat_id in enumerate(ids[-UPLOAD_CATS:]):
            ops = json.dumps({"query": query, "variables": {"catId": cat_id, "image": None}}, separators=(",", ":"))
            path = folder / f"body{i}.multipart"
            path.write_bytes(multipart(boundary, ops, {"0": ["variables.image"]}, "cat.png", "image/png", png))
            files.append(path)
            operations.append(ops)
        raw = folder / "photo.png"
        raw.write_bytes(png)

        def check(data: dict, ops: str, size: int = size) -> str | None:
            cat = (data.get("uploadCatImage") or {}).get("cat") or {}
            image = cat.get("image") or {}
            want = json.loads(ops)["variables"]["catId"]
            return expect(str(cat.get("id", "")).lower() == want and image.get("byteSize") == size
                          and image.get("contentType") == "image/png",
                          f"uploadCatImage returned {data}, sent {size} bytes of PNG for {want}")

        cases.append(Case(name, title, {
            CATTERY: HttpLoad(cat_url, operations, check, content_type=f"multipart/form-data; boundary={boundary}",
                              body_files=files),
            CEILING: HttpLoad(s3.presign_put(f"bench/direct-{name}.png"), ["-"], None, method="PUT",
                              content_type="image/png", body_files=[raw]),
        }))
    return cases


def make_png(size: int, seed: int) -> bytes:
    """A valid PNG of exactly `size` bytes: random (incompressible) RGB pixels, stored uncompressed,
    padded to the size with a private ancillary chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width = 512
    row = 1 + width * 3
    height = (size - 1024) // (row + 1)
    rng = random.Random(seed)
    pixels = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(pixels, 0)) + chunk(b"IEND", b"")
    pad = size - len(head) - len(body) - 12
    if pad < 0:
        raise BenchError(f"cannot make a PNG of {size} bytes")
    return head + chunk(b"caTs", b"\x00" * pad) + body


def multipart(boundary: str, operations: str, file_map: dict, filename: str, content_type: str, data: bytes) -> bytes:
    """A GraphQL multipart request (operations, map, then the file field "0")."""
    b = boundary.encode()
    return b"".join([
        b"--" + b + b'\r\nContent-Disposition: form-data; name="operations"\r\n\r\n' + operations.encode() + b"\r\n",
        b"--" + b + b'\r\nContent-Disposition: form-data; name="map"\r\n\r\n' + json.dumps(file_map).encode() + b"\r\n",
        b"--" + b + f'\r\nContent-Disposition: form-data; name="0"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n",
        b"--" + b + b"--\r\n",
    ])


# --------------------------------------------------------------------------------------------------
# checks and measurements


def check_response(case: Case, contender: str, load: HttpLoad, body_index: int = 0) -> None:
    payload, body = load.body(body_index)
    status, raw = http(load.method, load.url, payload, load.content_type, timeout=120)
    where = f"{case.name}/{contender}"
    if load.check is None:
        if not 200 <= status < 300:
            raise BenchError(f"{where}: HTTP {status}: {raw[:1000]!r}")
        return
    try:
        doc = json.loads(raw)
    except ValueError:
        raise BenchError(f"{where}: HTTP {status}, not JSON: {raw[:500]!r}") from None
    if status != 200 or not isinstance(doc, dict):
        raise BenchError(f"{where}: HTTP {status}: {raw[:1000]!r}")
    if doc.get("errors"):
        raise BenchError(f"{where}: GraphQL errors: {json.dumps(doc['errors'])[:1500]}")
    if not isinstance(doc.get("data"), dict):
        raise BenchError(f"{where}: no data in {raw[:500]!r}")
    if problem := load.check(doc["data"], body):
        raise BenchError(f"{where}: {problem}")


def check_sql(cfg: Config, pg: Postgres, case: Case, script: Path) -> None:
    argv = pgbench_argv(cfg, pg, script, clients=1, threads=1) + ["-t", "1"]
    run(argv, what=f"{case.name}/ceiling: pgbench check of {script.name}", timeout=60)


def reset_table(pg: Postgres) -> int:
    """Deletes the cats a create run added, so that every run sees the same seeded table."""
    out = pg.psql("WITH d AS (DELETE FROM cats c WHERE NOT EXISTS (SELECT 1 FROM bench.ids b WHERE b.id = c.id) "
                  "RETURNING 1) SELECT count(*) FROM d", "VACUUM ANALYZE cats")
    return int(out.split()[0])


def extra_rows(pg: Postgres) -> int:
    return int(pg.psql("SELECT count(*) FROM cats c WHERE NOT EXISTS (SELECT 1 FROM bench.ids b WHERE b.id = c.id)").strip())


def statements_per_request(pg: Postgres, case: Case, contender: str, load: HttpLoad, server: Server,
                           requests: int = 10) -> dict:
    """SQL statements per request as PostgreSQL counts them (pg_stat_statements, BEGIN/COMMIT
    included), and as Cattery's own counter does, over a few sequential requests."""
    pg.track_statements(True)
    try:
        time.sleep(0.3)
        # One request first: every pooled backend reloads its configuration before its next command.
        check_response(case, contender, load)
        pg.psql("SELECT pg_stat_statements_reset()", db="postgres")
        before = cattery_statements(server)
        for i in range(requests):
            check_response(case, contender, load, i)
        after = cattery_statements(server)
        rows = pg.psql(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'cattery')",
            db="postgres")
        detail = pg.psql(
            "SELECT calls || E'\\t' || regexp_replace(left(query, 90), '\\s+', ' ', 'g') FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'cattery') ORDER BY calls DESC LIMIT 8",
            db="postgres")
    finally:
        pg.track_statements(False)
    out = {"requests": requests, "postgres": int(rows.strip()) / requests,
           "statements": [line for line in detail.splitlines() if line.strip()]}
    if before is not None and after is not None:
        out["cattery_metric"] = (after - before) / requests
    return out


def pgbench_argv(cfg: Config, pg: Postgres, script: Path, clients: int, threads: int) -> list[str]:
    return [str(cfg.pg_bin / "pgbench"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-n",
            "-M", "prepared", "-f", str(script), "-c", str(clients), "-j", str(threads), DB_NAME]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (as HdrHistogram, which wrk uses, reports)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def run_pgbench(cfg: Config, pg: Postgres, script: Path, seconds: int, measure: bool) -> dict | None:
    argv = pgbench_argv(cfg, pg, script, cfg.concurrency, cfg.threads) + ["-T", str(seconds)]
    logdir = cfg.workdir / "pgbench-logs"
    if measure:
        shutil.rmtree(logdir, ignore_errors=True)
        logdir.mkdir()
        argv += ["--log", f"--log-prefix={logdir}/tx"]
    out = run(argv, what=f"pgbench {script.name}", timeout=seconds + 120)
    if not measure:
        return None
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", out, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", out, re.M)
    if not tps:
        raise BenchError(f"pgbench output without tps:\n{out}")
    lat = []
    for path in logdir.glob("tx.*"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]))
    lat.sort()
    return {"rps": float(tps.group(1)), "requests": len(lat),
            "p50_ms": percentile(lat, 50) / 1000, "p99_ms": percentile(lat, 99) / 1000,
            "errors": int(failed.group(1)) if failed else 0}


def run_wrk(cfg: Config, load: HttpLoad, bodies_file: Path, seconds: int) -> dict:
    mode, path = ("files" if load.body_files else "lines"), bodies_file
    argv = ["wrk", "-t", str(cfg.threads), "-c", str(cfg.concurrency), "-d", f"{seconds}s", "--timeout", "10s",
            "-s", str(BENCH / "post.lua"), load.url, "--", load.method, load.content_type or "-", mode, str(path)]
    out = run(argv, what="wrk", timeout=seconds + 60)
    line = next((ln for ln in reversed(out.splitlines()) if ln.startswith('{"requests"')), None)
    if line is None:
        raise BenchError(f"wrk printed no summary:\n{out}")
    s = json.loads(line)
    errors = sum(s["errors"].values())
    return {"rps": s["requests"] / (s["duration_us"] / 1e6), "requests": s["requests"],
            "p50_ms": s["latency_us"]["p50"] / 1000, "p99_ms": s["latency_us"]["p99"] / 1000,
            "errors": errors, "error_kinds": {k: v for k, v in s["errors"].items() if v}}


# --------------------------------------------------------------------------------------------------
# report


def fmt_num(v: float | None, digits: int = 0) -> str:
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


def fmt_ratio(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def summarise(results: dict) -> list[dict]:
    rows = []
    for case in results["cases"]:
        if case.get("skipped"):
            rows.append({"case": case["name"], "contender": "-", "skipped": case["skipped"]})
            continue
        med = {}
        for contender, entry in case["contenders"].items():
            runs = entry["runs"]
            med[contender] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
            }
            entry["median"] = med[contender]
        for contender, m in med.items():
            row = {"case": case["name"], "contender": contender, **m,
                   "sql_per_request": case["contenders"][contender].get("sql_per_request", {}).get("postgres")}
            if contender == CATTERY:
                for other, key in ((POSTGRAPHILE, "vs_postgraphile"), (CEILING, "vs_ceiling")):
                    if other in med and med[other]["rps"]:
                        row[key] = m["rps"] / med[other]["rps"]
                        case.setdefault("ratios", {})[key] = {
                            "rps": row[key],
                            "p50": m["p50_ms"] / med[other]["p50_ms"] if med[other]["p50_ms"] else None,
                        }
            rows.append(row)
    return rows


def render_table(rows: list[dict], results: dict) -> str:
    head = ["case", "contender", "req/s", "p50 ms", "p99 ms", "Cattery/PostGraphile", "Cattery/ceiling", "SQL/req", "errors"]
    body = []
    for r in rows:
        if r.get("skipped"):
            body.append([r["case"], "-", f"skipped: {r['skipped']}", "", "", "", "", "", ""])
            continue
        body.append([
            r["case"], r["contender"], fmt_num(r["rps"]), fmt_num(r["p50_ms"], 2), fmt_num(r["p99_ms"], 2),
            fmt_ratio(r.get("vs_postgraphile")), fmt_ratio(r.get("vs_ceiling")),
            "-" if r["sql_per_request"] is None else f"{r['sql_per_request']:g}", str(r["errors"]),
        ])
    widths = [max(len(head[i]), *(len(b[i]) for b in body if not b[2].startswith("skipped"))) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for b in body:
        if b[2].startswith("skipped"):
            lines.append(f"| {b[0].ljust(widths[0])} | {b[1].ljust(widths[1])} | {b[2]} |")
        else:
            lines.append("| " + " | ".join(c.rjust(w) if i >= 2 else c.ljust(w) for i, (c, w) in enumerate(zip(b, widths))) + " |")
    rss = results.get("peak_rss_kib", {})
    lines.append("")
    lines.append("peak RSS (VmHWM): " + ", ".join(
        f"{name} {v['VmHWM'] / 1024:.1f} MiB" if v else f"{name} ?" for name, v in rss.items()))
    c = results["config"]
    lines.append(f"medians of {c['rounds']} round(s) of {c['duration_s']} s after {c['warmup_s']} s warm-up; "
                 f"{c['concurrency']} connections, {c['threads']} load threads; DB pool {c['pool']} per server; "
                 f"{c['cpus']} CPUs shared by load generator, servers and PostgreSQL"
                 + ("; SMOKE RUN: numbers mean nothing" if c["smoke"] else ""))
    lines.append("ceiling: pgbench -M prepared with the same concurrency (uploads: a presigned PUT of the same "
                 "bytes straight to the same s3s-fs server); ratios are req/s; SQL/req counted by "
                 "pg_stat_statements (BEGIN/COMMIT included)")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# main


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def save_logs(cfg: Config) -> None:
    """Keeps the servers' logs of the last run in bench/out/logs (the work folder is removed)."""
    logs = OUT / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for src, name in ((cfg.workdir / "cattery.log", "cattery.log"), (cfg.workdir / "postgraphile.log", "postgraphile.log"),
                      (cfg.workdir / "pg" / "server.log", "postgresql.log")):
        try:
            shutil.copyfile(src, logs / name)
        except OSError:
            pass


def main(argv: list[str]) -> int:
    cfg = Config.from_env(argv)
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(exist_ok=True)
    procs = Processes(cfg.workdir)
    pg = Postgres(cfg)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    results: dict = {
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git": {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))},
        "config": {"smoke": cfg.smoke, "rounds": cfg.rounds, "duration_s": cfg.duration, "warmup_s": cfg.warmup,
                   "concurrency": cfg.concurrency, "threads": cfg.threads, "pool": cfg.pool,
                   "seed_cats": cfg.seed_cats, "cpus": os.cpu_count(), "machine": platform.platform(),
                   "cattery_bin": str(cfg.cattery_bin), "load_average_at_start": os.getloadavg()},
        "cases": [],
    }
    try:
        pg.start()
        servers: dict[str, Server] = {}
        upload_reason = upload_unavailable(cfg)
        s3 = start_s3(cfg, procs) if upload_reason is None else None
        servers[CATTERY] = start_cattery(cfg, pg, procs, s3)  # migrates first
        pg.psql(SEED_SQL.format(names=sql_list(NAMES), n_names=len(NAMES), breeds=sql_list(BREEDS),
                                n_breeds=len(BREEDS), count=cfg.seed_cats), IDS_SQL, "VACUUM ANALYZE")
        ids = pg.psql("SELECT id FROM bench.ids ORDER BY k").split()
        log(f"seeded {len(ids)} cats")
        servers[POSTGRAPHILE] = start_postgraphile(cfg, pg, procs)

        cases = build_cases(cfg, servers, ids, upload_reason, s3)
        files: dict[tuple[str, str], Path] = {}
        loaddir = cfg.workdir / "loads"
        loaddir.mkdir(exist_ok=True)

        # Every load is checked once before any load runs: GraphQL errors come back as HTTP 200.
        for case in cases:
            entry = {"name": case.name, "title": case.title}
            results["cases"].append(entry)
            if case.skipped:
                entry["skipped"] = case.skipped
                log(f"{case.name}: skipped: {case.skipped}")
                continue
            entry["contenders"] = {}
            for contender, load in case.loads.items():
                path = loaddir / f"{case.name}.{contender}.{'sql' if isinstance(load, SqlLoad) else 'jsonl'}"
                if isinstance(load, SqlLoad):
                    path.write_text(load.script)
                elif load.body_files:
                    path.write_text("".join(f"{f}\n" for f in load.body_files))
                else:
                    path.write_text("\n".join(load.bodies) + "\n")
                files[(case.name, contender)] = path
                if isinstance(load, SqlLoad):
                    check_sql(cfg, pg, case, path)
                    entry["contenders"][contender] = {"sql_per_request": {"postgres": 1}}  # one statement per transaction
                elif contender in servers:
                    check_response(case, contender, load)
                    entry["contenders"][contender] = {
                        "sql_per_request": statements_per_request(pg, case, contender, load, servers[contender])}
                else:  # the direct PUT to the S3-compatible server
                    check_response(case, contender, load)
                    entry["contenders"][contender] = {"sql_per_request": {"postgres": 0}}
                entry["contenders"].setdefault(contender, {})["runs"] = []
            if case.mutates:
                reset_table(pg)
            log(f"{case.name}: responses checked; SQL per request: " + ", ".join(
                f"{c} {e['sql_per_request']['postgres']:g}" for c, e in entry["contenders"].items() if "sql_per_request" in e))

        runnable = [c for c in cases if not c.skipped]
        for rnd in range(cfg.rounds):
            for case in runnable:
                entry = next(e for e in results["cases"] if e["name"] == case.name)
                order = list(case.loads)
                shift = rnd % len(order)
                order = order[shift:] + order[:shift]  # who goes first rotates from round to round
                for contender in order:
                    load = case.loads[contender]
                    path = files[(case.name, contender)]
                    if isinstance(load, SqlLoad):
                        if cfg.warmup:
                            run_pgbench(cfg, pg, path, cfg.warmup, measure=False)
                        res = run_pgbench(cfg, pg, path, cfg.duration, measure=True)
                    else:
                        if cfg.warmup:
                            run_wrk(cfg, load, path, cfg.warmup)
                        rows_before = extra_rows(pg) if case.mutates else 0
                        res = run_wrk(cfg, load, path, cfg.duration)
                        if case.mutates:
                            created = extra_rows(pg) - rows_before
                            res["rows_created"] = created
                            if created < res["requests"] - res["errors"]:
                                raise BenchError(f"{case.name}/{contender}: {res['requests']} responses but only "
                                                 f"{created} cats created: requests failed under load")
                    if case.mutates:
                        reset_table(pg)
                    res["round"] = rnd + 1
                    entry["contenders"][contender]["runs"].append(res)
                    if res["errors"]:
                        log(f"WARNING {case.name}/{contender}: {res['errors']} errors {res.get('error_kinds', '')}")
                        if res["errors"] > 0.01 * max(res["requests"], 1) or cfg.smoke:
                            raise BenchError(f"{case.name}/{contender}: {res['errors']} of {res['requests']} requests failed")
                    log(f"round {rnd + 1}/{cfg.rounds} {case.name:7} {contender:12} {res['rps']:9.0f} req/s  "
                        f"p50 {res['p50_ms']:7.2f} ms  p99 {res['p99_ms']:7.2f} ms")

        # The same bodies still answer correctly after the load.
        for case in runnable:
            for contender, load in case.loads.items():
                if isinstance(load, HttpLoad):
                    check_response(case, contender, load, 1)
            if case.mutates:
                reset_table(pg)

        results["peak_rss_kib"] = {name: peak_rss_kib(s.proc.pid) for name, s in servers.items()}
        if s3 and s3.proc:
            results["peak_rss_kib"]["s3s-fs"] = peak_rss_kib(s3.proc.pid)
        for name, s in servers.items():
            if s.proc.poll() is not None:
                raise BenchError(f"{name} exited during the benchmark:\n{tail(s.logfile)}")
    except BenchError as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        procs.stop_all()
        pg.stop()
        save_logs(cfg)

    results["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    results["config"]["load_average_at_end"] = os.getloadavg()
    rows = summarise(results)
    results["table"] = rows
    table = render_table(rows, results)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "results.md").write_text(table + "\n")
    print(table)
    log(f"wrote {OUT / 'results.json'} and {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        log(f"FAILED: {e}")
        sys.exit(1)
