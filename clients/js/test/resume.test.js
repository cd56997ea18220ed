import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamPositions } from '../src/index.js';
import { fakeClient, message, flush } from '../testing/helpers.js';

test('positions accept increasing seqs and refuse repeats and older ones of the same epoch', () => {
  const positions = new StreamPositions();
  assert.equal(positions.accept('fx.EURUSD', 1, 'e1'), true);
  assert.equal(positions.accept('fx.EURUSD', 2, 'e1'), true);
  assert.equal(positions.accept('fx.EURUSD', 2, 'e1'), false);
  assert.equal(positions.accept('fx.EURUSD', 1, 'e1'), false);
  assert.equal(positions.accept('fx.EURUSD', 5, 'e1'), true, 'a jump forward is new (a gap, not a duplicate)');
  assert.deepEqual(positions.get('fx.EURUSD'), { seq: 5, epoch: 'e1' });
});

test('a new epoch starts over: its small seqs are new', () => {
  const positions = new StreamPositions();
  positions.accept('t', 900, 'e1');
  assert.equal(positions.accept('t', 1, 'e2'), true);
  assert.deepEqual(positions.get('t'), { seq: 1, epoch: 'e2' });
  assert.equal(positions.accept('t', 1, 'e2'), false);
});

test('messages without seq are always delivered and not recorded', () => {
  const positions = new StreamPositions();
  assert.equal(positions.accept('t', undefined, undefined), true);
  assert.equal(positions.accept('t', undefined, undefined), true);
  assert.equal(positions.size, 0);
});

test('topics are tracked independently and exported as the positions field', () => {
  const positions = new StreamPositions();
  positions.accept('smog.krakow.a', 3, 'e');
  positions.accept('smog.krakow.b', 9, 'f');
  assert.deepEqual(positions.toObject(), { 'smog.krakow.a': { seq: 3, epoch: 'e' }, 'smog.krakow.b': { seq: 9, epoch: 'f' } });
});

test('handlers never see a duplicate: repeats dropped and counted', async () => {
  const { client, ws } = await fakeClient();
  ws.serverOpen();
  const seen = [];
  const subscribed = client.subscribe('fx.EURUSD', (data, meta) => seen.push(meta.seq));
  ws.ackAll();
  await subscribed;
  ws.serverFrame(message('fx.EURUSD', {}, 1, 'e1'), message('fx.EURUSD', {}, 2, 'e1'), message('fx.EURUSD', {}, 2, 'e1'));
  ws.serverFrame(message('fx.EURUSD', {}, 1, 'e1'), message('fx.EURUSD', {}, 3, 'e1'));
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(client.stats.duplicates, 2);
  assert.equal(client.stats.messages, 3);
  client.close();
});

test('the same message through an exact and a pattern subscription reaches both (bookkeeping is per subscription)', async () => {
  const { client, ws } = await fakeClient();
  ws.serverOpen();
  const exact = [];
  const pattern = [];
  const subscribed = [client.subscribe('fx.EURUSD', (d, m) => exact.push([m.seq, m.pattern])), client.subscribe('fx.*', (d, m) => pattern.push([m.seq, m.pattern]))];
  ws.ackAll();
  await Promise.all(subscribed);
  ws.serverFrame(message('fx.EURUSD', {}, 7, 'e'), message('fx.EURUSD', {}, 7, 'e', 'fx.*'));
  assert.deepEqual(exact, [[7, null]]);
  assert.deepEqual(pattern, [[7, 'fx.*']]);
  client.close();
});

