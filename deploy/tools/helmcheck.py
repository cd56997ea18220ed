#!/usr/bin/env python3
"""Checks the Helm chart without a helm binary.

  helmcheck.py CHART_DIR                  all checks; one PASS/FAIL line each, non-zero exit on any failure
  helmcheck.py CHART_DIR --render NAME    print the manifests of one scenario (see SCENARIOS)

Static checks on the template source:
  - every .Values.x.y reference (also through `$v := .Values.x` aliases) exists in values.yaml;
  - every values.yaml key is read by some template (or carries a `# checker: unused` comment);
  - every template parses: balanced {{ }}, if/range/with/define closed by {{ end }}, no stray }};
  - every include names a define, and every define is included somewhere.
Rendering (gotemplate.py, a Go text/template + Sprig subset) under several value sets, then
Kubernetes-level checks on the result: YAML parses without duplicate keys, apiVersion/kind/
metadata.name present and valid, selectors match pod labels, Services/Ingress/HPA/PDB/Job point
at what exists, env values are strings, the drain arithmetic holds, and so on. Value sets the
chart must refuse (fail/required) are checked to fail with the expected message.

Needs Python 3 and PyYAML (Debian: python3-yaml); nothing else.
"""

from __future__ import annotations

import copy
import os
import re
import sys

import yaml

sys.dont_write_bytecode = True  # no __pycache__ left in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gotemplate as gt  # noqa: E402

RELEASE = "pgw"
NAMESPACE = "realtime"

# Value sets to render. Between them every template branch runs at least once.
SCENARIOS = {
    "defaults": ({}, {}),
    "everything-on": ({
        "imagePullSecrets": [{"name": "regcred"}],
        "serviceAccount": {"create": True, "annotations": {"example.com/role": "pushgateway"}},
        "gateway": {
            "maxConnections": 1000000,
            "extraEnv": [{"name": "Gateway__SendQueueBytes", "value": "2097152"}],
            "podAntiAffinity": "hard",
            "topologySpread": {"enabled": True},
            "nodeSelector": {"pool": "gateways"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gateways", "effect": "NoSchedule"}],
            "priorityClassName": "realtime",
            "podAnnotations": {"example.com/scrape": "false"},
            "podLabels": {"team": "realtime"},
            "drain": {"gracePeriodSeconds": 1805},
        },
        "service": {"annotations": {"example.com/lb-idle-timeout": "3600"}},
        "ingress": {"enabled": True, "tls": {"enabled": True},
                    "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "64k",
                                    "nginx.ingress.kubernetes.io/proxy-read-timeout": "7200"}},
        "autoscaling": {"enabled": True},
        "telemetry": {"otlpEndpoint": "http://otel-collector.monitoring:4317"},
        "redis": {"channelPrefix": "prod:"},
        "loadTest": {"enabled": True, "parallelism": 3, "connections": 50000, "rate": 10000,
                     "extraArgs": ["--protocol", "msgpack", "--json"], "nodeSelector": {"pool": "loadgen"},
                     "tolerations": [{"key": "loadgen", "operator": "Exists"}]},
    }, {"kube": "v1.31.2"}),
    "external-redis-secret-old-kube": ({
        "redis": {"enabled": False, "external": {"existingSecret": "redis-conn"}},
        "simulator": {"enabled": False},
        "pdb": {"enabled": False},
        "gateway": {"podAntiAffinity": "none"},
        "ingress": {"enabled": True, "className": ""},
        "loadTest": {"enabled": True},
    }, {"kube": "v1.28.9-gke.1000"}),
    "external-redis-url": ({
        "fullnameOverride": "edge",
        "redis": {"enabled": False, "external": {"url": "redis.internal:6379,abortConnect=false"}},
        "gateway": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["edge"]}]}]}}}},
        "loadTest": {"enabled": True, "parallelism": 1, "connections": 100, "waitForGateway": {"enabled": False}},
    }, {}),
    "long-release-name": ({"serviceAccount": {"create": True}, "loadTest": {"enabled": True}},
                          {"release": "a-very-long-release-name-for-the-realtime-pushgateway-cluster"}),
}

