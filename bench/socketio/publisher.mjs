// Open-loop publisher for the Socket.IO baseline: emits to rooms through Redis with
// @socket.io/redis-emitter (`emitter.to(topic).emit("message", payload)`).
//
// The schedule is the load generator's (bench/LoadGen/Schedule.cs): message i is due at
// start + i/rate (piecewise over phases), goes to topic i % topics with seq floor(i / topics), and
// carries its *scheduled* send time `t` in microseconds since the Unix epoch, so latency measured
// by a receiver on the same machine is free of coordinated omission: a late publisher shows up as
// latency, never as a lower offered rate. The publisher never waits for deliveries.
//
// Usage: node publisher.mjs --redis redis://127.0.0.1:6379 --topics 100 --rate 1000 --duration 35
//          [--phases 1000:5,1000:30] [--payload-bytes 100] [--topic-prefix bench.t] [--start-at-us N]
//          [--first-index N]   (where the phases start in the run's global message numbering)
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";

const { values } = parseArgs({
  options: {
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    topics: { type: "string", default: "100" },
    "topic-prefix": { type: "string", default: "bench.t" },
    rate: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    phases: { type: "string" },
    "payload-bytes": { type: "string", default: "100" },
    "start-at-us": { type: "string" },
    "first-index": { type: "string", default: "0" },
  },
});

const topics = Number(values.topics);
const prefix = values["topic-prefix"];
const payloadBytes = Number(values["payload-bytes"]);
const phases = (values.phases ?? `${values.rate}:${values.duration}`).split(",").map((p) => {
  const [rate, seconds] = p.split(":").map(Number);
  return { rate, seconds };
});

const redisUrl = values.redis.includes("://") ? values.redis : `redis://${values.redis}`;
const client = createClient({ url: redisUrl });
client.on("error", (err) => console.error("redis error:", err.message));
await client.connect();
const emitter = new Emitter(client);

// Wall clock with sub-millisecond resolution: comparable with the C# receiver's DateTime.UtcNow.
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;
const startUs = values["start-at-us"] ? Number(values["start-at-us"]) : Math.ceil(nowUs() / 1000) * 1000 + 200_000;

// Same size as the C# payload builder: pad so the JSON text of the payload is payloadBytes long.
function payload(topic, seq, t) {
  const p = { topic, seq, t, pad: "" };
  const base = JSON.stringify(p).length;
  p.pad = "x".repeat(Math.max(0, payloadBytes - base));
  return p;
}

let index = Number(values["first-index"]);
let published = 0;
let maxLagUs = 0;
for (const phase of phases) {
  const count = Math.round(phase.rate * phase.seconds);
  const phaseStartUs = startUs + phases.slice(0, phases.indexOf(phase)).reduce((s, p) => s + p.seconds * 1e6, 0);
  for (let k = 0; k < count; ) {
    const dueUs = phaseStartUs + (k * 1e6) / phase.rate;
    const now = nowUs();
    if (dueUs > now) {
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, (dueUs - now) / 1000 - 0.5))));
      continue;
    }
    // Everything due by now goes out in one batch; node-redis pipelines the PUBLISHes.
    while (k < count && phaseStartUs + (k * 1e6) / phase.rate <= now) {
      const scheduled = Math.round(phaseStartUs + (k * 1e6) / phase.rate);
      const topicIndex = index % topics;
      const topic = prefix + topicIndex;
      emitter.to(topic).emit("message", payload(topic, Math.floor(index / topics), scheduled));
      maxLagUs = Math.max(maxLagUs, now - scheduled);
      index++;
      k++;
      published++;
    }
    // Let node-redis write the batch out before the next tick.
    await new Promise((r) => setImmediate(r));
  }
  // Empty phases (rate 0) are pauses.
  if (count === 0) await new Promise((r) => setTimeout(r, Math.max(0, (phaseStartUs + phase.seconds * 1e6 - nowUs()) / 1000)));
}
await client.quit();
console.log(JSON.stringify({ published, maxLagMs: Math.round(maxLagUs / 1000), startUs }));
