// FX panel: a live table of every pair seen on fx.> and a chart of the selected one.
import uPlot from '../vendor/uPlot.esm.js';
import { el, num, signed, parseTs, clockTime, DASH } from './format.js';

/** Points kept per pair for the chart (at maxRate 4, five minutes). */
const HISTORY = 1200;

export const pipSize = (pair) => (/JPY$/.test(pair) ? 0.01 : 0.0001);
export const priceDigits = (pair) => (/JPY$/.test(pair) ? 3 : 5);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export class FxBoard {
  #loop;
  #tbody;
  #chartBox;
  #chartPair;
  #chartLast;
  #quotes = new Map();
  #rows = new Map();
  #changed = new Set();
  #selected = null;
  #chosen = false;
  #chart = null;
  #chartFor = null;

  constructor({ tbody, chartBox, chartPair, chartLast }, loop) {
    this.#loop = loop;
    this.#tbody = tbody;
    this.#chartBox = chartBox;
    this.#chartPair = chartPair;
    this.#chartLast = chartLast;
    tbody.addEventListener('click', (event) => {
      const row = event.target.closest('tr[data-pair]');
      if (row) this.select(row.dataset.pair);
    });
    tbody.addEventListener('keydown', (event) => {
      const row = event.target.closest('tr[data-pair]');
      if (row && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        this.select(row.dataset.pair);
      }
    });
    new ResizeObserver(() => this.#chart?.setSize(this.#chartSize())).observe(chartBox);
  }

  get selected() {
    return this.#selected;
  }

  onMessage(data, meta) {
    if (!data || typeof data !== 'object') return;
    const pair = typeof data.pair === 'string' && data.pair ? data.pair : meta.topic.split('.').slice(1).join('.');
    const bid = isNum(data.bid) ? data.bid : null;
    const ask = isNum(data.ask) ? data.ask : null;
    const mid = isNum(data.mid) ? data.mid : bid !== null && ask !== null ? (bid + ask) / 2 : null;
    let quote = this.#quotes.get(pair);
    if (!quote) {
      quote = { pair, bid: null, ask: null, mid: null, firstMid: null, dir: 0, ts: null, updates: 0, xs: [], bids: [], asks: [] };
      this.#quotes.set(pair, quote);
    }
    if (mid !== null) {
      if (quote.firstMid === null) quote.firstMid = mid;
      if (quote.mid !== null && mid !== quote.mid) quote.dir = mid > quote.mid ? 1 : -1;
    }
    quote.bid = bid;
    quote.ask = ask;
    quote.mid = mid;
    quote.ts = parseTs(data.ts);
    quote.updates++;
    const last = quote.xs.length ? quote.xs[quote.xs.length - 1] : -Infinity;
    quote.xs.push(Math.max(last, (quote.ts ?? Date.now()) / 1000));
    quote.bids.push(bid);
    quote.asks.push(ask);
    if (quote.xs.length > HISTORY * 1.25) {
      const cut = quote.xs.length - HISTORY;
      quote.xs.splice(0, cut);
      quote.bids.splice(0, cut);
      quote.asks.splice(0, cut);
    }
    this.#changed.add(pair);
    // Until someone picks a pair, chart EURUSD when it shows up, else the first pair seen.
    if (!this.#chosen && (this.#selected === null || (pair === 'EURUSD' && this.#selected !== pair))) {
      this.#selected = pair;
      for (const p of this.#quotes.keys()) this.#changed.add(p);
    }
    this.#loop.invalidate(this);
  }

  select(pair) {
    if (!this.#quotes.has(pair)) return;
    this.#chosen = true;
    if (pair === this.#selected) return;
    this.#selected = pair;
    this.#changed.add(pair);
    this.#loop.invalidate(this);
  }

  render() {
    const changed = [...this.#changed];
    this.#changed.clear();
    for (const pair of changed) this.#renderRow(this.#quotes.get(pair));
    for (const [pair, row] of this.#rows) row.tr.setAttribute('aria-selected', String(pair === this.#selected));
    if (this.#selected !== null && changed.includes(this.#selected)) this.#renderChart(this.#quotes.get(this.#selected));
  }

  #renderRow(quote) {
    let row = this.#rows.get(quote.pair);
    if (!row) row = this.#addRow(quote.pair);
    const digits = priceDigits(quote.pair);
    const pip = pipSize(quote.pair);
    const spread = quote.bid !== null && quote.ask !== null ? (quote.ask - quote.bid) / pip : null;
    const change = quote.mid !== null && quote.firstMid !== null ? (quote.mid - quote.firstMid) / pip : null;
    row.bid.textContent = num(quote.bid, digits);
    row.ask.textContent = num(quote.ask, digits);
    row.spread.textContent = num(spread, 1);
    row.change.textContent = signed(change, 1);
    row.change.dataset.sign = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
    row.tr.dataset.dir = quote.dir > 0 ? 'up' : quote.dir < 0 ? 'down' : 'flat';
    row.tr.dataset.updates = String(quote.updates);
    if (quote.dir !== 0 && row.lastMid !== quote.mid && row.lastMid !== undefined) {
      const colour = quote.dir > 0 ? 'rgba(46, 204, 113, 0.35)' : 'rgba(231, 76, 60, 0.35)';
      for (const cell of [row.bid, row.ask]) {
        cell.animate?.([{ backgroundColor: colour }, { backgroundColor: 'transparent' }], { duration: 500, easing: 'ease-out' });
      }
    }
    row.lastMid = quote.mid;
  }

  #addRow(pair) {
    this.#tbody.querySelector('tr.placeholder')?.remove();
    const cells = {
      name: el('th', { scope: 'row', text: pair.length === 6 ? `${pair.slice(0, 3)}/${pair.slice(3)}` : pair }),
      bid: el('td', { class: 'num bid', 'data-testid': `fx-bid-${pair}` }),
      ask: el('td', { class: 'num ask', 'data-testid': `fx-ask-${pair}` }),
      spread: el('td', { class: 'num spread', 'data-testid': `fx-spread-${pair}` }),
      change: el('td', { class: 'num change', 'data-testid': `fx-change-${pair}` }),
    };
    const tr = el('tr', { 'data-pair': pair, 'data-testid': `fx-row-${pair}`, tabindex: '0' }, cells.name, cells.bid, cells.ask, cells.spread, cells.change);
    const row = { tr, ...cells, lastMid: undefined };
    const before = [...this.#rows.keys()].filter((p) => p > pair).sort()[0];
    if (before !== undefined) this.#tbody.insertBefore(tr, this.#rows.get(before).tr);
    else this.#tbody.append(tr);
    this.#rows.set(pair, row);
    return row;
  }

  #chartSize() {
    const width = Math.max(200, Math.floor(this.#chartBox.clientWidth));
    return { width, height: width < 500 ? 180 : 240 };
  }

  #renderChart(quote) {
    if (this.#chartFor !== quote.pair) {
      this.#chart?.destroy();
      this.#chart = this.#createChart(quote.pair);
      this.#chartFor = quote.pair;
      this.#chartPair.textContent = quote.pair.length === 6 ? `${quote.pair.slice(0, 3)}/${quote.pair.slice(3)}` : quote.pair;
    }
    this.#chart.setData([quote.xs, quote.bids, quote.asks]);
    const digits = priceDigits(quote.pair);
    this.#chartLast.textContent = quote.mid === null ? DASH : `${num(quote.bid, digits)} / ${num(quote.ask, digits)} · ${clockTime(quote.ts ? new Date(quote.ts) : null)}`;
  }

  #createChart(pair) {
    const digits = priceDigits(pair);
    const axis = { stroke: '#8b93a7', grid: { stroke: 'rgba(255,255,255,0.06)' }, ticks: { stroke: 'rgba(255,255,255,0.1)' } };
    return new uPlot(
      {
        ...this.#chartSize(),
        scales: { x: { time: true } },
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          { label: 'bid', stroke: '#4fc3f7', width: 1.5, value: (u, v) => num(v, digits) },
          { label: 'ask', stroke: '#ffb74d', width: 1.5, value: (u, v) => num(v, digits) },
        ],
        axes: [
          {
            ...axis,
            space: 70,
            incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
            values: (u, values) => values.map((v) => clockTime(new Date(v * 1000))),
          },
          { ...axis, size: 72, values: (u, values) => values.map((v) => v.toFixed(digits)) },
        ],
      },
      [[], [], []],
      this.#chartBox,
    );
  }
}
