// PushGateway JavaScript client: WebSocket protocol v1 (docs/protocol.md).
// Plain ES module, no runtime dependencies; MessagePack needs @msgpack/msgpack, injected or
// imported lazily, so the JSON path loads nothing else.

export const SUBPROTOCOLS = Object.freeze({ json: 'pushgw.json', msgpack: 'pushgw.msgpack' });

/** Full jitter by default: each wait is uniform in (0, ceiling], so a crowd of clients spreads out. */
export const DEFAULT_BACKOFF = Object.freeze({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 1, resetAfterMs: 5_000 });

const DEFAULTS = Object.freeze({
  protocol: 'json',
  pingIntervalMs: 15_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 10_000,
  tokenParam: 'access_token',
});

// Standard close codes after which a reconnect with the same request would fail the same way.
const TERMINAL_STANDARD_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/**
 * The wait before reconnect attempt `attempt` (0-based): the ceiling grows
 * initialMs * factor^attempt up to maxMs; `jitter` (0..1, true = 1) is the fraction of it that is
 * randomised, so jitter 1 is "full jitter" (uniform in (0, ceiling]) and 0 is none.
 */
export function backoffDelay(attempt, backoff = DEFAULT_BACKOFF, random = Math.random) {
  const { initialMs, maxMs, factor, jitter } = { ...DEFAULT_BACKOFF, ...backoff };
  const ceiling = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
  const share = jitter === true ? 1 : jitter === false ? 0 : Math.min(1, Math.max(0, Number(jitter) || 0));
  return ceiling * (1 - share * random());
}

/** 'terminal' (do not reconnect until something changes) or 'reconnect', per the close-code table of protocol.md. */
export function classifyClose(code) {
  if (code >= 4100 && code <= 4199) return 'terminal';
  if (TERMINAL_STANDARD_CODES.has(code)) return 'terminal';
  return 'reconnect';
}

/** Splits a JSON server frame (objects separated by '\n') into objects; a bad line is reported, not fatal. */
export function decodeJsonFrame(text, onError) {
  const out = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line.length > 0) {
      try {
        out.push(JSON.parse(line));
      } catch (err) {
        onError?.(new PushGatewayError('invalid_frame', `unparseable server frame line: ${err.message}`));
      }
    }
    start = end + 1;
  }
  return out;
}

/** Splits a MessagePack server frame (maps written back to back) with the codec's decodeMulti. */
export function decodeMsgpackFrame(data, msgpack) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return Array.from(msgpack.decodeMulti(bytes));
}

/** A failure reported by the server (an `error` frame) or by the client itself; `code` is machine-readable. */
export class PushGatewayError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'PushGatewayError';
    this.code = code;
    Object.assign(this, details);
  }
}

/**
 * The last position (seq within epoch) seen per topic, for one subscription. A position at or
 * before the last one of the same epoch is a duplicate (a resume may replay what was already seen);
 * a new epoch means the server's history restarted, so its numbers start over.
 */
export class StreamPositions {
  #positions = new Map();

  /** Records the position and returns true when the message is new; false for a duplicate. */
  accept(topic, seq, epoch) {
    if (typeof seq !== 'number') return true;
    const last = this.#positions.get(topic);
    if (last && last.epoch === epoch && seq <= last.seq) return false;
    this.#positions.set(topic, { seq, epoch });
    return true;
  }

  get(topic) {
    return this.#positions.get(topic);
  }

  /** Takes the server's word for where a topic is now (a gap notice), whatever was recorded. */
  reset(topic, seq, epoch) {
    if (typeof seq === 'number' && typeof epoch === 'string') this.#positions.set(topic, { seq, epoch });
    else this.#positions.delete(topic);
  }

  get size() {
    return this.#positions.size;
  }

