#!/usr/bin/env python3
"""Cross-file checks of the packaging that no single linter sees (run by deploy/validate.sh).

  configcheck.py REPO_ROOT

Dockerfiles against the projects they build; docker-compose.yml against the files it mounts and
the services it names; the Collector, Prometheus and Grafana configs against each other; the
Grafana dashboard against the metric names the gateway exports. One PASS/FAIL line per check.
Needs Python 3 and PyYAML only.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml

# The gateway's instruments that the dashboard must show (the operations issue's list). Their
# Prometheus names are derived from src/PushGateway/Observability, as the Collector's exporter
# derives them: dots to underscores, the unit appended (braced units dropped, By -> bytes,
# ms -> milliseconds), _total on monotonic counters.
REQUIRED_INSTRUMENTS = (
    "pushgw.connections.current", "pushgw.connections.opened", "pushgw.connections.closed",
    "pushgw.subscriptions.current", "pushgw.topics.current", "pushgw.bus.messages.in",
    "pushgw.messages.delivered", "pushgw.messages.conflated", "pushgw.messages.dropped",
    "pushgw.queue.depth", "pushgw.delivery.latency", "pushgw.redis.connected",
)
ASPNET_METRICS = {"kestrel_active_connections", "http_server_request_duration_seconds"}
UNIT_WORDS = {"By": "bytes", "ms": "milliseconds", "s": "seconds", "KiBy": "kibibytes", "MiBy": "mebibytes"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

# Dockerfile -> the project it publishes.
IMAGES = {
    "src/PushGateway/Dockerfile": "src/PushGateway/PushGateway.csproj",
    "src/FeedSimulator/Dockerfile": "src/FeedSimulator/FeedSimulator.csproj",
    "bench/LoadGen/Dockerfile": "bench/LoadGen/LoadGen.csproj",
}
# Root files that change how restore behaves: a Dockerfile must copy each that exists before restoring.
RESTORE_INPUTS = ("Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props",
                  "NuGet.config", "nuget.config", "global.json")


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        problems = [p for p in problems if p]
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"     - {p}")
        else:
            self.passed += 1
            print(f"PASS {name}")


# ---------------------------------------------------------------------------------------------
# Dockerfiles

def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out = []
    cur = ""
    for line in text.splitlines():
        s = line.strip()
        if not cur and (not s or s.startswith("#")):
            continue
        if cur and s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        word, _, rest = cur.partition(" ")
        out.append((word.upper(), rest.strip()))
        cur = ""
    return out


def project_closure(root, csproj, seen=None):
    """The project and every project it references, transitively (repo-relative paths)."""
    seen = seen if seen is not None else []
    if csproj in seen:
        return seen
    seen.append(csproj)
    tree = ET.parse(os.path.join(root, csproj))
    for ref in tree.iter("ProjectReference"):
        inc = ref.get("Include", "").replace("\\", "/")
        target = os.path.normpath(os.path.join(os.path.dirname(csproj), inc)).replace(os.sep, "/")
        project_closure(root, target, seen)
    return seen


def needs_aspnet(root, csproj):
    tree = ET.parse(os.path.join(root, csproj))
    sdk = tree.getroot().get("Sdk", "")
    refs = [r.get("Include") for r in tree.iter("FrameworkReference")]
    return sdk == "Microsoft.NET.Sdk.Web" or "Microsoft.AspNetCore.App" in refs


def assembly_name(root, csproj):
    tree = ET.parse(os.path.join(root, csproj))
    for el in tree.iter("AssemblyName"):
        if el.text:
            return el.text.strip()
    return os.path.splitext(os.path.basename(csproj))[0]


def dockerignore_patterns(root):
    path = os.path.join(root, ".dockerignore")
    if not os.path.exists(path):
        return []
    pats = []
    for line in open(path):
        s = line.strip()
        if s and not s.startswith("#"):
            pats.append(s)
    return pats


def ignored(path, patterns):
    """Docker's .dockerignore matching, enough for plain and **/ patterns (last match wins)."""
    result = False
    parts = path.split("/")
    for pat in patterns:
        neg = pat.startswith("!")
        p = pat[1:] if neg else pat
        p = p.strip("/")
        hit = False
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if fnmatch.fnmatchcase(prefix, p) or (p.startswith("**/") and
                                                   any(fnmatch.fnmatchcase("/".join(parts[j:i]), p[3:])
                                                       for j in range(i))):
                hit = True
                break
        if hit:
            result = not neg
    return result