# Value sets the chart must refuse, with a fragment of the expected message.
MUST_FAIL = {
    "no-redis-at-all": ({"redis": {"enabled": False}}, "Redis is required"),
    "too-many-connections-per-pod": ({"loadTest": {"enabled": True, "connections": 100000, "parallelism": 2}},
                                     "maxConnectionsPerPod"),
    "zero-parallelism": ({"loadTest": {"enabled": True, "parallelism": 0}}, "parallelism must be at least 1"),
    "more-subscriptions-than-topics": ({"loadTest": {"enabled": True, "topics": 10, "subsPerConn": 6}},
                                       "exceeds the 5 topics each pod gets"),
    "drain-over-an-hour": ({"gateway": {"drain": {"gracePeriodSeconds": 3601}}}, "between 0 and 3600"),
    "unknown-anti-affinity": ({"gateway": {"podAntiAffinity": "sometimes"}}, "podAntiAffinity must be"),
}

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                       r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


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
# Loading

class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _mapping_no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_no_duplicates)


def load_yaml_unique(text):
    return list(yaml.load_all(text, Loader=_UniqueKeyLoader))


def read_chart(chart):
    with open(os.path.join(chart, "Chart.yaml")) as f:
        meta = yaml.safe_load(f)
    with open(os.path.join(chart, "values.yaml")) as f:
        values_text = f.read()
    values = yaml.safe_load(values_text) or {}
    tdir = os.path.join(chart, "templates")
    files = {}
    for name in sorted(os.listdir(tdir)):
        path = os.path.join(tdir, name)
        if os.path.isfile(path):
            with open(path) as f:
                files[f"{meta['name']}/templates/{name}"] = f.read()
    return meta, values, values_text, files


# ---------------------------------------------------------------------------------------------
# Static checks

_VALUES_REF = re.compile(r"(?<![\w$])(?:\$|\.root|\$\.root)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)")
_ALIAS = re.compile(r"(\$[A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*"
                    r"(?:(?:\$|\.root|\$\.root)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
                    r"|(\$[A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*))\s*(?=[}|)]|-?\s*}})")


def _actions(src):
    return re.findall(r"\{\{-?(.*?)-?\}\}", src, re.S)


def values_refs(files):
    """(path, file) for every values path the templates read, aliases resolved per file."""
    refs = []
    for fname, src in files.items():
        aliases = {}
        for action in _actions(src):
            if action.strip().startswith("/*"):
                continue
            for m in _ALIAS.finditer(action):
                var, vpath, other, opath = m.groups()
                if vpath is not None:
                    aliases[var] = vpath.lstrip(".")
                elif other in aliases:
                    aliases[var] = ".".join(p for p in (aliases[other], opath.lstrip(".")) if p)
                else:
                    aliases.pop(var, None)
            for m in _VALUES_REF.finditer(action):
                refs.append((m.group(1).lstrip("."), fname))
            for var, base in aliases.items():
                for m in re.finditer(re.escape(var) + r"((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?![A-Za-z0-9_])", action):
                    refs.append((".".join(p for p in (base, m.group(1).lstrip(".")) if p), fname))
    return refs


def value_paths(values, prefix=""):
    out = {}
    if isinstance(values, dict):
        for k, v in values.items():
            p = f"{prefix}.{k}" if prefix else str(k)
            out[p] = v
            out.update(value_paths(v, p))
    return out


def unused_markers(values_text):
    """Paths of values.yaml keys whose line carries `# checker: unused`."""
    lines = values_text.splitlines()
    marked = set()

    def walk(node, prefix):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = f"{prefix}.{k.value}" if prefix else k.value
                if "checker: unused" in lines[k.start_mark.line]:
                    marked.add(p)
                walk(v, p)
    walk(yaml.compose(values_text), "")
    return marked


