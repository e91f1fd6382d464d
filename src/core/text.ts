/**
 * Untrusted text (layer names, labels, file headers) on its way to a terminal
 * or an HTML page. Names come from model files that anyone can write, so an
 * escape sequence in a layer name must show as text, never act on the terminal.
 */

/** Characters a terminal acts on: C0 controls, DEL, C1 controls (8-bit CSI…), Unicode bidi overrides ("Trojan Source"). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but line breaks and tabs pass: for whole blocks of output that we format ourselves. */
const CONTROL_KEEP_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\u001b` as visible text. JSON's own escape form, so JSON output stays valid JSON. */
const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One field (a layer name, a label) printable on one line: every control character, newlines included, shown escaped. */
export function printable(s: string): string {
  return s.replace(CONTROL, visible);
}

/**
 * A chunk of terminal output with any control character escaped, except the
 * layout ones we write ourselves: newlines, tabs, and a carriage return that
 * starts the chunk (progress bars redraw their line that way).
 */
export function terminalSafe(chunk: string): string {
  const lead = chunk.startsWith('\r') ? '\r' : '';
  return lead + chunk.slice(lead.length).replace(CONTROL_KEEP_LAYOUT, visible);
}

/** Untrusted text quoted in an error message: control characters escaped and at most `max` characters (a 10 MB header is not echoed). */
export function clip(s: string, max = 120): string {
  const head = s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
  return printable(head);
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c]);
}

/**
 * A plain-text table: each column padded to its widest cell (in code points), the columns in
 * `rightAligned` padded on the left. Widths are found by loops, not `Math.max(...cells)`, which
 * overflows the stack on the row counts a hostile file can declare.
 */
export function alignColumns(rows: string[][], rightAligned: Set<number>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, [...cell].length)));
  return rows.map((r) => r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}