  /** `{topic: {seq, epoch}}`, the `positions` field of a pattern re-subscribe. */
  toObject() {
    const out = {};
    for (const [topic, position] of this.#positions) out[topic] = { seq: position.seq, epoch: position.epoch };
    return out;
  }
}

/** Opens a client and starts connecting; it reconnects by itself until close(). */
export function connect(url, options = {}) {
  return new PushClient(url, options);
}

const isPattern = (topic) => topic.split('.').some((segment) => segment === '*' || segment === '>');

const systemTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

class PushClient {
  #url;
  #options;
  #backoff;
  #WebSocket;
  #timers;
  #now;
  #random;
  #codec = null;
  #token;
  #needsFreshToken = false;

  #ws = null;
  #state = 'connecting';
  #everOpened = false;
  #closedByUser = false;
  #openedAt = 0;
  #attempt = 0;

  #reconnectTimer = null;
  #connectTimer = null;
  #pingTimer = null;
  #pongTimer = null;

  #listeners = new Map();
  /** Subscriptions by topic or pattern; a server subscription is shared by all local handlers of that key. */
  #subs = new Map();
  /** Replies awaited, by command id. */
  #pending = new Map();
  /** Commands made while not connected, sent once the socket opens. */
  #outbox = [];
  #nextId = 1;

  #stats = { messages: 0, duplicates: 0, gaps: 0, reconnects: 0, attempts: 0 };

  constructor(url, options) {
    this.#url = url;
    this.#options = { ...DEFAULTS, ...options };
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.#timers = options.timers ?? systemTimers;
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#token = options.token;
    if (this.#options.protocol !== 'json' && this.#options.protocol !== 'msgpack') {
      throw new TypeError(`protocol must be 'json' or 'msgpack', not '${this.#options.protocol}'`);
    }
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('no WebSocket implementation: pass options.WebSocket (for example the "ws" package in Node)');
    }
    this.#open();
  }

  /** 'connecting' | 'open' | 'reconnecting' | 'closed'. */
  get state() {
    return this.#state;
  }