def check_static(report, values, values_text, files):
    paths = value_paths(values)
    refs = values_refs(files)
    missing = sorted({f"{f.split('/')[-1]}: .Values.{p} is not in values.yaml" for p, f in refs
                      if p and p not in paths})
    report.check("templates read only keys that values.yaml defines", missing)

    used = {p for p, _ in refs}
    marked = unused_markers(values_text)
    unused = []
    for p in sorted(paths):
        if p in marked or any(m == p or p.startswith(m + ".") for m in marked):
            continue
        if any(u == p or p.startswith(u + ".") or u.startswith(p + ".") for u in used):
            continue
        unused.append(f"values.yaml key {p} is read by no template (use it, drop it, or mark `# checker: unused`)")
    report.check("every values.yaml key is read by a template", unused)

    problems = []
    engine = gt.Engine()
    for fname, src in files.items():
        try:
            nodes = gt.parse(src, fname, {})
        except gt.TemplateError as e:
            problems.append(str(e))
            continue
        problems += [f"{fname}:{n.line}: stray '}}}}' outside an action" for n in _walk(nodes)
                     if n.kind == "text" and "}}" in n.text]
        try:
            engine.add_file(fname, src)
        except gt.TemplateError as e:
            problems.append(str(e))
    report.check("templates parse: {{ }} balanced, every if/range/with/define closed", problems)
    parsed = not problems

    defines = set()
    for fname, src in files.items():
        defines |= set(re.findall(r'\{\{-?\s*define\s+"([^"]+)"', src))
    included = set()
    for fname, src in files.items():
        included |= set(re.findall(r'(?:include|template)\s+"([^"]+)"', src))
    problems = [f'include "{n}" has no define' for n in sorted(included - defines)]
    problems += [f'define "{n}" is never included' for n in sorted(defines - included)]
    report.check("named templates: every include defined, every define used", problems)
    return engine if parsed else None


def _walk(nodes):
    for n in nodes:
        yield n
        for attr in ("body", "else_body"):
            yield from _walk(getattr(n, attr, []) or [])


# ---------------------------------------------------------------------------------------------
# Rendering

def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and out.get(k):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def override_problems(values, over, prefix=""):
    """Scenario overrides may set only keys values.yaml has, except inside free-form maps ({} there)."""
    problems = []
    for k, v in over.items():
        p = f"{prefix}.{k}" if prefix else k
        if not isinstance(values, dict) or k not in values:
            problems.append(f"scenario sets {p}, which values.yaml does not define")
        elif isinstance(v, dict) and isinstance(values[k], dict) and values[k]:
            problems += override_problems(values[k], v, p)
    return problems


def render(engine, meta, values, files, opts):
    release = opts.get("release", RELEASE)
    kube = opts.get("kube", "v1.31.0")
    major, minor = re.match(r"v?(\d+)\.(\d+)", kube).groups()
    base_path = f"{meta['name']}/templates"
    engine.missing_values = set()
    out = {}
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if name.startswith("_"):
            continue
        root = gt.StrictDict({
            "Values": gt.helm_values(values),
            "Release": gt.StrictDict({"Name": release, "Namespace": NAMESPACE, "Service": "Helm",
                                      "Revision": 1, "IsInstall": True, "IsUpgrade": False}),
            "Chart": gt.StrictDict({"Name": meta["name"], "Version": meta["version"],
                                    "AppVersion": meta.get("appVersion", "")}),
            "Capabilities": gt.StrictDict({"KubeVersion": gt.StrictDict(
                {"Version": kube, "GitVersion": kube, "Major": major, "Minor": minor})}),
            "Template": gt.StrictDict({"Name": path, "BasePath": base_path}),
        })
        out[name] = engine.render(path, root).replace("<no value>", "")
    return out


def split_docs(text):
    return [d for d in re.split(r"(?m)^---[ \t]*$", text) if d.strip()]


# ---------------------------------------------------------------------------------------------
# Kubernetes-level checks on rendered manifests

def _get(d, *keys, default=None):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def _labels_problems(where, labels):
    out = []
    if labels is None:
        return out
    if not isinstance(labels, dict):
        return [f"{where}: labels is not a map"]
    for k, v in labels.items():
        if not LABEL_KEY.match(str(k)) or len(str(k).split("/")[-1]) > 63:
            out.append(f"{where}: bad label key {k!r}")
        if not isinstance(v, str):
            out.append(f"{where}: label {k} value {v!r} is not a string")
        elif len(v) > 63 or not LABEL_VALUE.match(v):
            out.append(f"{where}: bad label value {k}={v!r}")
    return out


