// Type declarations for pushgateway-client (hand-written, kept beside src/index.js).

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface BackoffOptions {
  /** The first reconnect's ceiling, in ms. Default 500. */
  initialMs?: number;
  /** The largest ceiling, in ms. Default 30000. */
  maxMs?: number;
  /** The ceiling grows by this factor per failed attempt. Default 2. */
  factor?: number;
  /** Share of the ceiling that is randomised: 1 (or true) is full jitter, 0 (or false) none. Default 1. */
  jitter?: number | boolean;
  /** A connection that stayed open this long resets the schedule to its start. Default 5000. */
  resetAfterMs?: number;
}

/** The part of @msgpack/msgpack the client uses; pass the module itself. */
export interface MsgpackCodec {
  encode(value: unknown): Uint8Array;
  decodeMulti(bytes: Uint8Array | ArrayBufferLike): Iterable<unknown>;
}

/** Timer functions, injectable so tests control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface ConnectOptions {
  /** Access token, sent as the query parameter `tokenParam` (default `access_token`). */
  token?: string;
  tokenParam?: string;
  /** Called for a fresh token after close code 4003 (token_expired), and before the first connect when `token` is unset. */
  refreshToken?: () => Promise<string> | string;
  /** Wire format. Default 'json'. 'msgpack' needs @msgpack/msgpack (pass it as `msgpack` in a browser without an import map). */
  protocol?: 'json' | 'msgpack';
  msgpack?: MsgpackCodec;
  /** WebSocket constructor; default globalThis.WebSocket. In Node < 22 pass the "ws" package's class. */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocketLike;
  backoff?: BackoffOptions;
  /** Application-level ping interval, 0 to disable. Default 15000. */
  pingIntervalMs?: number;
  /** No frame at all for this long after a ping forces a reconnect. Default 10000. */
  pongTimeoutMs?: number;
  /** A socket not open after this long is abandoned and retried. Default 10000. */
  connectTimeoutMs?: number;
  /** A command (subscribe, publish, ...) without a reply after this long is rejected with code 'timeout'. Default 10000. */
  commandTimeoutMs?: number;
  /** For tests: timers, clock and random source. */
  timers?: Timers;
  now?: () => number;
  random?: () => number;
}

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface Deadband {
  /** Name of a numeric field of the payload. */
  field: string;
  /** Deliver only moves of at least this much. */
  delta: number;
}

export interface SubscribeOptions {
  /** Deliver the latest value (of each matching topic) first. */
  snapshot?: boolean;
  /** At most this many messages per second per topic; the server always ends on the latest. */
  maxRate?: number;
  deadband?: Deadband;
}

export interface MessageMeta {
  topic: string;
  /** The pattern subscription that matched, or null for an exact-topic subscription. */
  pattern: string | null;
  /** Position in the topic's history, when the server sends one. */
  seq: number | null;
  epoch: string | null;
  /** True for a value sent because of `snapshot`. */
  snapshot: boolean;
}

export type MessageHandler<T = unknown> = (data: T, meta: MessageMeta) => void;

export interface Subscription {
  readonly topic: string;
  /** Removes this handler; the server subscription goes when its last handler does. */
  unsubscribe(): Promise<void>;
}

/** Messages of `topic` were lost and cannot be replayed; reload if the application needs every value. */
export interface GapFrame {
  type: 'gap';
  topic: string;
  pattern?: string;
  recovered: false;
  /** epoch_changed, history_gone, history_trimmed, too_far_behind, invalid_position, history_unavailable, node_missed, slow_consumer, ... */
  reason?: string;
  /** The topic's current position, when the server knows it; the client resumes from here next time. */
  seq?: number;
  epoch?: string;
  [field: string]: unknown;
}

export interface CloseInfo {
  code: number;
  reason: string;
  wasOpen: boolean;
}

export interface ClientStats {
  /** Messages handed to handlers (duplicates excluded). */
  messages: number;
  /** Messages dropped as already seen (seq at or below the last one of the same epoch). */
  duplicates: number;
  /** `gap` frames received. */
  gaps: number;
  /** Successful re-opens after the first connection. */
  reconnects: number;
  /** Connection attempts, including the first. */
  attempts: number;
}

export interface PushClient {
  readonly state: ConnectionState;
  readonly stats: ClientStats;
  readonly subscriptions: string[];
  /**
   * Subscribes to a topic or pattern (`*` one segment, `>` the rest). Resolves once the server
   * acknowledged it, rejects with a PushGatewayError on an error frame. Re-subscribed (resuming
   * from the last seq seen) after every reconnect.
   */
  subscribe<T = unknown>(topicOrPattern: string, handler: MessageHandler<T>, options?: SubscribeOptions): Promise<Subscription>;
  /** Drops every handler of the topic or pattern and the server subscription. */
  unsubscribe(topicOrPattern: string): Promise<void>;
  /** Publishes via the gateway; resolves on ack. Queued while (re)connecting, rejected if the connection drops before the ack. */
  publish(topic: string, data: unknown): Promise<unknown>;
  /** Sends a fresh token on the open connection. */
  refresh(token: string): Promise<unknown>;
  /** Round trip in ms. */
  ping(): Promise<number>;
  on(event: 'state', fn: (state: ConnectionState, previous: ConnectionState) => void): () => void;
  on(event: 'error', fn: (error: Error) => void): () => void;
  on(event: 'gap', fn: (frame: GapFrame) => void): () => void;
  on(event: 'message', fn: MessageHandler): () => void;
  on(event: 'close', fn: (info: CloseInfo) => void): () => void;
  off(event: string, fn: (...args: any[]) => void): void;
  /** Closes for good: no reconnect, pending commands rejected with code 'closed'. */
  close(): void;
}

export function connect(url: string, options?: ConnectOptions): PushClient;

export class PushGatewayError extends Error {
  /** The server's error code (invalid_topic, forbidden, ...) or the client's (timeout, disconnected, closed, terminal_close, pong_timeout). */
  code: string;
  topic?: string;
  command?: string;
  closeCode?: number;
  closeReason?: string;
  constructor(code: string, message: string, details?: Record<string, unknown>);
}

export class StreamPositions {
  accept(topic: string, seq: number | undefined, epoch: string | undefined): boolean;
  get(topic: string): { seq: number; epoch: string } | undefined;
  reset(topic: string, seq?: number, epoch?: string): void;
  readonly size: number;
  toObject(): Record<string, { seq: number; epoch: string }>;
}

export const SUBPROTOCOLS: { readonly json: 'pushgw.json'; readonly msgpack: 'pushgw.msgpack' };
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>>;
export function backoffDelay(attempt: number, backoff?: BackoffOptions, random?: () => number): number;
export function classifyClose(code: number): 'reconnect' | 'terminal';
export function decodeJsonFrame(text: string, onError?: (error: Error) => void): unknown[];
export function decodeMsgpackFrame(data: Uint8Array | ArrayBufferLike, msgpack: MsgpackCodec): unknown[];
