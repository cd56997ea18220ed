import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, message, flush } from '../testing/helpers.js';

test('reconnects after a drop with jittered backoff and re-subscribes everything', async () => {
  const { client, clock, FakeWebSocket, states } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const got = [];
  const subs = [client.subscribe('fx.EURUSD', (d) => got.push(d.n)), client.subscribe('smog.>', () => {})];
  FakeWebSocket.last.ackAll();
  await Promise.all(subs);

  FakeWebSocket.last.serverClose(1006);
  assert.equal(client.state, 'reconnecting');
  // random 0.5 with full jitter: half of the 100 ms ceiling.
  await clock.advance(49);
  assert.equal(FakeWebSocket.sockets.length, 1);
  await clock.advance(1);
  assert.equal(FakeWebSocket.sockets.length, 2);

  const ws = FakeWebSocket.last;
  ws.serverOpen();
  assert.deepEqual(ws.commands.map((c) => [c.type, c.topic]), [['subscribe', 'fx.EURUSD'], ['subscribe', 'smog.>']]);
  ws.ackAll();
  ws.serverFrame(message('fx.EURUSD', { n: 1 }));
  assert.deepEqual(got, [1]);
  assert.deepEqual(states, ['open', 'reconnecting', 'open']);
  assert.equal(client.stats.reconnects, 1);
  assert.equal(client.stats.attempts, 2);
  client.close();
});

test('failed attempts walk up the schedule; a connection that stayed up resets it', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const waits = [];
  for (let i = 0; i < 6; i++) {
    FakeWebSocket.last.serverClose(1006);
    const before = clock.now;
    const count = FakeWebSocket.sockets.length;
    while (FakeWebSocket.sockets.length === count) await clock.advance(1);
    waits.push(clock.now - before);
  }
  // Ceilings 100, 200, 400, 800, 1600, 1600 (maxMs), halved by random 0.5.
  assert.deepEqual(waits, [50, 100, 200, 400, 800, 800]);

  FakeWebSocket.last.serverOpen();
  await clock.advance(5000);
  FakeWebSocket.last.serverClose(1006);
  const before = clock.now;
  await clock.advance(50);
  assert.equal(clock.now - before, 50);
  assert.equal(FakeWebSocket.last.readyState, 0, 'a new socket after the first step of the schedule');
  client.close();
});

test('a terminal close code stops reconnecting and reports why', async () => {
  const { client, clock, FakeWebSocket, errors, states } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const pending = client.subscribe('fx.EURUSD', () => {});
  FakeWebSocket.last.serverClose(4101, 'unauthorized');
  await assert.rejects(pending, { code: 'terminal_close', closeCode: 4101 });
  await clock.advance(60_000);
  assert.equal(FakeWebSocket.sockets.length, 1);
  assert.equal(client.state, 'closed');
  assert.deepEqual(states, ['open', 'closed']);
  assert.equal(errors.at(-1).closeCode, 4101);
});

test('4000-4099 reconnect; draining (4001) reconnects within the first step, with jitter', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient({ random: () => 0.25 });
  FakeWebSocket.last.serverOpen();
  FakeWebSocket.last.serverClose(4000, 'slow_consumer');
  await clock.advance(75);
  assert.equal(FakeWebSocket.sockets.length, 2);
  FakeWebSocket.last.serverOpen();
  FakeWebSocket.last.serverClose(4001, 'draining');
  await clock.advance(25); // random 0.25 * initialMs 100
  assert.equal(FakeWebSocket.sockets.length, 3);
  client.close();
});

test('token_expired (4003) fetches a fresh token before reconnecting', async () => {
  let n = 0;
  const { client, clock, FakeWebSocket } = await fakeClient({ token: 'first', refreshToken: async () => `fresh${++n}` });
  assert.equal(FakeWebSocket.last.url, 'ws://gw/ws?access_token=first');
  FakeWebSocket.last.serverOpen();
  FakeWebSocket.last.serverClose(4003, 'token_expired');
  await clock.advance(100);
  assert.equal(FakeWebSocket.last.url, 'ws://gw/ws?access_token=fresh1');
  FakeWebSocket.last.serverOpen();
  FakeWebSocket.last.serverClose(1006);
  await clock.advance(100);
  assert.equal(FakeWebSocket.last.url, 'ws://gw/ws?access_token=fresh1', 'an ordinary drop keeps the token');
  client.close();
});

