import { connect } from '../src/index.js';
import { FakeClock, fakeWebSocketClass, flush } from './fakes.js';

/** A client wired to a fake socket class and a fake clock; random fixed at 0.5 unless given. */
export async function fakeClient(options = {}) {
  const FakeWebSocket = fakeWebSocketClass();
  const clock = new FakeClock();
  const states = [];
  const errors = [];
  const client = connect('ws://gw/ws', {
    WebSocket: FakeWebSocket,
    timers: clock,
    now: () => clock.now,
    random: () => 0.5,
    pingIntervalMs: 0,
    backoff: { initialMs: 100, maxMs: 1600, factor: 2, jitter: 1, resetAfterMs: 5000 },
    ...options,
  });
  client.on('state', (s) => states.push(s));
  client.on('error', (e) => errors.push(e));
  await flush();
  return { client, FakeWebSocket, clock, states, errors, get ws() { return FakeWebSocket.last; } };
}

export const message = (topic, data, seq, epoch, pattern) => ({
  type: 'message',
  topic,
  ...(pattern ? { pattern } : {}),
  data,
  ...(seq !== undefined ? { seq, epoch } : {}),
});

export { flush };
