// Socket.IO 4 baseline server for the PushGateway benchmarks.
// Rooms stand in for topics: a client emits `subscribe` (topic[, ack]) to join the room named after
// the topic; publishers reach rooms through Redis with @socket.io/redis-emitter, which the
// @socket.io/redis-adapter on every server node turns into local room broadcasts.
//
// Usage: node server.mjs [--port 5090] [--host 127.0.0.1] [--redis redis://127.0.0.1:6379]
//        (or PORT, HOST, REDIS_URL in the environment)
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "5090" },
    host: { type: "string", default: process.env.HOST ?? "127.0.0.1" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});

const redisUrl = values.redis.includes("://") ? values.redis : `redis://${values.redis}`;
const pubClient = createClient({ url: redisUrl });
const subClient = pubClient.duplicate();
for (const client of [pubClient, subClient]) {
  client.on("error", (err) => console.error("redis error:", err.message));
}
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
// Kept as close to Socket.IO's defaults as a fair comparison allows: websocket only (the load
// generator never long-polls), no per-message compression (also the default).
const io = new Server(httpServer, {
  transports: ["websocket"],
  perMessageDeflate: false,
  adapter: createAdapter(pubClient, subClient),
});

io.on("connection", (socket) => {
  socket.on("subscribe", (topic, ack) => {
    if (typeof topic === "string" && topic.length > 0) socket.join(topic);
    if (typeof ack === "function") ack({ ok: typeof topic === "string" && topic.length > 0 });
  });
  socket.on("unsubscribe", (topic, ack) => {
    if (typeof topic === "string") socket.leave(topic);
    if (typeof ack === "function") ack({ ok: true });
  });
});

httpServer.listen(Number(values.port), values.host, () => {
  console.log(`socket.io baseline listening on http://${values.host}:${values.port} (redis ${redisUrl}, pid ${process.pid})`);
});

const shutdown = () => {
  io.close();
  Promise.allSettled([pubClient.quit(), subClient.quit()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