def _pod_problems(where, pod, configmaps, need_probes):
    out = []
    spec = _get(pod, "spec") or {}
    out += _labels_problems(f"{where} pod", _get(pod, "metadata", "labels"))
    containers = spec.get("containers") or []
    if not containers:
        out.append(f"{where}: no containers")
    if _get(spec, "securityContext", "runAsNonRoot") is not True:
        out.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    volumes = {v.get("name") for v in spec.get("volumes") or []}
    for c in containers + (spec.get("initContainers") or []):
        cw = f"{where} container {c.get('name')}"
        if not c.get("name") or not DNS_LABEL.match(str(c.get("name"))):
            out.append(f"{cw}: bad container name")
        image = c.get("image")
        if not isinstance(image, str) or not re.match(r"^[^\s:]+(:[^\s:]+)?$", image) or image.endswith(":"):
            out.append(f"{cw}: bad image {image!r}")
        sc = c.get("securityContext") or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{cw}: allowPrivilegeEscalation is not false")
        if sc.get("readOnlyRootFilesystem") is not True:
            out.append(f"{cw}: readOnlyRootFilesystem is not true")
        for e in c.get("env") or []:
            if not isinstance(e.get("name"), str) or not e["name"]:
                out.append(f"{cw}: env entry without a name: {e}")
            if "value" in e and not isinstance(e["value"], str):
                out.append(f"{cw}: env {e.get('name')} value {e['value']!r} is not a string")
            if "value" in e and "valueFrom" in e:
                out.append(f"{cw}: env {e.get('name')} has both value and valueFrom")
        for src in c.get("envFrom") or []:
            ref = _get(src, "configMapRef", "name")
            if ref is not None and ref not in configmaps:
                out.append(f"{cw}: envFrom ConfigMap {ref} is not rendered")
        for a in (c.get("args") or []) + (c.get("command") or []):
            if not isinstance(a, str):
                out.append(f"{cw}: argument {a!r} is not a string")
        ports = {p.get("name") for p in c.get("ports") or []}
        for p in c.get("ports") or []:
            if not isinstance(p.get("containerPort"), int):
                out.append(f"{cw}: containerPort {p.get('containerPort')!r} is not an integer")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            port = _get(c, probe, "httpGet", "port")
            if isinstance(port, str) and port not in ports:
                out.append(f"{cw}: {probe} uses port {port}, not declared")
        if need_probes and c in containers:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in c:
                    out.append(f"{cw}: no {probe}")
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in volumes:
                out.append(f"{cw}: volumeMount {m.get('name')} has no volume")
        if c in containers and not c.get("resources"):
            out.append(f"{cw}: no resources")
    return out


def _selects(selector, labels):
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def loadgen_flags(root):
    """The options LoadGen's parser accepts (case "--x":), or None when its source is not there."""
    path = os.path.join(root or "", "bench", "LoadGen", "Cli", "LoadOptions.cs")
    if not root or not os.path.exists(path):
        return None
    return set(re.findall(r'case\s+"(--[a-z0-9-]+)"', open(path).read()))