def check_dockerfiles(report, root):
    patterns = dockerignore_patterns(root)
    if not patterns:
        report.check(".dockerignore exists at the repository root", ["missing"])
    else:
        must = [p for p in ("**/bin", "**/obj", ".git") if not any(x.strip("/") == p for x in patterns)]
        report.check(".dockerignore keeps .git and host build output (bin/obj) out of the context",
                     [f"no pattern {p}" for p in must])

    for dockerfile, csproj in IMAGES.items():
        problems = []
        path = os.path.join(root, dockerfile)
        if not os.path.exists(path):
            report.check(f"{dockerfile}", ["missing"])
            continue
        ins = dockerfile_instructions(open(path).read())
        stages = [i for i, (w, _) in enumerate(ins) if w == "FROM"]
        if len(stages) < 2:
            problems.append("not multi-stage")
        froms = [ins[i][1] for i in stages]
        if not any(f.startswith("mcr.microsoft.com/dotnet/sdk:10.0") for f in froms):
            problems.append("no mcr.microsoft.com/dotnet/sdk:10.0 build stage")
        final = froms[-1].split()[0] if froms else ""
        m = re.match(r"mcr\.microsoft\.com/dotnet/(aspnet|runtime|runtime-deps):10\.0", final)
        if not m:
            problems.append(f"final stage {final!r} is not a .NET 10 aspnet/runtime/runtime-deps image")
        elif needs_aspnet(root, csproj) and m.group(1) != "aspnet":
            problems.append(f"{csproj} uses ASP.NET Core, but the final stage is {m.group(1)}")
        last_from = stages[-1] if stages else 0
        final_ins = ins[last_from:]
        users = [a for w, a in final_ins if w == "USER"]
        if not users or users[-1] in ("root", "0", "0:0"):
            problems.append("final stage does not switch to a non-root USER")
        publish = [a for w, a in ins if w == "RUN" and "dotnet publish" in a]
        if not any(csproj in a and "-c Release" in a for a in publish):
            problems.append(f"no `dotnet publish {csproj} -c Release`")
        # Restore inputs and the referenced projects must be copied before the restore runs.
        restore_at = next((i for i, (w, a) in enumerate(ins) if w == "RUN" and "dotnet restore" in a), None)
        copied_before = []
        for i, (w, a) in enumerate(ins):
            if w == "COPY" and not a.startswith("--from") and (restore_at is None or i < restore_at):
                copied_before += a.split()[:-1]
        if restore_at is not None:
            for proj in project_closure(root, csproj):
                if proj not in copied_before:
                    problems.append(f"{proj} is not copied before `dotnet restore` (restore would miss it)")
            for f in RESTORE_INPUTS:
                if os.path.exists(os.path.join(root, f)) and f not in copied_before:
                    problems.append(f"{f} exists but is not copied before `dotnet restore`")
        for w, a in ins:
            if w == "COPY" and not a.startswith("--from"):
                for src in a.split()[:-1]:
                    if src.startswith("--"):
                        continue
                    if src != "." and not os.path.exists(os.path.join(root, src)):
                        problems.append(f"COPY source {src} does not exist in the repository")
                    elif src != "." and ignored(src.rstrip("/"), patterns):
                        problems.append(f"COPY source {src} is excluded by .dockerignore")
        for proj in project_closure(root, csproj):
            if ignored(proj, patterns):
                problems.append(f"{proj} is excluded by .dockerignore")
        entry = [a for w, a in final_ins if w == "ENTRYPOINT"]
        dll = assembly_name(root, csproj) + ".dll"
        if not entry or dll not in entry[-1]:
            problems.append(f"ENTRYPOINT does not start {dll}")
        if dockerfile.startswith("src/PushGateway/"):
            hc = [a for w, a in final_ins if w == "HEALTHCHECK"]
            if not hc:
                problems.append("gateway image has no HEALTHCHECK")
            else:
                m2 = re.search(r'CMD\s+\[\s*"([^"]+)"', hc[-1])
                binary = m2.group(1) if m2 else None
                copied = [a.split()[-1] for w, a in final_ins if w == "COPY"]
                if not binary or binary not in copied:
                    problems.append("HEALTHCHECK must use exec form with a binary the final stage copies in "
                                    "(the chiseled image has no shell, curl or wget)")
                if "/healthz" not in hc[-1]:
                    problems.append("HEALTHCHECK does not probe /healthz")
            env = " ".join(a for w, a in final_ins if w == "ENV")
            if "8080" not in env:
                problems.append("gateway image does not set its listen address to port 8080")
        report.check(f"{dockerfile}: multi-stage, non-root, restores {os.path.basename(csproj)} and its references",
                     problems)


