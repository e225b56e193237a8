/** Display helpers shared by the scripts and the dApp (exact: bigint in, text out). */

/** `12345000000000n, 12` → `"12.345"`; never rounds, trims trailing zeros. */
export function formatUnits(value: bigint, decimals: number): string {
  const neg = value < 0n;
  const v = neg ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = v / base;
  const frac = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** `"12.5", 12` → `12500000000000n`; throws on malformed input or too many decimals. */
export function parseUnits(text: string, decimals: number): bigint {
  const t = text.trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) throw new Error(`not an amount: "${text}"`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** `"in 3 d 4 h"`, `"in 12 s"`, `"2 h ago"`: for every deadline on screen. */
export function relativeTime(targetMs: bigint | number, nowMs: bigint | number): string {
  const diff = Number(targetMs) - Number(nowMs);
  const text = duration(Math.abs(diff));
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** `90061000` → `"1 d 1 h"`: the two largest units. */
export function duration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = Math.floor(ms);
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && name === 's')) parts.push(`${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Basis points as a percentage: `250` → `"2.5 %"`. */
export function bps(value: number): string {
  return `${(value / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
}

/** JSON with bigints as strings (for logs and files). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
