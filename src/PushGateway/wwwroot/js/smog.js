// Air-quality panel: stations grouped by city, coloured by EEA AQI band, with a pm2.5 sparkline
// each, an alert list of stations at "poor" or worse, and stale or flagged stations greyed out.
import { el, num, ago, parseTs, clockTime, DASH } from './format.js';

export const BANDS = ['good', 'fair', 'moderate', 'poor', 'very poor', 'extremely poor'];
const ALERT_FROM = BANDS.indexOf('poor');
/** A station is stale after this many of its usual intervals without a reading. */
export const STALE_FACTOR = 5;
/** Until a station's interval is known: the median of the others', else this. */
const DEFAULT_INTERVAL_MS = 60_000;
const MIN_STALE_MS = 3_000;
const SPARK_POINTS = 60;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const bandIndex = (band) => BANDS.indexOf(typeof band === 'string' ? band.toLowerCase() : '');
const slug = (band) => band.replace(/\s+/g, '-');
const POLLUTANTS = { pm25: 'PM2.5', pm10: 'PM10', no2: 'NO₂', o3: 'O₃', so2: 'SO₂' };

/** Station state from its readings; `now` is the page clock (performance.now based). */
export class Station {
  constructor(topic) {
    this.topic = topic;
    this.data = null;
    this.lastSeen = null;
    this.intervalMs = null;
    this.history = [];
  }

  update(data, now) {
    if (this.lastSeen !== null) {
      const gap = now - this.lastSeen;
      // Smoothed: one slow or bursty arrival does not swing the stale threshold.
      if (gap > 0) this.intervalMs = this.intervalMs === null ? gap : this.intervalMs * 0.8 + gap * 0.2;
    }
    this.lastSeen = now;
    this.data = data;
    this.history.push(isNum(data.pm25) ? data.pm25 : null);
    if (this.history.length > SPARK_POINTS) this.history.shift();
  }

  get band() {
    const band = this.data?.aqi?.band;
    return bandIndex(band) >= 0 ? band.toLowerCase() : null;
  }

  get flags() {
    return Array.isArray(this.data?.flags) ? this.data.flags.filter((f) => typeof f === 'string') : [];
  }

  /** Why the station's values cannot be trusted now, or null. */
  staleness(now, fallbackIntervalMs) {
    const interval = this.intervalMs ?? fallbackIntervalMs;
    const silent = now - this.lastSeen;
    if (silent > Math.max(MIN_STALE_MS, STALE_FACTOR * interval)) return `no update for ${ago(silent)}`;
    if (this.flags.length) return this.flags.join(', ');
    return null;
  }
}

export class SmogBoard {
  #loop;
  #root;
  #banner;
  #summary;
  #alertList;
  #stations = new Map();
  #cards = new Map();
  #cities = new Map();
  #changed = new Set();
  #alertKey = '';