# ---------------------------------------------------------------------------------------------
# Compose stack

def _duration_seconds(s):
    m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(s))
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0) if m else None


def check_compose(report, root):
    compose = yaml.safe_load(open(os.path.join(root, "docker-compose.yml")))
    services = compose.get("services", {})
    problems = []
    if "version" in compose:
        problems.append("top-level `version:` key: use the Compose Specification (no version)")
    for name, svc in services.items():
        build = svc.get("build")
        if isinstance(build, dict):
            df = os.path.join(root, build.get("context", "."), build.get("dockerfile", "Dockerfile"))
            if not os.path.exists(df):
                problems.append(f"{name}: Dockerfile {df} does not exist")
        for vol in svc.get("volumes", []) or []:
            src = str(vol).split(":")[0]
            if src.startswith("./") and not os.path.exists(os.path.join(root, src)):
                problems.append(f"{name}: mounted {src} does not exist")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services:
                problems.append(f"{name}: depends on unknown service {dep}")
            elif (cond or {}).get("condition") == "service_healthy" and "healthcheck" not in services[dep]:
                problems.append(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")
    report.check("docker-compose.yml: builds, mounts and depends_on point at what exists", problems)

    problems = []
    gateways = sorted(n for n in services if re.fullmatch(r"gateway-\d+", n))
    if len(gateways) < 3:
        problems.append(f"expected three named gateway services, found {gateways}")
    nginx = open(os.path.join(root, "deploy/compose/nginx.conf")).read()
    upstream = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", nginx, re.M)
    if sorted(h for h, _ in upstream) != gateways:
        problems.append(f"nginx upstream servers {upstream} do not match the gateway services {gateways}")
    for needle, why in ((r"proxy_set_header\s+Upgrade\s+\$http_upgrade", "Upgrade header for /ws"),
                        (r"proxy_set_header\s+Connection\s+\$connection_upgrade", "Connection header for /ws"),
                        (r"location\s+/ws\s*\{[^}]*proxy_read_timeout\s+1h", "1h read timeout on /ws"),
                        (r"location\s+/sse\s*\{[^}]*proxy_buffering\s+off", "no buffering on /sse")):
        if not re.search(needle, nginx, re.S):
            problems.append(f"nginx.conf lacks {why}")
    nginx_svc = services.get("nginx", {})
    if not any(str(p).split(":")[-2:] == ["8080", "8080"] or str(p) == "8080:8080" for p in nginx_svc.get("ports", [])):
        problems.append("nginx is not published on host port 8080")
    for g in gateways:
        env = services[g].get("environment") or {}
        if not str(env.get("Redis__ConnectionString", "")).startswith("redis:"):
            problems.append(f"{g}: Redis__ConnectionString does not point at the redis service")
        drain = re.fullmatch(r"(\d\d):(\d\d):(\d\d)", str(env.get("Gateway__DrainGracePeriod", "")))
        grace = _duration_seconds(services[g].get("stop_grace_period", "10s"))
        if not drain:
            problems.append(f"{g}: Gateway__DrainGracePeriod is not hh:mm:ss")
        elif grace is None or grace <= int(drain.group(1)) * 3600 + int(drain.group(2)) * 60 + int(drain.group(3)):
            problems.append(f"{g}: stop_grace_period must exceed the drain period, or compose kills a draining node")
        if g not in (services.get("nginx", {}).get("depends_on") or {}):
            problems.append(f"nginx does not wait for {g}")
    for port, svc in (("3000", "grafana"), ("9090", "prometheus")):
        if not any(str(p).endswith(f"{port}:{port}") for p in services.get(svc, {}).get("ports", [])):
            problems.append(f"{svc} is not published on host port {port}")
    report.check("compose stack: three gateways behind nginx :8080 (WebSocket, SSE), drain-safe stop", problems)

    # Metrics path: gateways -> collector (OTLP) -> Prometheus -> Grafana.
    problems = []
    otel = yaml.safe_load(open(os.path.join(root, "deploy/compose/otel-collector.yaml")))
    for kind in ("receivers", "processors", "exporters"):
        defined = set((otel.get(kind) or {}).keys())
        for pname, pipe in (otel.get("service", {}).get("pipelines") or {}).items():
            for ref in pipe.get(kind, []) or []:
                if ref not in defined:
                    problems.append(f"collector pipeline {pname} uses undefined {kind[:-1]} {ref}")
    for ext in otel.get("service", {}).get("extensions", []) or []:
        if ext not in (otel.get("extensions") or {}):
            problems.append(f"collector enables undefined extension {ext}")
    grpc = str(((otel.get("receivers") or {}).get("otlp") or {}).get("protocols", {}).get("grpc", {}).get("endpoint", ""))
    if not grpc.startswith("0.0.0.0:"):
        problems.append("collector OTLP gRPC receiver does not listen on 0.0.0.0 (other containers cannot reach it)")
    for g in gateways:
        ep = str((services[g].get("environment") or {}).get("Telemetry__OtlpEndpoint", ""))
        if not ep.endswith(":" + grpc.rsplit(":", 1)[-1]) or "otel-collector" not in ep:
            problems.append(f"{g}: Telemetry__OtlpEndpoint {ep!r} is not the collector's OTLP gRPC port")
    prom_exp = ((otel.get("exporters") or {}).get("prometheus") or {}).get("endpoint", "")
    if "metrics" not in (otel.get("service", {}).get("pipelines") or {}) or "prometheus" not in \
            otel["service"]["pipelines"]["metrics"].get("exporters", []):
        problems.append("collector metrics pipeline does not export to prometheus")
    prom = yaml.safe_load(open(os.path.join(root, "deploy/compose/prometheus.yml")))
    targets = [t for job in prom.get("scrape_configs", []) for sc in job.get("static_configs", [])
               for t in sc.get("targets", [])]
    if f"otel-collector:{prom_exp.rsplit(':', 1)[-1]}" not in targets:
        problems.append(f"Prometheus does not scrape the collector's exporter ({prom_exp})")
    for t in targets:
        host = t.split(":")[0]
        if host not in services and host != "localhost":
            problems.append(f"Prometheus target {t} is not a compose service")
    ds = yaml.safe_load(open(os.path.join(root, "deploy/compose/grafana/provisioning/datasources/prometheus.yml")))
    ds_uids = {d.get("uid") for d in ds.get("datasources", [])}
    if not any(d.get("url") == "http://prometheus:9090" for d in ds.get("datasources", [])):
        problems.append("Grafana datasource does not point at http://prometheus:9090")
    prov = yaml.safe_load(open(os.path.join(root, "deploy/compose/grafana/provisioning/dashboards/pushgateway.yml")))
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in services.get("grafana", {}).get("volumes", [])}
    for p in prov.get("providers", []):
        path = (p.get("options") or {}).get("path")
        if mounts.get(path) != "./deploy/compose/grafana/dashboards":
            problems.append(f"dashboard provider path {path} is not where compose mounts deploy/compose/grafana/dashboards")
    report.check("metrics path: gateways -> Collector (OTLP) -> Prometheus -> Grafana wired consistently", problems)
    return ds_uids