def check_manifests(name, rendered, values, opts):
    problems = []
    docs = []
    for fname, text in rendered.items():
        if fname == "NOTES.txt":
            continue
        for i, raw in enumerate(split_docs(text)):
            if re.search(r"%!|<nil>", raw):
                problems.append(f"{fname}: printf/formatting error in output: "
                                f"{re.search(r'.*(%!|<nil>).*', raw).group().strip()}")
            if re.search(r"(?<![\w.])\d(?:\.\d+)?e\+\d\d(?![\w.])", raw):
                problems.append(f"{fname}: a number printed in exponent form (pass it through `int`)")
            try:
                loaded = [d for d in load_yaml_unique(raw) if d is not None]
            except yaml.YAMLError as e:
                problems.append(f"{fname} document {i + 1}: not valid YAML: {e}")
                continue
            for d in loaded:
                docs.append((fname, d))

    seen = set()
    for fname, d in docs:
        where = f"{fname}: {d.get('kind') if isinstance(d, dict) else '?'}"
        if not isinstance(d, dict):
            problems.append(f"{fname}: document is not a map")
            continue
        for field in ("apiVersion", "kind"):
            if not isinstance(d.get(field), str) or not d.get(field):
                problems.append(f"{where}: missing {field}")
        mname = _get(d, "metadata", "name")
        if not isinstance(mname, str) or not mname:
            problems.append(f"{where}: missing metadata.name")
            continue
        where = f"{fname}: {d['kind']}/{mname}"
        if len(mname) > 63 or not DNS_LABEL.match(mname):
            problems.append(f"{where}: name is not a DNS label of at most 63 characters")
        if (d["kind"], mname) in seen:
            problems.append(f"{where}: rendered twice")
        seen.add((d["kind"], mname))
        problems += _labels_problems(where, _get(d, "metadata", "labels"))
        if "namespace" in (d.get("metadata") or {}):
            problems.append(f"{where}: hard-coded namespace (let helm -n decide)")

    by_kind = {}
    for fname, d in docs:
        if isinstance(d, dict) and isinstance(_get(d, "metadata", "name"), str):
            by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    configmaps = by_kind.get("ConfigMap", {})
    deployments = by_kind.get("Deployment", {})
    services = by_kind.get("Service", {})

    for cname, cm in configmaps.items():
        for k, v in (cm.get("data") or {}).items():
            if not isinstance(v, str):
                problems.append(f"ConfigMap/{cname}: data.{k} = {v!r} is not a string")

    for kind in ("Deployment", "StatefulSet", "Job"):
        for wname, w in by_kind.get(kind, {}).items():
            where = f"{kind}/{wname}"
            tmpl = _get(w, "spec", "template") or {}
            component = _get(w, "metadata", "labels", "app.kubernetes.io/component")
            # The simulator serves no HTTP and so has no probes; a Job's pods run to completion.
            problems += _pod_problems(where, tmpl, configmaps, need_probes=kind != "Job" and component != "feedsim")
            if kind != "Job":
                sel = _get(w, "spec", "selector", "matchLabels")
                if not _selects(sel, _get(tmpl, "metadata", "labels")):
                    problems.append(f"{where}: selector {sel} does not match the pod template labels")

    # The gateway Deployment and what hangs off it.
    g = values["gateway"]
    gw = [d for d in deployments.values() if _get(d, "metadata", "labels", "app.kubernetes.io/component") == "gateway"]
    if len(gw) != 1:
        problems.append(f"expected one gateway Deployment, found {len(gw)}")
        return problems
    gw = gw[0]
    gname = gw["metadata"]["name"]
    pod = gw["spec"]["template"]
    podspec = pod["spec"]
    c = podspec["containers"][0]
    drain = int(g["drain"]["gracePeriodSeconds"])
    sleep = int(g["drain"]["preStopSleepSeconds"])
    want_tgps = sleep + drain + int(g["drain"]["marginSeconds"])
    if podspec.get("terminationGracePeriodSeconds") != want_tgps:
        problems.append(f"gateway terminationGracePeriodSeconds {podspec.get('terminationGracePeriodSeconds')!r}, "
                        f"expected preStop {sleep} + drain {drain} + margin = {want_tgps}")
    cm = configmaps.get(gname, {}).get("data") or {}
    want_ts = "%02d:%02d:%02d" % (drain // 3600, drain // 60 % 60, drain % 60)
    if cm.get("Gateway__DrainGracePeriod") != want_ts:
        problems.append(f"ConfigMap Gateway__DrainGracePeriod {cm.get('Gateway__DrainGracePeriod')!r}, expected {want_ts}")
    for key in ("Redis__ChannelPrefix", "Telemetry__OtlpEndpoint", "Feeds__Enabled", "Urls", "ASPNETCORE_URLS"):
        if key not in cm:
            problems.append(f"ConfigMap lacks {key}")
    if int(g["maxConnections"]) > 0 and cm.get("Gateway__MaxConnections") != str(int(g["maxConnections"])):
        problems.append(f"Gateway__MaxConnections {cm.get('Gateway__MaxConnections')!r}, expected {int(g['maxConnections'])}")
    if [e for e in c.get("env") or [] if e.get("name") == "Redis__ConnectionString"] == []:
        problems.append("gateway container has no Redis__ConnectionString")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        if _get(c, probe, "httpGet", "path") != path:
            problems.append(f"gateway {probe} does not GET {path}")
    pre = _get(c, "lifecycle", "preStop") or {}
    kube_minor = int(re.match(r"v?1\.(\d+)", opts.get("kube", "v1.31.0")).group(1))
    if kube_minor >= 30:
        if _get(pre, "sleep", "seconds") != sleep:
            problems.append(f"gateway preStop is not a native sleep of {sleep}s: {pre}")
    elif _get(pre, "exec", "command") != ["/usr/local/bin/sleep", str(sleep)]:
        problems.append(f"gateway preStop is not exec sleep {sleep} (Kubernetes < 1.30): {pre}")
    if values["autoscaling"]["enabled"] == ("replicas" in gw["spec"]):
        problems.append("gateway Deployment must set replicas exactly when autoscaling is off")
    if _get(gw, "spec", "strategy", "rollingUpdate", "maxUnavailable") not in (0, "0", "0%") \
            and str(g["rollingUpdate"]["maxUnavailable"]) in ("0", "0.0"):
        problems.append("gateway rollingUpdate.maxUnavailable is not 0")
    anti = _get(podspec, "affinity", "podAntiAffinity") or {}
    if not g["affinity"]:
        want = {"soft": "preferredDuringSchedulingIgnoredDuringExecution",
                "hard": "requiredDuringSchedulingIgnoredDuringExecution", "none": None}[g["podAntiAffinity"]]
        if want and want not in anti:
            problems.append(f"gateway pods lack {want} anti-affinity")
        if not want and anti:
            problems.append("gateway pods have anti-affinity although podAntiAffinity=none")
    elif _get(podspec, "affinity") != g["affinity"]:
        problems.append("gateway.affinity is not rendered verbatim")
    if g["topologySpread"]["enabled"] and not podspec.get("topologySpreadConstraints"):
        problems.append("topologySpread.enabled but no topologySpreadConstraints")
    tmpl_labels = _get(pod, "metadata", "labels")

    svc = services.get(gname)
    if not svc:
        problems.append(f"no Service named {gname}")
    else:
        if not _selects(_get(svc, "spec", "selector"), tmpl_labels):
            problems.append(f"Service/{gname} selector does not select the gateway pods")
        ports = {p.get("name") for p in c.get("ports") or []}
        for p in _get(svc, "spec", "ports") or []:
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in ports:
                problems.append(f"Service/{gname} targetPort {p['targetPort']} is not a container port")
            if not isinstance(p.get("port"), int):
                problems.append(f"Service/{gname} port {p.get('port')!r} is not an integer")
    for sname, s in services.items():
        sel = _get(s, "spec", "selector")
        if not any(_selects(sel, _get(d, "spec", "template", "metadata", "labels")) for d in deployments.values()):
            problems.append(f"Service/{sname} selects no rendered pods")

    for pname, pdb in by_kind.get("PodDisruptionBudget", {}).items():
        if not _selects(_get(pdb, "spec", "selector", "matchLabels"), tmpl_labels):
            problems.append(f"PodDisruptionBudget/{pname} does not select the gateway pods")
    if values["pdb"]["enabled"] != bool(by_kind.get("PodDisruptionBudget")):
        problems.append("PodDisruptionBudget rendered iff pdb.enabled: violated")

    hpas = by_kind.get("HorizontalPodAutoscaler", {})
    if values["autoscaling"]["enabled"] != bool(hpas):
        problems.append("HorizontalPodAutoscaler rendered iff autoscaling.enabled: violated")
    for hname, h in hpas.items():
        ref = _get(h, "spec", "scaleTargetRef") or {}
        if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
            problems.append(f"HPA/{hname} targets {ref}, not a rendered Deployment")
        if not (1 <= _get(h, "spec", "minReplicas", default=0) <= _get(h, "spec", "maxReplicas", default=0)):
            problems.append(f"HPA/{hname}: minReplicas/maxReplicas out of order")
        if h.get("apiVersion") != "autoscaling/v2" or not _get(h, "spec", "behavior", "scaleDown"):
            problems.append(f"HPA/{hname}: needs autoscaling/v2 with a scaleDown behaviour")

    for iname, ing in by_kind.get("Ingress", {}).items():
        ann = _get(ing, "metadata", "annotations") or {}
        want_timeout = str(int(values["ingress"]["websocketTimeoutSeconds"]))
        user = values["ingress"]["annotations"] or {}
        for k in ("nginx.ingress.kubernetes.io/proxy-read-timeout", "nginx.ingress.kubernetes.io/proxy-send-timeout"):
            if ann.get(k) != user.get(k, want_timeout):
                problems.append(f"Ingress/{iname}: {k} is {ann.get(k)!r}, expected {user.get(k, want_timeout)!r}")
        for k, v in ann.items():
            if not isinstance(v, str):
                problems.append(f"Ingress/{iname}: annotation {k} value {v!r} is not a string")
        for rule in _get(ing, "spec", "rules") or []:
            for p in _get(rule, "http", "paths") or []:
                backend = _get(p, "backend", "service") or {}
                target = services.get(backend.get("name"))
                if not target:
                    problems.append(f"Ingress/{iname}: backend service {backend.get('name')} is not rendered")
                elif _get(backend, "port", "name") not in {x.get("name") for x in _get(target, "spec", "ports") or []}:
                    problems.append(f"Ingress/{iname}: backend port {backend.get('port')} is not on the Service")

    jobs = by_kind.get("Job", {})
    lt = values["loadTest"]
    if lt["enabled"] != bool(jobs):
        problems.append("load-test Job rendered iff loadTest.enabled: violated")
    for jname, job in jobs.items():
        spec = job["spec"]
        pods = int(lt["parallelism"])
        if spec.get("parallelism") != pods or spec.get("completions") != pods:
            problems.append(f"Job/{jname}: parallelism/completions {spec.get('parallelism')}/{spec.get('completions')}, expected {pods}")
        if _get(spec, "template", "spec", "restartPolicy") != "Never":
            problems.append(f"Job/{jname}: restartPolicy is not Never")
        args = _get(spec, "template", "spec", "containers", default=[{}])[0].get("args") or []
        opts_ = {args[i]: args[i + 1] for i in range(0, len(args) - 1) if str(args[i]).startswith("--")}
        url = opts_.get("--url", "")
        m = re.match(r"^ws://([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)/ws$", url)
        if not m or m.group(1) not in services or m.group(2) != NAMESPACE:
            problems.append(f"Job/{jname}: --url {url!r} is not ws://<gateway service>.<namespace>.svc:<port>/ws")
        elif int(m.group(3)) not in [p.get("port") for p in _get(services[m.group(1)], "spec", "ports") or []]:
            problems.append(f"Job/{jname}: --url port {m.group(3)} is not the Service's")
        per_pod = -(-int(lt["connections"]) // pods)
        if opts_.get("--connections") != str(per_pod):
            problems.append(f"Job/{jname}: --connections {opts_.get('--connections')!r}, expected {per_pod} per pod")
        if per_pod > int(lt["maxConnectionsPerPod"]):
            problems.append(f"Job/{jname}: {per_pod} connections per pod is above maxConnectionsPerPod")
        for flag in ("--redis", "--topics", "--subs-per-conn", "--rate", "--duration", "--topic-prefix"):
            if not opts_.get(flag):
                problems.append(f"Job/{jname}: no {flag}")
        for flag, total in (("--topics", lt["topics"]), ("--rate", lt["rate"])):
            if opts_.get(flag) != str(-(-int(total) // pods)):
                problems.append(f"Job/{jname}: {flag} {opts_.get(flag)!r}, expected {total} split over {pods} pods")
        known = loadgen_flags(opts.get("root"))
        if known:
            extra = set(str(a) for a in lt["extraArgs"] or [])
            for a in args:
                if str(a).startswith("--") and a not in known and a not in extra:
                    problems.append(f"Job/{jname}: LoadGen has no option {a} (bench/LoadGen/Cli/LoadOptions.cs)")
        if "$(JOB_COMPLETION_INDEX)" not in opts_.get("--topic-prefix", "") or spec.get("completionMode") != "Indexed":
            problems.append(f"Job/{jname}: pods must publish into separate topic namespaces (Indexed Job, "
                            "--topic-prefix with $(JOB_COMPLETION_INDEX))")

    notes = rendered.get("NOTES.txt", "")
    if not notes.strip() or re.search(r"%!|<nil>", notes):
        problems.append("NOTES.txt renders empty or with formatting errors")
    return problems


# ---------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    chart = argv[1]
    meta, values, values_text, files = read_chart(chart)

    if len(argv) == 4 and argv[2] == "--render":
        over, opts = SCENARIOS[argv[3]]
        engine = gt.Engine()
        for path, src in files.items():
            engine.add_file(path, src)
        for fname, text in render(engine, meta, deep_merge(values, over), files, opts).items():
            print(f"# ---- {fname}\n{text}")
        return 0

    report = Report()
    report.check("Chart.yaml: apiVersion v2 with name, version, appVersion",
                 [None if meta.get("apiVersion") == "v2" else "apiVersion is not v2"]
                 + [None if meta.get(k) else f"no {k}" for k in ("name", "version", "appVersion")]
                 + [None if re.match(r"^\d+\.\d+\.\d+", str(meta.get("version"))) else "version is not SemVer"])
    report.check("values.yaml: every key has a comment", undocumented_keys(values_text))
    engine = check_static(report, values, values_text, files)
    if engine is None:
        report.check("render scenarios", ["skipped: a template does not parse (see above)"])
        print(f"(helmcheck totals) passed={report.passed} failed={report.failed}")
        return 1

    for name, (over, opts) in SCENARIOS.items():
        problems = override_problems(values, over)
        merged = deep_merge(values, over)
        try:
            rendered = render(engine, meta, merged, files, opts)
            problems += [f"a template reads .Values.{p}, which is not defined" for p in sorted(engine.missing_values)]
            problems += check_manifests(name, rendered, merged, dict(opts, root=repo_root(chart)))
            kinds = sorted({str(d.get("kind")) for t in rendered.values() for raw in split_docs(t)
                            for d in [_safe_first(raw)] if isinstance(d, dict)})
            label = f"render [{name}]: {', '.join(kinds)}"
        except gt.TemplateError as e:
            problems.append(f"rendering failed: {e}")
            label = f"render [{name}]"
        report.check(label, problems)

    for name, (over, fragment) in MUST_FAIL.items():
        problems = override_problems(values, over)
        try:
            render(engine, meta, deep_merge(values, over), files, {})
            problems.append("rendered, but the chart should have refused these values")
        except gt.FailError as e:
            if fragment not in str(e):
                problems.append(f"refused with {e!s}, expected a message containing {fragment!r}")
        except gt.TemplateError as e:
            problems.append(f"template error instead of a clear fail: {e}")
        report.check(f"refuses [{name}]", problems)

    print(f"(helmcheck totals) passed={report.passed} failed={report.failed}")
    return 1 if report.failed else 0


def repo_root(chart):
    """The repository holding the chart (deploy/helm/<chart>), for cross-checks against LoadGen."""
    return os.path.abspath(os.path.join(chart, "..", "..", ".."))


def _safe_first(raw):
    try:
        return next(iter(yaml.safe_load_all(raw)), None)
    except yaml.YAMLError:
        return None


def undocumented_keys(values_text):
    """Keys with no comment on their own line, the line above, or heading their block."""
    lines = values_text.splitlines()
    problems = []

    def walk(node, prefix, parent_commented):
        if not isinstance(node, yaml.MappingNode):
            return
        for k, v in node.value:
            p = f"{prefix}.{k.value}" if prefix else k.value
            ln = k.start_mark.line
            above = lines[ln - 1].strip() if ln > 0 else ""
            own = "#" in lines[ln].split(":", 1)[-1]
            commented = own or above.startswith("#")
            leaf = not isinstance(v, yaml.MappingNode) or not v.value
            if leaf and not commented and not parent_commented:
                problems.append(f"values.yaml:{ln + 1}: {p} has no comment")
            walk(v, p, (commented or parent_commented) and not leaf)
    walk(yaml.compose(values_text), "", False)
    return problems


if __name__ == "__main__":
    sys.exit(main(sys.argv))