test('pings every interval; no frame within the pong timeout forces a reconnect', async () => {
  const { client, clock, FakeWebSocket, errors } = await fakeClient({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
  const first = FakeWebSocket.last;
  first.serverOpen();
  await clock.advance(1000);
  assert.deepEqual(first.commands.map((c) => c.type), ['ping']);
  first.ackAll(); // pong
  await clock.advance(1000);
  assert.equal(first.commands.length, 2);
  await clock.advance(499);
  assert.equal(client.state, 'open');
  await clock.advance(1);
  assert.equal(client.state, 'reconnecting');
  assert.equal(first.closedWith.code, 4002);
  assert.equal(errors.at(-1).code, 'pong_timeout');
  await clock.advance(100);
  assert.equal(FakeWebSocket.sockets.length, 2);
  client.close();
});

test('any frame counts as life while a pong is awaited', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  const sub = client.subscribe('fx.EURUSD', () => {});
  ws.ackAll();
  await sub;
  await clock.advance(1400);
  ws.serverFrame(message('fx.EURUSD', {}));
  await clock.advance(500);
  assert.equal(client.state, 'open');
  client.close();
});

test('a socket that never opens is abandoned after the connect timeout', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient({ connectTimeoutMs: 2000 });
  await clock.advance(2000);
  assert.equal(FakeWebSocket.sockets[0].closedWith?.code, 4000);
  await clock.advance(50);
  assert.equal(FakeWebSocket.sockets.length, 2);
  assert.equal(client.state, 'connecting', 'never opened yet: still connecting, not reconnecting');
  client.close();
});

test('subscribe resolves on ack and rejects on an error frame, and a refused topic is not re-sent', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const good = client.subscribe('fx.EURUSD', () => {});
  const bad = client.subscribe('fx..bad', () => {});
  const [ok, refused] = FakeWebSocket.last.commands;
  FakeWebSocket.last.serverFrame({ type: 'ack', id: ok.id }, { type: 'error', id: refused.id, code: 'invalid_topic', message: 'empty segment' });
  const subscription = await good;
  assert.equal(subscription.topic, 'fx.EURUSD');
  await assert.rejects(bad, { code: 'invalid_topic', topic: 'fx..bad' });
  assert.deepEqual(client.subscriptions, ['fx.EURUSD']);
  FakeWebSocket.last.serverClose(1006);
  await clock.advance(100);
  FakeWebSocket.last.serverOpen();
  assert.deepEqual(FakeWebSocket.last.commands.map((c) => c.topic), ['fx.EURUSD']);
  client.close();
});

test('internal_error on subscribe is retried with backoff', async () => {
  const { client, clock, FakeWebSocket, errors } = await fakeClient();
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  const sub = client.subscribe('fx.EURUSD', () => {});
  ws.serverFrame({ type: 'error', id: ws.commands[0].id, code: 'internal_error', message: 'bus down' });
  await flush();
  assert.equal(errors.at(-1).code, 'internal_error');
  await clock.advance(50);
  assert.equal(ws.commands.length, 2);
  ws.serverFrame({ type: 'ack', id: ws.commands[1].id });
  await sub;
  client.close();
});

test('subscriptions made before the socket opens are sent on open; publishes wait in an outbox', async () => {
  const { client, FakeWebSocket } = await fakeClient();
  const sub = client.subscribe('fx.EURUSD', () => {});
  const published = client.publish('chat.a', { text: 'x' });
  assert.equal(FakeWebSocket.last.sent.length, 0);
  FakeWebSocket.last.serverOpen();
  assert.deepEqual(FakeWebSocket.last.commands.map((c) => c.type), ['subscribe', 'publish']);
  FakeWebSocket.last.ackAll();
  await sub;
  await published;
  client.close();
});

