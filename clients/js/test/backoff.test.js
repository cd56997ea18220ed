import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, classifyClose, DEFAULT_BACKOFF } from '../src/index.js';

const backoff = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 1 };

test('without jitter the ceiling doubles from initialMs and stops at maxMs', () => {
  const delays = [0, 1, 2, 3, 4, 5, 10, 2000].map((attempt) => backoffDelay(attempt, { ...backoff, jitter: 0 }, () => 0.5));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000, 1000]);
});

test('full jitter stays within (0, ceiling] for the extremes of Math.random', () => {
  for (const attempt of [0, 1, 2, 3, 8]) {
    const ceiling = Math.min(1000, 100 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, backoff, () => 0), ceiling, 'random 0 gives the ceiling');
    const low = backoffDelay(attempt, backoff, () => 0.999999);
    assert.ok(low > 0 && low < ceiling * 0.001, `random near 1 gives nearly 0, got ${low}`);
    assert.equal(backoffDelay(attempt, backoff, () => 0.5), ceiling / 2);
  }
});

test('partial jitter randomises only its share of the ceiling', () => {
  const options = { ...backoff, jitter: 0.25 };
  assert.equal(backoffDelay(2, options, () => 0), 400);
  assert.equal(backoffDelay(2, options, () => 1), 300);
  assert.equal(backoffDelay(2, { ...backoff, jitter: true }, () => 1), 0);
  assert.equal(backoffDelay(2, { ...backoff, jitter: false }, () => 1), 400);
});

test('many draws with the real Math.random stay in bounds and spread out', () => {
  const draws = Array.from({ length: 2000 }, () => backoffDelay(3, backoff));
  assert.ok(draws.every((d) => d > 0 && d <= 800));
  assert.ok(Math.min(...draws) < 100 && Math.max(...draws) > 700, 'full jitter covers the range');
});

test('defaults are 500 ms doubling to 30 s with full jitter', () => {
  assert.equal(backoffDelay(0, undefined, () => 0), DEFAULT_BACKOFF.initialMs);
  assert.equal(backoffDelay(100, {}, () => 0), 30_000);
});

test('close codes: 4000-4099 reconnect, 4100-4199 terminal, RFC codes by meaning', () => {
  for (const code of [4000, 4001, 4002, 4003, 4004, 4099, 1000, 1001, 1006, 1011, 1012, 1013]) {
    assert.equal(classifyClose(code), 'reconnect', `code ${code}`);
  }
  for (const code of [4100, 4101, 4199, 1002, 1008, 1009]) {
    assert.equal(classifyClose(code), 'terminal', `code ${code}`);
  }
});
