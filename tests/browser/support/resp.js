// A minimal Redis client (RESP2 over one TCP connection) for tests: enough for PUBLISH, FCALL and
// FUNCTION LOAD, without a dependency. Replies are matched to commands in order, as Redis answers them.
import net from 'node:net';

export class RedisError extends Error {}

export async function redisClient(port, host = '127.0.0.1') {
  const socket = net.connect({ port, host });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const waiting = [];
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const parsed = parse(buffer, 0);
      if (!parsed) break;
      buffer = buffer.subarray(parsed.end);
      const next = waiting.shift();
      if (parsed.value instanceof RedisError) next?.reject(parsed.value);
      else next?.resolve(parsed.value);
    }
  });
  socket.on('error', (err) => {
    for (const w of waiting.splice(0)) w.reject(err);
  });
  return {
    command(...args) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        socket.write(encode(args));
      });
    },
    close() {
      socket.destroy();
    },
  };
}

function encode(args) {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) {
    const text = String(arg);
    parts.push(`$${Buffer.byteLength(text)}\r\n${text}\r\n`);
  }
  return parts.join('');
}

function parse(buf, at) {
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return null;
  const kind = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RedisError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return null;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, end);
        if (!item) return null;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`unexpected RESP type ${kind}`);
  }
}
