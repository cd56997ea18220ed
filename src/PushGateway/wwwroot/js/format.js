// Small formatting helpers shared by the panels. Every reading may be null or missing.

export const DASH = '—';

export function num(value, digits) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : DASH;
}

export function signed(value, digits) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text === (-0).toFixed(digits) ? (0).toFixed(digits) : text;
}

export function clockTime(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return DASH;
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m}m` : `${Math.round(m / 60)}h`;
}

/** Parses an ISO timestamp; null when absent or invalid. */
export function parseTs(ts) {
  if (typeof ts !== 'string') return null;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? null : t;
}

/** Creates an element with attributes and children; children may be strings. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'title' || key === 'type' || key === 'tabindex') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}
