// Test doubles: a WebSocket whose server side the test drives, and a clock whose time the test moves.

/** A manual clock: timers fire only when advance() passes their due time, in due order. */
export class FakeClock {
  now = 0;
  #timers = new Map();
  #nextId = 1;

  setTimeout = (fn, ms) => {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  get pending() {
    return [...this.#timers.values()].map((t) => t.due - this.now).sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers one by one and letting promise callbacks run between them. */
  async advance(ms) {
    const until = this.now + ms;
    for (;;) {
      await flush();
      let next = null;
      for (const [id, timer] of this.#timers) {
        if (timer.due <= until && (next === null || timer.due < next[1].due)) next = [id, timer];
      }
      if (next === null) break;
      this.#timers.delete(next[0]);
      this.now = next[1].due;
      next[1].fn();
    }
    this.now = until;
    await flush();
  }
}

/** Lets queued promise callbacks (and the client's async connect) run. */
export async function flush() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A WebSocket stand-in recording what the client sends; the test plays the server. */
export function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSED = 3;
    static sockets = sockets;
    static get last() {
      return sockets[sockets.length - 1];
    }

    readyState = 0;
    binaryType = 'blob';
    sent = [];
    closedWith = null;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;

    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(data);
    }

    close(code = 1000, reason = '') {
      this.closedWith = { code, reason };
      this.readyState = 3;
    }

    /** The commands sent so far, decoded from JSON. */
    get commands() {
      return this.sent.map((s) => JSON.parse(s));
    }

    serverOpen() {
      this.readyState = 1;
      this.onopen?.({});
    }

    serverSend(data) {
      this.onmessage?.({ data });
    }

    /** Sends JSON objects as one coalesced frame, as the gateway does. */
    serverFrame(...objects) {
      this.serverSend(objects.map((o) => JSON.stringify(o)).join('\n'));
    }

    /** Acks every command sent since the last call that has not been answered yet. */
    ackAll() {
      const unanswered = this.commands.slice(this.answered ?? 0);
      this.answered = this.sent.length;
      const replies = unanswered.map((c) => ({ type: c.type === 'ping' ? 'pong' : 'ack', id: c.id }));
      if (replies.length) this.serverFrame(...replies);
      return unanswered;
    }

    serverClose(code, reason = '') {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code, reason });
    }
  }
  return FakeWebSocket;
}