# ---------------------------------------------------------------------------------------------
# Grafana dashboard

def _split_args(text):
    """Top-level comma split of a C# argument list (quotes, (), {}, [] nesting respected; not <>, which `=>` breaks)."""
    out, depth, cur, quote = [], 0, "", None
    for c in text:
        if quote:
            cur += c
            if c == quote:
                quote = None
            continue
        if c == '"':
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def prometheus_name(name, kind, unit):
    prom = name.replace(".", "_")
    if unit and not unit.startswith("{") and unit != "1":
        word = UNIT_WORDS.get(unit, unit)
        if not prom.endswith("_" + word):
            prom += "_" + word
    if kind in ("Counter", "ObservableCounter"):
        prom += "_total"
    return prom


def gateway_instruments(root):
    """{otel name: (kind, prometheus name)} from the gateway's Meter calls, or None if not found."""
    folder = os.path.join(root, "src/PushGateway/Observability")
    if not os.path.isdir(folder):
        return None
    sources = "\n".join(open(os.path.join(folder, f)).read() for f in sorted(os.listdir(folder)) if f.endswith(".cs"))
    consts = dict(re.findall(r'const\s+string\s+(\w+)\s*=\s*"(pushgw\.[a-z0-9_.]+)"', sources))
    found = {}
    for kind, args in re.findall(r"\.Create(Observable(?:Counter|UpDownCounter|Gauge)|Counter|UpDownCounter|Histogram|Gauge)"
                                 r"(?:<\w+>)?\((.*?)\);", sources, re.S):
        parts = _split_args(args)
        if not parts:
            continue
        first = parts[0]
        name = first.strip('"') if first.startswith('"') else consts.get(first.split(".")[-1])
        if not name or not name.startswith("pushgw."):
            continue
        named = {p.split(":", 1)[0].strip(): p.split(":", 1)[1].strip() for p in parts if re.match(r"^\w+\s*:", p)}
        positional = [p for p in parts if not re.match(r"^\w+\s*:", p)]
        idx = 2 if kind.startswith("Observable") else 1
        unit = named.get("unit") or (positional[idx] if len(positional) > idx else None)
        unit = unit.strip('"') if unit and unit.startswith('"') else None
        found[name] = (kind, prometheus_name(name, kind, unit))
    return found