  constructor({ root, banner, summary, alertList }, loop) {
    this.#loop = loop;
    this.#root = root;
    this.#banner = banner;
    this.#summary = summary;
    this.#alertList = alertList;
    // Staleness changes with time alone, so look again every second even with no messages.
    setInterval(() => this.#loop.invalidate(this), 1000);
  }

  get stations() {
    return this.#stations;
  }

  onMessage(data, meta) {
    if (!data || typeof data !== 'object') return;
    let station = this.#stations.get(meta.topic);
    if (!station) {
      station = new Station(meta.topic);
      this.#stations.set(meta.topic, station);
    }
    station.update(data, performance.now());
    this.#changed.add(meta.topic);
    this.#loop.invalidate(this);
  }

  render() {
    const now = performance.now();
    const fallback = this.#medianInterval();
    for (const topic of this.#changed) this.#renderCard(this.#stations.get(topic), now, fallback, true);
    this.#changed.clear();
    for (const [topic, station] of this.#stations) {
      const stale = station.staleness(now, fallback);
      const card = this.#cards.get(topic);
      if ((card.dataset.stale === 'true') !== (stale !== null)) this.#renderCard(station, now, fallback, false);
    }
    this.#renderAlerts(now, fallback);
  }

  #medianInterval() {
    const known = [...this.#stations.values()].map((s) => s.intervalMs).filter((v) => v !== null).sort((a, b) => a - b);
    return known.length ? known[Math.floor(known.length / 2)] : DEFAULT_INTERVAL_MS;
  }

  #cityOf(station) {
    const data = station.data;
    const key = typeof data.city === 'string' && data.city ? data.city : station.topic.split('.')[1] ?? 'unknown';
    let label = key.charAt(0).toUpperCase() + key.slice(1);
    if (typeof data.name === 'string' && data.name.includes(',')) label = data.name.split(',')[0].trim();
    return { key, label };
  }

  #cityContainer(station) {
    const { key, label } = this.#cityOf(station);
    let city = this.#cities.get(key);
    if (city) return city.list;
    this.#root.querySelector('.placeholder')?.remove();
    const list = el('div', { class: 'stations' });
    const section = el('section', { class: 'city', 'data-city': key, 'data-testid': `city-${key}` }, el('h3', { text: label }), list);
    const before = [...this.#cities.keys()].filter((k) => k > key).sort()[0];
    if (before !== undefined) this.#root.insertBefore(section, this.#cities.get(before).section);
    else this.#root.append(section);
    city = { section, list };
    this.#cities.set(key, city);
    return list;
  }

  #renderCard(station, now, fallback, withValues) {
    let card = this.#cards.get(station.topic);
    if (!card) {
      card = this.#createCard(station);
      this.#cards.set(station.topic, card);
    }
    const stale = station.staleness(now, fallback);
    card.dataset.stale = String(stale !== null);
    card.parts.status.textContent = stale ?? '';
    card.title = stale ? `${station.topic}: ${stale}` : station.topic;
    if (!withValues) return;
    const d = station.data;
    const band = station.band;
    card.dataset.band = band ?? 'unknown';
    card.parts.band.textContent = band ?? 'no index';
    card.parts.band.dataset.band = band ?? 'unknown';
    card.parts.pollutant.textContent = d.aqi?.pollutant ? `by ${POLLUTANTS[d.aqi.pollutant] ?? d.aqi.pollutant}` : '';
    card.parts.pm25.textContent = num(d.pm25, 1);
    card.parts.pm10.textContent = num(d.pm10, 1);
    card.parts.no2.textContent = num(d.no2, 1);
    card.parts.o3.textContent = num(d.o3, 1);
    card.parts.temp.textContent = isNum(d.temperature) ? `${d.temperature.toFixed(1)}°C` : DASH;
    card.parts.humidity.textContent = isNum(d.humidity) ? `${Math.round(d.humidity)}%` : DASH;
    card.parts.time.textContent = clockTime(new Date(parseTs(d.ts) ?? NaN));
    drawSparkline(card.parts.spark, station.history, band);
  }