test('after a reconnect an exact topic resumes with since, a pattern with positions', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  let ws = FakeWebSocket.last;
  ws.serverOpen();
  client.subscribe('fx.EURUSD', () => {}, { snapshot: true, maxRate: 4 });
  client.subscribe('smog.krakow.*', () => {}, { snapshot: true });
  client.subscribe('news.none', () => {}, { snapshot: true });
  ws.ackAll();
  ws.serverFrame(
    message('fx.EURUSD', {}, 41, 'e1'),
    message('fx.EURUSD', {}, 42, 'e1'),
    message('smog.krakow.a', {}, 5, 'e2', 'smog.krakow.*'),
    message('smog.krakow.b', {}, 8, 'e2', 'smog.krakow.*'),
  );
  ws.serverClose(1006);
  await clock.advance(1000);
  ws = FakeWebSocket.last;
  assert.equal(FakeWebSocket.sockets.length, 2);
  ws.serverOpen();
  const bySubject = Object.fromEntries(ws.commands.map((c) => [c.topic, c]));
  assert.deepEqual(bySubject['fx.EURUSD'].since, { seq: 42, epoch: 'e1' });
  assert.equal(bySubject['fx.EURUSD'].snapshot, undefined, 'a resume replaces the snapshot');
  assert.equal(bySubject['fx.EURUSD'].maxRate, 4);
  assert.deepEqual(bySubject['smog.krakow.*'].positions, {
    'smog.krakow.a': { seq: 5, epoch: 'e2' },
    'smog.krakow.b': { seq: 8, epoch: 'e2' },
  });
  assert.equal(bySubject['smog.krakow.*'].snapshot, true, 'new topics of a pattern still want their snapshot');
  assert.equal(bySubject['news.none'].since, undefined, 'nothing seen: no since');
  assert.equal(bySubject['news.none'].snapshot, true);
  client.close();
});

test('the replay after a resume is delivered without the part already seen', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const seen = [];
  client.subscribe('fx.EURUSD', (d, m) => seen.push(m.seq));
  FakeWebSocket.last.ackAll();
  FakeWebSocket.last.serverFrame(message('fx.EURUSD', {}, 1, 'e'), message('fx.EURUSD', {}, 2, 'e'));
  FakeWebSocket.last.serverClose(1006);
  await clock.advance(1000);
  const ws = FakeWebSocket.last;
  ws.serverOpen();
  ws.ackAll();
  // A server may replay from an earlier point than asked; the client trims the overlap.
  ws.serverFrame(message('fx.EURUSD', {}, 2, 'e'), message('fx.EURUSD', {}, 3, 'e'), message('fx.EURUSD', {}, 4, 'e'));
  assert.deepEqual(seen, [1, 2, 3, 4]);
  client.close();
});

test('gap frames surface through the gap event and the stats', async () => {
  const { client, ws } = await fakeClient();
  ws.serverOpen();
  const gaps = [];
  client.on('gap', (g) => gaps.push(g));
  ws.serverFrame({ type: 'gap', topic: 'fx.EURUSD', recovered: false });
  await flush();
  assert.deepEqual(gaps, [{ type: 'gap', topic: 'fx.EURUSD', recovered: false }]);
  assert.equal(client.stats.gaps, 1);
  client.close();
});

test('a gap with the current position moves the resume point there', async () => {
  const { client, clock, FakeWebSocket } = await fakeClient();
  FakeWebSocket.last.serverOpen();
  const seen = [];
  const sub = client.subscribe('chat.>', (d, m) => seen.push(`${m.topic}#${m.seq}`));
  FakeWebSocket.last.ackAll();
  await sub;
  FakeWebSocket.last.serverFrame(
    message('chat.a', {}, 3, 'e1', 'chat.>'),
    { type: 'gap', topic: 'chat.a', pattern: 'chat.>', recovered: false, reason: 'history_trimmed', seq: 90, epoch: 'e1' },
    message('chat.a', {}, 91, 'e1', 'chat.>'),
    { type: 'gap', topic: 'chat.b', pattern: 'chat.>', recovered: false, reason: 'history_gone' },
  );
  assert.deepEqual(seen, ['chat.a#3', 'chat.a#91']);
  FakeWebSocket.last.serverClose(1006);
  await clock.advance(100);
  FakeWebSocket.last.serverOpen();
  assert.deepEqual(FakeWebSocket.last.commands[0].positions, { 'chat.a': { seq: 91, epoch: 'e1' } });
  client.close();
});

test('a gap whose position is behind what was seen (invalid_position) is believed', () => {
  const positions = new StreamPositions();
  positions.accept('t', 500, 'e');
  positions.reset('t', 20, 'e');
  assert.equal(positions.accept('t', 21, 'e'), true);
});