def check_dashboard(report, root, ds_uids):
    instruments = gateway_instruments(root) or {}
    report.check("gateway instruments found in src/PushGateway/Observability (for metric names)",
                 [f"{n} is not created by the gateway" for n in REQUIRED_INSTRUMENTS if n not in instruments])
    known = {prom for _, prom in instruments.values()} | ASPNET_METRICS
    required = {instruments[n][1]: n for n in REQUIRED_INSTRUMENTS if n in instruments}
    path = os.path.join(root, "deploy/compose/grafana/dashboards/pushgateway.json")
    try:
        dash = json.load(open(path))
    except (OSError, ValueError) as e:
        report.check("Grafana dashboard JSON parses", [str(e)])
        return
    problems = []
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in dash:
            problems.append(f"dashboard has no {key}")
    variables = {v.get("name") for v in (dash.get("templating") or {}).get("list", [])}
    ids = [p.get("id") for p in dash.get("panels", [])]
    if len(ids) != len(set(ids)):
        problems.append("panel ids are not unique")
    seen_metrics = set()
    for p in dash.get("panels", []):
        title = p.get("title")
        if "gridPos" not in p:
            problems.append(f"panel {title!r} has no gridPos")
        if p.get("type") == "row":
            continue
        targets = p.get("targets") or []
        if not targets:
            problems.append(f"panel {title!r} has no query")
        for t in targets + [p]:
            uid = (t.get("datasource") or {}).get("uid")
            if uid is None:
                continue
            var = re.fullmatch(r"\$\{?(\w+)\}?", uid)
            if not (uid in ds_uids or (var and var.group(1) in variables)):
                problems.append(f"panel {title!r} uses datasource {uid!r}, neither provisioned nor a dashboard variable")
        for t in targets:
            expr = t.get("expr", "")
            if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}") or expr.count("[") != expr.count("]"):
                problems.append(f"panel {title!r}: unbalanced brackets in {expr!r}")
            for name in re.findall(r"\b((?:pushgw|kestrel|http_server)_[a-z_]+)\b", expr):
                base = name
                for suf in HISTOGRAM_SUFFIXES:
                    if name.endswith(suf):
                        base = name[: -len(suf)]
                if base not in known:
                    problems.append(f"panel {title!r}: {name} is no metric the gateway exports")
                seen_metrics.add(base)
            for var in re.findall(r"\$(\w+)", expr):
                if var not in variables and not var.startswith("__"):
                    problems.append(f"panel {title!r}: undefined variable ${var}")
    for prom, otel in sorted(required.items()):
        if prom not in seen_metrics:
            problems.append(f"no panel shows {otel} ({prom})")
    report.check("Grafana dashboard: known metric names, every gateway metric shown, datasources resolve", problems)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else ".")
    report = Report()
    check_dockerfiles(report, root)
    ds_uids = check_compose(report, root)
    check_dashboard(report, root, ds_uids)
    print(f"(configcheck totals) passed={report.passed} failed={report.failed}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
