// The dashboard's composition root: one client, three panels, one render loop.
import { connect } from '/client/index.js';
import { RenderLoop } from './render-loop.js';
import { FxBoard } from './fx.js';
import { SmogBoard } from './smog.js';
import { TopicConsole } from './topics.js';

const $ = (id) => document.getElementById(id);
const STATE_LABELS = { connecting: 'connecting', open: 'connected', reconnecting: 'reconnecting', closed: 'disconnected' };

// ?ws=ws://host:port/ws points the page at another gateway (local development).
const params = new URLSearchParams(location.search);
const client = connect(params.get('ws') ?? '/ws', {
  backoff: { initialMs: 250, maxMs: 5_000 },
  pingIntervalMs: 10_000,
  pongTimeoutMs: 8_000,
});

const loop = new RenderLoop();
const fx = new FxBoard({ tbody: $('fx-rows'), chartBox: $('fx-chart'), chartPair: $('fx-chart-pair'), chartLast: $('fx-chart-last') }, loop);
const smog = new SmogBoard({ root: $('smog-cities'), banner: $('smog-alert-banner'), summary: $('smog-alert-summary'), alertList: $('smog-alerts') }, loop);
const topics = new TopicConsole(client, { form: $('topic-form'), input: $('topic-input'), error: $('topic-error'), subsList: $('topic-subs'), log: $('raw-log') }, loop);

const header = {
  state: client.state,
  rate: 0,
  render() {
    const status = $('conn-status');
    status.dataset.state = this.state;
    status.textContent = STATE_LABELS[this.state] ?? this.state;
    const stats = client.stats;
    $('msg-rate').textContent = this.rate >= 100 ? Math.round(this.rate).toString() : this.rate.toFixed(1);
    $('reconnects').textContent = String(stats.reconnects);
    $('gaps').textContent = String(stats.gaps);
  },
};

client.on('state', (state) => {
  header.state = state;
  loop.invalidate(header);
});
client.on('gap', (gap) => {
  console.warn('gap on', gap.topic, gap);
  loop.invalidate(header);
});
client.on('error', (err) => console.warn('pushgateway:', err.code ?? '', err.message));

// Messages per second over a sliding second, sampled from the client's own counter.
let lastCount = 0;
let lastAt = performance.now();
setInterval(() => {
  const now = performance.now();
  const count = client.stats.messages;
  header.rate = ((count - lastCount) * 1000) / Math.max(1, now - lastAt);
  lastCount = count;
  lastAt = now;
  loop.invalidate(header);
}, 1000);

client.subscribe('fx.>', (data, meta) => fx.onMessage(data, meta), { snapshot: true, maxRate: 4 }).catch((err) => console.error('fx.>', err));
client.subscribe('smog.>', (data, meta) => smog.onMessage(data, meta), { snapshot: true }).catch((err) => console.error('smog.>', err));
loop.invalidate(header);

// For tests and for poking at it from the console.
window.pushgw = { client, fx, smog, topics };
