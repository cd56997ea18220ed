import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as msgpack from '@msgpack/msgpack';
import { connect, decodeJsonFrame, decodeMsgpackFrame, SUBPROTOCOLS } from '../src/index.js';
import { FakeClock, fakeWebSocketClass, flush } from '../testing/fakes.js';

test('a JSON frame is split on newlines into its objects', () => {
  const frame = '{"type":"ack","id":1}\n{"type":"message","topic":"fx.EURUSD","data":{"bid":1.1}}\n{"type":"pong","id":"p"}';
  assert.deepEqual(decodeJsonFrame(frame), [
    { type: 'ack', id: 1 },
    { type: 'message', topic: 'fx.EURUSD', data: { bid: 1.1 } },
    { type: 'pong', id: 'p' },
  ]);
});

test('a single-object frame, and empty lines, are handled', () => {
  assert.deepEqual(decodeJsonFrame('{"type":"ack","id":1}'), [{ type: 'ack', id: 1 }]);
  assert.deepEqual(decodeJsonFrame('\n{"a":1}\n\n'), [{ a: 1 }]);
  assert.deepEqual(decodeJsonFrame(''), []);
});

test('newlines inside JSON strings are escaped on the wire, so splitting is safe', () => {
  const text = JSON.stringify({ type: 'message', topic: 't', data: 'line1\nline2' }) + '\n' + JSON.stringify({ type: 'ack', id: 2 });
  const [message, ack] = decodeJsonFrame(text);
  assert.equal(message.data, 'line1\nline2');
  assert.equal(ack.id, 2);
});

test('a broken line is reported and the rest of the frame still decodes', () => {
  const errors = [];
  const out = decodeJsonFrame('{"a":1}\n{broken\n{"b":2}', (e) => errors.push(e));
  assert.deepEqual(out, [{ a: 1 }, { b: 2 }]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'invalid_frame');
});

test('a MessagePack frame of maps written back to back decodes into each map', () => {
  const a = msgpack.encode({ type: 'ack', id: 1 });
  const b = msgpack.encode({ type: 'message', topic: 'fx.EURUSD', data: { bid: 1.08421 }, seq: 7, epoch: 'e1' });
  const frame = new Uint8Array(a.length + b.length);
  frame.set(a, 0);
  frame.set(b, a.length);
  assert.deepEqual(decodeMsgpackFrame(frame.buffer, msgpack), [
    { type: 'ack', id: 1 },
    { type: 'message', topic: 'fx.EURUSD', data: { bid: 1.08421 }, seq: 7, epoch: 'e1' },
  ]);
});

test('the msgpack client offers pushgw.msgpack, sends binary commands and splits binary frames', async () => {
  const FakeWebSocket = fakeWebSocketClass();
  const clock = new FakeClock();
  const client = connect('ws://gw/ws', { protocol: 'msgpack', msgpack, WebSocket: FakeWebSocket, timers: clock, now: () => clock.now, pingIntervalMs: 0 });
  await flush();
  const ws = FakeWebSocket.last;
  assert.deepEqual(ws.protocols, [SUBPROTOCOLS.msgpack]);
  assert.equal(ws.binaryType, 'arraybuffer');
  ws.serverOpen();

  const got = [];
  const subscribed = client.subscribe('fx.>', (data, meta) => got.push([data, meta.topic]));
  const command = msgpack.decode(ws.sent[0]);
  assert.deepEqual(command, { type: 'subscribe', topic: 'fx.>', id: command.id });

  const parts = [
    msgpack.encode({ type: 'ack', id: command.id }),
    msgpack.encode({ type: 'message', topic: 'fx.EURUSD', pattern: 'fx.>', data: { bid: 1 } }),
    msgpack.encode({ type: 'message', topic: 'fx.GBPUSD', pattern: 'fx.>', data: { bid: 2 } }),
  ];
  const frame = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    frame.set(p, at);
    at += p.length;
  }
  ws.serverSend(frame.buffer);
  await subscribed;
  assert.deepEqual(got, [[{ bid: 1 }, 'fx.EURUSD'], [{ bid: 2 }, 'fx.GBPUSD']]);
  client.close();
});

test('the msgpack codec is imported lazily when not injected', async () => {
  const FakeWebSocket = fakeWebSocketClass();
  const client = connect('ws://gw/ws', { protocol: 'msgpack', WebSocket: FakeWebSocket, pingIntervalMs: 0 });
  await flush();
  assert.deepEqual(FakeWebSocket.last.protocols, [SUBPROTOCOLS.msgpack]);
  client.close();
});

test('the JSON client offers pushgw.json and sends one JSON command per frame', async () => {
  const FakeWebSocket = fakeWebSocketClass();
  const client = connect('ws://gw/ws', { WebSocket: FakeWebSocket, pingIntervalMs: 0 });
  await flush();
  const ws = FakeWebSocket.last;
  assert.deepEqual(ws.protocols, [SUBPROTOCOLS.json]);
  ws.serverOpen();
  const subscribed = client.subscribe('fx.EURUSD', () => {}, { snapshot: true, maxRate: 4 });
  const published = client.publish('chat.room1', { text: 'hi' });
  assert.deepEqual(ws.commands, [
    { type: 'subscribe', topic: 'fx.EURUSD', id: 1, maxRate: 4, snapshot: true },
    { type: 'publish', topic: 'chat.room1', data: { text: 'hi' }, id: 2 },
  ]);
  client.close();
  await assert.rejects(subscribed, { code: 'closed' });
  await assert.rejects(published, { code: 'closed' });
});
