// Draws an S2 ramp as an SVG: per step, latency percentiles (log scale, left) and delivered/s
// (right) against the publish rate, for each report given (e.g. pushgw and socketio).
// No dependencies: node bench/plot-ramp.mjs s2-pushgw.json s2-socketio.json > docs/img/s2-ramp.svg
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/plot-ramp.mjs REPORT.json [REPORT.json ...] > plot.svg");
  process.exit(2);
}
const runs = files.map((f) => {
  const r = JSON.parse(readFileSync(f, "utf8"));
  return { name: r.label ?? r.target, phases: r.phases.filter((p) => p.measured && p.delivered > 0) };
});

const W = 900, H = 420, M = { l: 70, r: 80, t: 40, b: 50 };
const pw = W - M.l - M.r, ph = H - M.t - M.b;
const rates = runs.flatMap((r) => r.phases.map((p) => p.rate));
const maxRate = Math.max(...rates) * 1.05;
const lat = runs.flatMap((r) => r.phases.flatMap((p) => [p.latency.p50Ms, p.latency.p99Ms, p.latency.p999Ms])).filter((v) => v > 0);
const lmin = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...lat)))));
const lmax = Math.pow(10, Math.ceil(Math.log10(Math.max(...lat))));
const dmax = Math.max(...runs.flatMap((r) => r.phases.map((p) => p.deliveredPerSec))) * 1.1;

const x = (rate) => M.l + (rate / maxRate) * pw;
const yl = (ms) => M.t + ph - ((Math.log10(Math.max(ms, lmin)) - Math.log10(lmin)) / (Math.log10(lmax) - Math.log10(lmin))) * ph;
const yd = (d) => M.t + ph - (d / dmax) * ph;
const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
const dash = { p50Ms: "", p99Ms: "6,3", p999Ms: "2,3" };

const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">S2 ramp: latency percentiles (lines, left, log) and delivered/s (bars, right) vs publish rate</text>`);
for (let e = Math.log10(lmin); e <= Math.log10(lmax); e++) {
  const v = Math.pow(10, e), y = yl(v);
  out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${v} ms</text>`);
}
for (let i = 0; i <= 5; i++) {
  const d = (dmax / 5) * i;
  out.push(`<text x="${M.l + pw + 6}" y="${yd(d) + 4}">${Math.round(d / 1000)}k/s</text>`);
  const r = (maxRate / 5) * i;
  out.push(`<text x="${x(r)}" y="${M.t + ph + 18}" text-anchor="middle">${Math.round(r)}</text>`);
}
out.push(`<text x="${M.l + pw / 2}" y="${H - 10}" text-anchor="middle">publish rate (msg/s)</text>`);
out.push(`<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
runs.forEach((run, i) => {
  const c = colors[i % colors.length];
  const bw = Math.max(3, pw / (run.phases.length * runs.length * 3));
  for (const p of run.phases) {
    out.push(`<rect x="${x(p.rate) - bw * runs.length / 2 + i * bw}" y="${yd(p.deliveredPerSec)}" width="${bw}" height="${M.t + ph - yd(p.deliveredPerSec)}" fill="${c}" opacity="0.25"/>`);
  }
  for (const key of ["p50Ms", "p99Ms", "p999Ms"]) {
    const pts = run.phases.map((p) => `${x(p.rate).toFixed(1)},${yl(p.latency[key]).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2" stroke-dasharray="${dash[key]}"/>`);
  }
  out.push(`<text x="${M.l + 10}" y="${M.t + 16 + i * 16}" fill="${c}">${run.name}: solid p50, dashed p99, dotted p99.9</text>`);
});
out.push("</svg>");
console.log(out.join("\n"));