  get stats() {
    return { ...this.#stats };
  }

  /** The topics and patterns this client holds (and re-subscribes after a reconnect). */
  get subscriptions() {
    return [...this.#subs.keys()];
  }

  on(event, fn) {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  off(event, fn) {
    this.#listeners.get(event)?.delete(fn);
  }

  subscribe(topic, handler, options = {}) {
    if (typeof topic !== 'string' || topic.length === 0) return Promise.reject(new TypeError('topic must be a non-empty string'));
    if (typeof handler !== 'function') return Promise.reject(new TypeError('handler must be a function'));
    if (this.#state === 'closed') return Promise.reject(new PushGatewayError('closed', 'the client is closed'));
    let sub = this.#subs.get(topic);
    if (!sub) {
      // The first subscriber's options (snapshot, maxRate, deadband) hold for the shared server subscription.
      sub = {
        key: topic,
        pattern: isPattern(topic),
        options: { ...options },
        handlers: new Set(),
        positions: new StreamPositions(),
        acked: false,
        retries: 0,
        retryTimer: null,
      };
      sub.ready = new Promise((resolve, reject) => {
        sub.resolve = resolve;
        sub.reject = reject;
      });
      sub.ready.catch(() => {}); // rejections reach the caller through the promise returned below
      this.#subs.set(topic, sub);
      if (this.#state === 'open') this.#sendSubscribe(sub);
    }
    const entry = { handler };
    sub.handlers.add(entry);
    const subscription = {
      topic,
      unsubscribe: () => {
        if (!sub.handlers.delete(entry) || sub.handlers.size > 0 || this.#subs.get(topic) !== sub) return Promise.resolve();
        return this.unsubscribe(topic);
      },
    };
    return sub.ready.then(() => subscription);
  }

  unsubscribe(topic) {
    const sub = this.#subs.get(topic);
    if (!sub) return Promise.resolve();
    this.#subs.delete(topic);
    this.#timers.clearTimeout(sub.retryTimer);
    if (!sub.acked) sub.reject(new PushGatewayError('unsubscribed', `unsubscribed from '${topic}' before the server acknowledged it`));
    if (this.#state !== 'open') return Promise.resolve();
    // Sent even while the subscribe is unacknowledged: the server handles commands in order.
    return this.#command({ type: 'unsubscribe', topic }, { queue: false }).then(
      () => undefined,
      (err) => {
        if (err.code !== 'not_subscribed' && err.code !== 'closed' && err.code !== 'disconnected') throw err;
      },
    );
  }

  /** Publishes through the gateway; resolves on the server's ack. Queued while (re)connecting. */
  publish(topic, data) {
    if (this.#state === 'closed') return Promise.reject(new PushGatewayError('closed', 'the client is closed'));
    return this.#command({ type: 'publish', topic, data }, { queue: true });
  }

  /** Sends a fresh access token on the open connection (command `refresh`). */
  refresh(token) {
    this.#token = token;
    if (this.#state !== 'open') return Promise.resolve();
    return this.#command({ type: 'refresh', token }, { queue: false });
  }

  /** Application-level ping; resolves with the round trip in milliseconds. */
  ping() {
    const started = this.#now();
    return this.#command({ type: 'ping' }, { queue: false }).then(() => this.#now() - started);
  }

  close() {
    if (this.#closedByUser) return;
    this.#closedByUser = true;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'normal');
      } catch {
        // already closing
      }
    }
    const closed = new PushGatewayError('closed', 'the client was closed');
    this.#failPending(closed, true);
    for (const sub of this.#subs.values()) {
      this.#timers.clearTimeout(sub.retryTimer);
      if (!sub.acked) sub.reject(closed);
    }
    this.#setState('closed');
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  async #open() {
    if (this.#closedByUser) return;
    this.#stats.attempts++;
    try {
      this.#codec ??= await createCodec(this.#options);
    } catch (err) {
      // A missing codec is a setup error: no reconnect will fix it.
      this.#emit('error', new PushGatewayError('codec_unavailable', `cannot load the ${this.#options.protocol} codec: ${err.message}; pass options.msgpack`));
      this.close();
      return;
    }
    try {
      if ((this.#needsFreshToken || this.#token === undefined) && this.#options.refreshToken) {
        this.#token = await this.#options.refreshToken();
        this.#needsFreshToken = false;
      }
    } catch (err) {
      this.#emit('error', err);
      this.#scheduleReconnect(null);
      return;
    }
    if (this.#closedByUser) return;
    let ws;
    try {
      ws = new this.#WebSocket(this.#buildUrl(), [this.#codec.subprotocol]);
    } catch (err) {
      this.#emit('error', err);
      this.#scheduleReconnect(null);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.onopen = () => this.#ws === ws && this.#onOpen();
    ws.onmessage = (event) => this.#ws === ws && this.#onFrame(event.data);
    ws.onclose = (event) => this.#ws === ws && this.#onClosed(event.code, event.reason);
    ws.onerror = () => {}; // a close event always follows, and carries what is known
    this.#connectTimer = this.#timers.setTimeout(() => {
      this.#connectTimer = null;
      if (this.#ws === ws) this.#drop(4000, 'connect_timeout');
    }, this.#options.connectTimeoutMs);
  }

  #buildUrl() {
    let url = this.#url;
    const location = globalThis.location;
    if (location && !/^wss?:\/\//i.test(url)) {
      const absolute = new URL(url, location.href);
      absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:';
      url = absolute.href;
    }
    if (this.#token) {
      url += (url.includes('?') ? '&' : '?') + encodeURIComponent(this.#options.tokenParam) + '=' + encodeURIComponent(this.#token);
    }
    return url;
  }

  #onOpen() {
    this.#timers.clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#openedAt = this.#now();
    if (this.#everOpened) this.#stats.reconnects++;
    this.#everOpened = true;
    this.#setState('open');
    for (const sub of this.#subs.values()) this.#sendSubscribe(sub);
    const outbox = this.#outbox;
    this.#outbox = [];
    for (const command of outbox) this.#sendNow(command);
    this.#schedulePing();
  }

  #onClosed(code, reason) {
    const ws = this.#ws;
    if (ws) detach(ws);
    this.#ws = null;
    const wasOpen = this.#state === 'open';
    this.#clearTimers();
    for (const sub of this.#subs.values()) {
      // Every subscription is re-sent on the next open; a pending retry would only duplicate it.
      this.#timers.clearTimeout(sub.retryTimer);
      sub.retryTimer = null;
    }
    this.#failPending(new PushGatewayError('disconnected', `the connection closed (${code}${reason ? ' ' + reason : ''})`), false);
    this.#emit('close', { code, reason, wasOpen });
    if (this.#closedByUser) return;
    if (classifyClose(code) === 'terminal') {
      const err = new PushGatewayError('terminal_close', `the server closed the connection for good: ${code} ${reason ?? ''}`.trim(), { closeCode: code, closeReason: reason });
      this.#emit('error', err);
      for (const sub of this.#subs.values()) if (!sub.acked) sub.reject(err);
      this.#failPending(err, true);
      this.#setState('closed');
      return;
    }
    if (wasOpen && this.#now() - this.#openedAt >= this.#backoff.resetAfterMs) this.#attempt = 0;
    this.#scheduleReconnect(code);
  }

  /** Gives up on the current socket at once (a dead peer can take minutes to report its close). */
  #drop(code, reason) {
    const ws = this.#ws;
    if (!ws) return;
    detach(ws);
    try {
      ws.close(code, reason);
    } catch {
      // not open yet, or already closing
    }
    this.#onClosed(code, reason);
  }

  #scheduleReconnect(code) {
    let delay;
    if (code === 4001) {
      // draining: the node is going away, another one is ready now; jitter only, to spread the herd.
      delay = this.#random() * this.#backoff.initialMs;
    } else if (code === 4003) {
      this.#needsFreshToken = true;
      delay = this.#random() * this.#backoff.initialMs;
    } else if (code === 4004) {
      // rate limited: start further up the schedule.
      this.#attempt = Math.max(this.#attempt, 3);
      delay = backoffDelay(this.#attempt++, this.#backoff, this.#random);
    } else {
      delay = backoffDelay(this.#attempt++, this.#backoff, this.#random);
    }
    this.#setState(this.#everOpened ? 'reconnecting' : 'connecting');
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delay);
  }

  #schedulePing() {
    if (!(this.#options.pingIntervalMs > 0)) return;
    this.#pingTimer = this.#timers.setTimeout(() => {
      this.#pingTimer = null;
      if (this.#state !== 'open') return;
      if (this.#pongTimer === null) {
        this.#pongTimer = this.#timers.setTimeout(() => {
          this.#pongTimer = null;
          this.#emit('error', new PushGatewayError('pong_timeout', `no answer from the server for ${this.#options.pongTimeoutMs} ms; reconnecting`));
          this.#drop(4002, 'pong_timeout');
        }, this.#options.pongTimeoutMs);
      }
      this.#command({ type: 'ping' }, { queue: false }).catch(() => {});
      this.#schedulePing();
    }, this.#options.pingIntervalMs);
  }

  #clearTimers() {
    this.#timers.clearTimeout(this.#reconnectTimer);
    this.#timers.clearTimeout(this.#connectTimer);
    this.#timers.clearTimeout(this.#pingTimer);
    this.#timers.clearTimeout(this.#pongTimer);
    this.#reconnectTimer = this.#connectTimer = this.#pingTimer = this.#pongTimer = null;
  }

  #setState(state) {
    if (this.#state === state) return;
    const previous = this.#state;
    this.#state = state;
    this.#emit('state', state, previous);
  }

  // ---- commands -------------------------------------------------------------------------------

  #sendSubscribe(sub) {
    const command = { type: 'subscribe', topic: sub.key };
    const { snapshot, maxRate, deadband } = sub.options;
    if (maxRate !== undefined) command.maxRate = maxRate;
    if (deadband !== undefined) command.deadband = deadband;
    if (sub.pattern) {
      if (sub.positions.size > 0) command.positions = sub.positions.toObject();
      if (snapshot) command.snapshot = true;
    } else {
      const since = sub.positions.get(sub.key);
      // Resuming replaces the snapshot: the replay ends on the latest value anyway.
      if (since) command.since = { seq: since.seq, epoch: since.epoch };
      else if (snapshot) command.snapshot = true;
    }
    // Settled synchronously (not through a promise callback) so a sub is marked acked before
    // anything else can run, such as a close() right after the frame that carried the ack.
    this.#command(command, {
      queue: false,
      onReply: (err) => {
        if (err) {
          this.#onSubscribeFailed(sub, err);
          return;
        }
        sub.retries = 0;
        if (!sub.acked) {
          sub.acked = true;
          sub.resolve();
        }
      },
    }).catch(() => {});
  }

  #onSubscribeFailed(sub, err) {
    if (this.#subs.get(sub.key) !== sub) return;
    if (err.code === 'already_subscribed') {
      // The server holds it already (a retry crossed an earlier attempt's late ack): that is success.
      sub.retries = 0;
      if (!sub.acked) {
        sub.acked = true;
        sub.resolve();
      }
      return;
    }
    if (err.code === 'disconnected' || err.code === 'closed' || err.code === 'terminal_close') return; // re-sent on the next open, or rejected by close()
    if (err.code === 'internal_error' || err.code === 'timeout') {
      // The server could not subscribe right now (its bus is down, say): try again with backoff.
      this.#emit('error', err);
      this.#timers.clearTimeout(sub.retryTimer);
      sub.retryTimer = this.#timers.setTimeout(() => {
        sub.retryTimer = null;
        if (this.#subs.get(sub.key) === sub && this.#state === 'open') this.#sendSubscribe(sub);
      }, backoffDelay(sub.retries++, this.#backoff, this.#random));
      return;
    }
    // Refused for good (invalid topic, forbidden, too many): forget it so it is not re-sent.
    this.#subs.delete(sub.key);
    if (sub.acked) this.#emit('error', err);
    else sub.reject(err);
  }

  #command(body, { queue, onReply }) {
    const id = this.#nextId++;
    const command = { ...body, id };
    return new Promise((resolve, reject) => {
      const pending = {
        resolve: (value) => {
          onReply?.(null, value);
          resolve(value);
        },
        reject: (err) => {
          onReply?.(err);
          reject(err);
        },
        command,
        timer: null,
        queued: false,
      };
      this.#pending.set(id, pending);
      if (this.#state === 'open') {
        this.#sendNow(pending);
      } else if (queue) {
        pending.queued = true;
        this.#outbox.push(pending);
      } else {
        this.#pending.delete(id);
        pending.reject(new PushGatewayError('disconnected', 'not connected'));
      }
    });
  }

  #sendNow(pending) {
    const { command } = pending;
    pending.queued = false;
    try {
      this.#ws.send(this.#codec.encode(command));
    } catch (err) {
      this.#pending.delete(command.id);
      pending.reject(err);
      return;
    }
    pending.timer = this.#timers.setTimeout(() => {
      if (this.#pending.get(command.id) !== pending) return;
      this.#pending.delete(command.id);
      pending.reject(new PushGatewayError('timeout', `no reply to '${command.type}' within ${this.#options.commandTimeoutMs} ms`, { topic: command.topic }));
    }, this.#options.commandTimeoutMs);
  }

  /** Rejects the commands in flight; queued ones (publish) survive a reconnect unless `everything`. */
  #failPending(err, everything) {
    const kept = [];
    for (const [id, pending] of this.#pending) {
      if (pending.queued && !everything) {
        kept.push(pending);
        continue;
      }
      this.#pending.delete(id);
      this.#timers.clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.#outbox = everything ? [] : kept;
  }

  // ---- inbound --------------------------------------------------------------------------------

  #onFrame(data) {
    // Any frame proves the connection alive, pong or not: a pong may wait behind a burst of messages.
    if (this.#pongTimer !== null) {
      this.#timers.clearTimeout(this.#pongTimer);
      this.#pongTimer = null;
    }
    let frames;
    try {
      frames = this.#codec.decode(data, (err) => this.#emit('error', err));
    } catch (err) {
      this.#emit('error', new PushGatewayError('invalid_frame', `undecodable server frame: ${err.message}`));
      return;
    }
    for (const frame of frames) {
      if (frame && typeof frame === 'object') this.#dispatch(frame);
    }
  }

  #dispatch(frame) {
    switch (frame.type) {
      case 'message':
        this.#deliver(frame);
        break;
      case 'ack':
      case 'pong':
        this.#settle(frame.id, null, frame);
        break;
      case 'error': {
        const err = new PushGatewayError(frame.code ?? 'error', frame.message ?? 'the server reported an error', { id: frame.id });
        if (!this.#settle(frame.id, err)) this.#emit('error', err);
        break;
      }
      case 'gap': {
        // What the gap covers is lost for good: resume from the topic's current position (when the
        // server says it), so the next reconnect does not ask for the same lost range again.
        const sub = this.#subs.get(frame.pattern ?? frame.topic);
        if (sub && typeof frame.topic === 'string') sub.positions.reset(frame.topic, frame.seq, frame.epoch);
        this.#stats.gaps++;
        this.#emit('gap', frame);
        break;
      }
      default:
        // Frames of later protocol versions are ignored, as protocol.md asks of clients.
        break;
    }
  }

  #settle(id, err, value) {
    if (id === null || id === undefined) return false;
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    this.#timers.clearTimeout(pending.timer);
    if (err) {
      err.topic ??= pending.command.topic;
      err.command = pending.command.type;
      pending.reject(err);
    } else {
      pending.resolve(value);
    }
    return true;
  }

  #deliver(frame) {
    const key = frame.pattern ?? frame.topic;
    const sub = this.#subs.get(key);
    if (!sub) return; // unsubscribed locally; the server's unsubscribe ack is on its way
    if (!sub.positions.accept(frame.topic, frame.seq, frame.epoch)) {
      this.#stats.duplicates++;
      return;
    }
    this.#stats.messages++;
    const meta = {
      topic: frame.topic,
      pattern: frame.pattern ?? null,
      seq: frame.seq ?? null,
      epoch: frame.epoch ?? null,
      snapshot: frame.snapshot === true,
    };
    for (const { handler } of [...sub.handlers]) {
      try {
        handler(frame.data, meta);
      } catch (err) {
        this.#emit('error', err);
      }
    }
    this.#emit('message', frame.data, meta);
  }

  #emit(event, ...args) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        // A listener's failure must not break the connection loop; report it once, not recursively.
        if (event !== 'error') this.#emit('error', err);
      }
    }
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

async function createCodec(options) {
  if (options.protocol === 'json') {
    return {
      subprotocol: SUBPROTOCOLS.json,
      encode: (command) => JSON.stringify(command),
      decode: (data, onError) => {
        if (typeof data !== 'string') throw new Error('binary frame on the JSON subprotocol');
        return decodeJsonFrame(data, onError);
      },
    };
  }
  // The specifier is in a variable so bundlers and browsers do not resolve it unless msgpack is asked for.
  const specifier = '@msgpack/msgpack';
  const msgpack = options.msgpack ?? (await import(specifier));
  return {
    subprotocol: SUBPROTOCOLS.msgpack,
    encode: (command) => msgpack.encode(command),
    decode: (data) => {
      if (typeof data === 'string') throw new Error('text frame on the MessagePack subprotocol');
      return decodeMsgpackFrame(data, msgpack);
    },
  };
}
