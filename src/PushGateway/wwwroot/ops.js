// The operator page: polls /stats once a second and turns its cumulative counters into rates.
// Plain script, no modules or libraries, and no request anywhere but this node's /stats.
(() => {
  'use strict';

  const POLL_MS = 1000;
  const HISTORY = 120; // points on the chart: two minutes
  const $ = (id) => document.getElementById(id);

  let previous = null;   // the last /stats document and when it arrived
  const series = { in: [], out: [] };

  const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  const fmt = (n) => (n == null || Number.isNaN(n) ? '–' : number.format(n));

  function bytes(n) {
    if (n == null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${number.format(n)} ${units[i]}`;
  }

  function duration(seconds) {
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    if (d) return `${d}d ${h}h ${m}m`;
    if (h) return `${h}h ${m}m`;
    if (m) return `${m}m ${s % 60}s`;
    return `${s}s`;
  }

  function ms(value) {
    if (value == null) return '–';
    if (value === Infinity) return '> 2.5 s';
    return value < 1 ? `${(value * 1000).toFixed(0)} µs` : value < 1000 ? `${fmt(value)} ms` : `${fmt(value / 1000)} s`;
  }

  // A quantile from histogram bucket counts, interpolated inside its bucket.
  function quantile(bounds, counts, q) {
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const rank = q * total;
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      if (seen + counts[i] >= rank && counts[i] > 0) {
        if (i >= bounds.length) return Infinity;
        const low = i === 0 ? 0 : bounds[i - 1];
        return low + (bounds[i] - low) * ((rank - seen) / counts[i]);
      }
      seen += counts[i];
    }
    return Infinity;
  }

  function setPill(el, state, text) {
    el.dataset.state = state;
    el.textContent = text;
  }

  function render(doc, now) {
    const s = doc.stats;
    $('node').textContent = `${doc.node} · ${doc.bus}`;
    if (doc.draining) setPill($('state'), 'warn', 'draining');
    else setPill($('state'), doc.ready ? 'ok' : 'bad', doc.ready ? 'ready' : 'not ready');
    if (doc.bus === 'in-process') setPill($('redis'), 'ok', 'in-process bus');
    else setPill($('redis'), s.busConnected ? 'ok' : 'bad', s.busConnected ? 'redis connected' : 'redis DISCONNECTED');
    $('readiness').textContent = doc.readiness ?? (doc.ready ? 'ready' : 'not ready');

    $('connections').textContent = fmt(s.connectionsCurrent);
    $('connections-sub').textContent = `${fmt(s.connectionsOpened)} opened since start`;
    $('subscriptions').textContent = fmt(s.subscriptions);
    $('topics').textContent = `${fmt(s.topics)} topics and patterns`;
    $('queue').textContent = bytes(s.queuedBytes);
    $('dispatch').textContent = `${fmt(s.dispatchQueue)} messages awaiting fan-out`;
    $('uptime').textContent = duration(doc.uptimeSeconds);
    $('rss').textContent = bytes(doc.process?.rssBytes);
    $('heap').textContent = bytes(doc.process?.gcHeapBytes);
    $('dropped').textContent = fmt(s.messagesDropped);
    $('conflated').textContent = fmt(s.messagesConflated);

    let closeRates = {};
    const dt = previous ? (now - previous.at) / 1000 : 0;
    // Rates need a real interval: a first sample, or two answers arriving together, give none.
    if (dt >= 0.25) {
      const p = previous.doc.stats;
      const rateIn = (s.busMessagesIn - p.busMessagesIn) / dt;
      const rateOut = (s.messagesDelivered - p.messagesDelivered) / dt;
      const frames = (s.framesWritten - p.framesWritten) / dt;
      $('rate-in').textContent = fmt(rateIn);
      $('rate-out').textContent = fmt(rateOut);
      $('frames').textContent = `${fmt(frames)} frames/s`;
      push(series.in, rateIn);
      push(series.out, rateOut);

      const cpu = doc.process && previous.doc.process
        ? (doc.process.cpuSeconds - previous.doc.process.cpuSeconds) / dt / doc.process.processorCount * 100
        : null;
      $('cpu').textContent = cpu == null ? '–' : `${fmt(cpu)} % of ${doc.process.processorCount} cores`;

      const lat = s.deliveryLatency, prevLat = p.deliveryLatency;
      if (lat && prevLat) {
        const window = lat.counts.map((c, i) => c - (prevLat.counts[i] ?? 0));
        const recent = window.some((c) => c > 0);
        const counts = recent ? window : lat.counts;
        $('latency').textContent = `${ms(quantile(lat.boundsMs, counts, 0.5))} / ${ms(quantile(lat.boundsMs, counts, 0.99))}`;
        $('latency-sub').textContent = recent ? 'p50 / p99, last second' : 'p50 / p99, since start (nothing delivered lately)';
      }
      for (const [reason, count] of Object.entries(s.connectionsClosed)) {
        closeRates[reason] = (count - (p.connectionsClosed[reason] ?? 0)) / dt;
      }
    }
    renderCloses(s.connectionsClosed, closeRates);
    drawChart();
    $('updated').textContent = `updated ${new Date(now).toLocaleTimeString()}`;
  }

  function renderCloses(closed, rates) {
    const body = $('closes').tBodies[0];
    const reasons = Object.keys(closed).sort();
    body.replaceChildren();
    if (reasons.length === 0) {
      const row = body.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 3; cell.className = 'muted'; cell.textContent = 'none yet';
      return;
    }
    for (const reason of reasons) {
      const row = body.insertRow();
      row.dataset.reason = reason;
      row.insertCell().textContent = reason;
      row.insertCell().textContent = fmt(closed[reason]);
      row.insertCell().textContent = rates[reason] == null ? '–' : fmt(rates[reason]);
    }
  }

  function push(list, value) {
    list.push(value);
    if (list.length > HISTORY) list.shift();
  }

  function drawChart() {
    const canvas = $('chart');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth * ratio, height = canvas.clientHeight * ratio;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const max = Math.max(1, ...series.in, ...series.out);
    const style = getComputedStyle(document.documentElement);
    ctx.fillStyle = style.getPropertyValue('--muted');
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.fillText(`${fmt(max)}/s`, 4 * ratio, 12 * ratio);
    for (const [name, color] of [['in', '--in'], ['out', '--out']]) {
      const points = series[name];
      ctx.strokeStyle = style.getPropertyValue(color);
      ctx.lineWidth = 1.5 * ratio;
      ctx.beginPath();
      points.forEach((v, i) => {
        const x = width - (points.length - 1 - i) * (width / (HISTORY - 1));
        const y = height - (v / max) * (height - 16 * ratio);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }

  async function poll() {
    try {
      const response = await fetch('stats', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const doc = await response.json();
      const now = Date.now();
      render(doc, now);
      previous = { doc, at: now };
    } catch (error) {
      setPill($('state'), 'bad', `unreachable (${error.message})`);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