  #createCard(station) {
    const d = station.data;
    const name = typeof d.name === 'string' && d.name ? (d.name.includes(',') ? d.name.split(',').slice(1).join(',').trim() : d.name) : station.topic.split('.').pop();
    const reading = (label, key) => {
      const value = el('dd', { 'data-testid': `${key}-${station.topic}` });
      return [el('div', { class: `reading ${key}` }, el('dt', { text: label }), value), value];
    };
    const [pm25Box, pm25] = reading('PM2.5', 'pm25');
    const [pm10Box, pm10] = reading('PM10', 'pm10');
    const [no2Box, no2] = reading('NO₂', 'no2');
    const [o3Box, o3] = reading('O₃', 'o3');
    const parts = {
      band: el('span', { class: 'band' }),
      pollutant: el('span', { class: 'pollutant' }),
      pm25, pm10, no2, o3,
      temp: el('span', { class: 'temp' }),
      humidity: el('span', { class: 'humidity' }),
      time: el('time'),
      status: el('span', { class: 'stale-reason', 'data-testid': `stale-${station.topic}` }),
      spark: el('canvas', { class: 'spark', width: 240, height: 48, 'aria-hidden': 'true' }),
    };
    const card = el(
      'article',
      { class: 'station', 'data-topic': station.topic, 'data-testid': `station-${station.topic}` },
      el('header', {}, el('span', { class: 'station-name', text: name }), parts.band),
      el('dl', { class: 'readings' }, pm25Box, pm10Box, no2Box, o3Box),
      parts.spark,
      el('footer', {}, parts.temp, parts.humidity, parts.pollutant, parts.time, parts.status),
    );
    card.parts = parts;
    const list = this.#cityContainer(station);
    const before = [...list.children].find((c) => c.dataset.topic > station.topic);
    list.insertBefore(card, before ?? null);
    return card;
  }

  #renderAlerts(now, fallback) {
    const alerts = [...this.#stations.values()]
      .filter((s) => bandIndex(s.band) >= ALERT_FROM)
      .sort((a, b) => bandIndex(b.band) - bandIndex(a.band) || a.topic.localeCompare(b.topic));
    const key = alerts.map((s) => `${s.topic}:${s.band}:${s.staleness(now, fallback) !== null}`).join('|');
    if (key === this.#alertKey) return;
    this.#alertKey = key;
    this.#banner.hidden = alerts.length === 0;
    const worst = alerts[0]?.band;
    this.#banner.dataset.band = worst ?? '';
    this.#summary.textContent = alerts.length === 0 ? '' : `${alerts.length} station${alerts.length === 1 ? '' : 's'} at "poor" air quality or worse`;
    this.#alertList.replaceChildren(
      ...alerts.map((s) => {
        const stale = s.staleness(now, fallback) !== null;
        return el(
          'li',
          { 'data-topic': s.topic, 'data-band': s.band, 'data-testid': `alert-${s.topic}` },
          el('span', { class: 'band', 'data-band': s.band, text: s.band }),
          ` ${s.data?.name ?? s.topic}`,
          stale ? el('span', { class: 'stale-reason', text: ' (stale)' }) : '',
        );
      }),
    );
  }
}

const BAND_COLOURS = {
  good: '#50f0e6',
  fair: '#50ccaa',
  moderate: '#f0e641',
  poor: '#ff5050',
  'very poor': '#960032',
  'extremely poor': '#7d2181',
};

export function drawSparkline(canvas, values, band) {
  // Match the backing store to the displayed size, so the line is neither blurred nor stretched.
  const ratio = globalThis.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth || 240;
  const cssHeight = canvas.clientHeight || 28;
  if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const width = cssWidth;
  const height = cssHeight;
  ctx.clearRect(0, 0, width, height);
  const points = values.map((v, i) => [i, v]).filter(([, v]) => v !== null);
  if (points.length < 2) return;
  let min = Infinity;
  let max = -Infinity;
  for (const [, v] of points) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max - min < 1) {
    max += 0.5;
    min -= 0.5;
  }
  const pad = 3;
  const x = (i) => pad + (i / (SPARK_POINTS - 1)) * (width - 2 * pad);
  const y = (v) => height - pad - ((v - min) / (max - min)) * (height - 2 * pad);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = BAND_COLOURS[band] ?? '#8b93a7';
  ctx.beginPath();
  let drawing = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      drawing = false;
      continue;
    }
    if (drawing) ctx.lineTo(x(i), y(v));
    else ctx.moveTo(x(i), y(v));
    drawing = true;
  }
  ctx.stroke();
  const [li, lv] = points[points.length - 1];
  ctx.fillStyle = ctx.strokeStyle;
  ctx.beginPath();
  ctx.arc(x(li), y(lv), 2.5, 0, Math.PI * 2);
  ctx.fill();
}