test('a publish in flight when the connection drops is rejected, not silently re-sent', async () => {
  const { client, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const published = client.publish('chat.a', 1);
  FakeWebSocket.last.serverClose(1006);
  await assert.rejects(published, { code: 'disconnected' });
  client.close();
});

test('commands without a reply time out', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient({ commandTimeoutMs: 300 });
  FakeWebSocket.last.serverOpen();
  const timedOut = assert.rejects(client.publish('chat.a', 1), { code: 'timeout' });
  await clock.advance(300);
  await timedOut;
  client.close();
});

test('handlers share one server subscription; it goes with the last handler', async () => {
  const { client, FakeWebSocket } = await fakeClient();
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  const a = [];
  const b = [];
  const pa = client.subscribe('fx.EURUSD', (d) => a.push(d));
  const pb = client.subscribe('fx.EURUSD', (d) => b.push(d));
  ws.ackAll();
  const [subA, subB] = await Promise.all([pa, pb]);
  assert.equal(ws.commands.length, 1, 'one subscribe on the wire');
  ws.serverFrame(message('fx.EURUSD', 1));
  subA.unsubscribe();
  ws.serverFrame(message('fx.EURUSD', 2));
  assert.equal(ws.commands.length, 1);
  const gone = subB.unsubscribe();
  assert.deepEqual(ws.commands.at(-1), { type: 'unsubscribe', topic: 'fx.EURUSD', id: ws.commands.at(-1).id });
  ws.serverFrame(message('fx.EURUSD', 3)); // already in flight: ignored
  ws.ackAll();
  await gone;
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2]);
  client.close();
});

test('a throwing handler is reported and does not stop other handlers or the connection', async () => {
  const { client, FakeWebSocket, errors } = await fakeClient();
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  const seen = [];
  client.subscribe('t.a', () => {
    throw new Error('boom');
  });
  client.on('message', (d) => seen.push(d));
  ws.ackAll();
  ws.serverFrame(message('t.a', 1), message('t.a', 2));
  assert.deepEqual(seen, [1, 2]);
  assert.equal(errors.filter((e) => e.message === 'boom').length, 2);
  client.close();
});

test('close() stops everything: state closed, no reconnect, later calls refused', async () => {
  const { client, clock, FakeWebSocket, states } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  client.close();
  assert.equal(client.state, 'closed');
  assert.deepEqual(FakeWebSocket.last.closedWith, { code: 1000, reason: 'normal' });
  await clock.advance(60_000);
  assert.equal(FakeWebSocket.sockets.length, 1);
  assert.deepEqual(states, ['open', 'closed']);
  await assert.rejects(client.subscribe('x', () => {}), { code: 'closed' });
  await assert.rejects(client.publish('x', 1), { code: 'closed' });
});

test('already_subscribed in answer to a re-sent subscribe counts as success', async () => {
  const { client, FakeWebSocket, errors } = await fakeClient();
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  const sub = client.subscribe('fx.EURUSD', () => {});
  ws.serverFrame({ type: 'error', id: ws.commands[0].id, code: 'already_subscribed', message: 'already' });
  await sub;
  assert.deepEqual(client.subscriptions, ['fx.EURUSD']);
  assert.equal(errors.length, 0);
  client.close();
});

test('a pending subscribe retry is dropped by a reconnect, which re-sends it once', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const sub = client.subscribe('fx.EURUSD', () => {});
  FakeWebSocket.last.serverFrame({ type: 'error', id: FakeWebSocket.last.commands[0].id, code: 'internal_error', message: 'bus down' });
  FakeWebSocket.last.serverClose(1006);
  await clock.advance(50);
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  await clock.advance(5_000); // past any retry, short of the command timeout
  assert.deepEqual(ws.commands.map((c) => c.type), ['subscribe']);
  ws.ackAll();
  await sub;
  client.close();
});
