/**
 * Writes docs/costs.md from bench/results.json (what `make bench` measured), so every
 * number in that page comes from the measurement and none is typed twice.
 *
 *   npx --no-install tsx scripts/costs.ts           rewrite docs/costs.md (`make costs`)
 *   npx --no-install tsx scripts/costs.ts --check   exit 1 if docs/costs.md is not what
 *                                                   it would write (run by check-docs.ts)
 *
 * Reads only the fields scripts/bench.ts writes; a section missing from results.json is
 * left out of the page, and a malformed one fails with the field's name.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_PATH = 'bench/results.json';
export const COSTS_PATH = 'docs/costs.md';

// ---- reading results.json ---------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

class ResultsError extends Error {}

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: Json | undefined, where: string): Obj {
  if (!isObj(v)) throw new ResultsError(`${RESULTS_PATH}: ${where} is not an object`);
  return v;
}

function num(v: Json | undefined, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ResultsError(`${RESULTS_PATH}: ${where} is not a number`);
  return v;
}

/** `[ref_time, proof_size]`. */
type Weight = [number, number];
interface Row {
  message: string;
  small: Weight;
  large: Weight;
}

function weight(v: Json | undefined, where: string): Weight {
  if (!Array.isArray(v) || v.length !== 2) throw new ResultsError(`${RESULTS_PATH}: ${where} is not [ref_time, proof_size]`);
  return [num(v[0], `${where}[0]`), num(v[1], `${where}[1]`)];
}

/** `{ message: { with_small: [r, p], with_large: [r, p] } }`, in the file's order. */
function rows(v: Json | undefined, where: string): Row[] {
  return Object.entries(obj(v, where)).map(([message, pair]) => {
    const p = obj(pair, `${where}["${message}"]`);
    return {
      message,
      small: weight(p.with_small, `${where}["${message}"].with_small`),
      large: weight(p.with_large, `${where}["${message}"].with_large`),
    };
  });
}

// ---- formatting -------------------------------------------------------------------

/** 1234567 → "1,234,567" (no locale data involved, so the output is the same everywhere). */
function n(v: number): string {
  const [int, frac] = String(v).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** The change from `a` to `b`: "same", or a signed percentage with two decimals. */
function change(a: number, b: number): string {
  if (a === b) return 'same';
  if (a === 0) return 'from 0';
  const pct = ((b - a) / a) * 100;
  const sign = pct >= 0 ? '+' : '−';
  return Math.abs(pct) < 0.01 ? `${sign}<0.01 %` : `${sign}${Math.abs(pct).toFixed(2)} %`;
}

const code = (s: string): string => {
  // `open_escrows, page of 1 (view)` → `open_escrows`, page of 1 (view): the message in code.
  const m = /^([A-Za-z_]+)(.*)$/.exec(s);
  return m ? `\`${m[1]}\`${m[2]}` : s;
};

function table(head: string[], align: ('l' | 'r')[], body: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function params(o: Obj): string {
  return Object.entries(o)
    .map(([k, v]) => `\`${k}\` ${typeof v === 'number' ? n(v) : String(v)}`)
    .join(', ');
}

// ---- the page ---------------------------------------------------------------------

interface Section {
  title: string;
  /** What "small" and "large" were in this run, in words. */
  small: string;
  large: string;
  /** Column labels: "@1", "@200". */
  smallTag: string;
  largeTag: string;
  rows: Row[];
  /** Items each view returned, when the bench recorded them. */
  items?: Map<string, [number, number]>;
  setup: string[];
}

/**
 * Why a message's cost moves between the small and the large state. Printed only for
 * messages whose measured cost did move, so a note never contradicts its numbers.
 */
const WHY: Record<string, string> = {
  release:
    "releasing moves the last entry of each party's open-escrow list into the released one's place (a swap-remove); with a single escrow there is nothing to move. A fixed step, not growth.",
  open_case:
    'reads the total stake before the block its vault dispute opened in, by a binary search over the stake history (one checkpoint per block that changed it): it grows with the logarithm of that history only.',
  propose:
    "reads the total stake before the proposal's block by the same binary search over the stake history as `open_case`.",
  offers_by_region:
    'a search examines index entries until it has a page or reaches `max_scan`; with one offer there is one entry to examine. Bounded by `max_scan` and `max_page`, and the same from the end of the index as from its start (table below).',
  offers_by_gpu: 'as `offers_by_region`.',
};

function flatness(s: Section): string[] {
  const moved = s.rows.filter((r) => r.small[0] !== r.large[0] || r.small[1] !== r.large[1]);
  const out = [
    `- **${s.title}** (${s.small} → ${s.large}): ${s.rows.length - moved.length} of ${s.rows.length} measured messages cost exactly the same.` +
      (moved.length ? ' The others:' : ''),
  ];
  const explained: string[] = [];
  for (const r of moved) {
    const items = s.items?.get(r.message);
    const returned = items && items[0] !== items[1] ? `; it returned ${n(items[0])} → ${n(items[1])} items` : '';
    out.push(`  - ${code(r.message)}: ref_time ${change(r.small[0], r.large[0])}, proof_size ${change(r.small[1], r.large[1])}${returned}`);
    const base = r.message.split(/[ ,(]/)[0];
    if (WHY[base] !== undefined && !explained.includes(base)) explained.push(base);
  }
  for (const base of explained) out.push(`  - Why \`${base}\` moves: ${WHY[base]}`);
  return out;
}

function weightTable(s: Section): string[] {
  const withItems = s.items !== undefined && s.items.size > 0;
  const head = [
    'message',
    `ref_time ${s.smallTag}`,
    `ref_time ${s.largeTag}`,
    'change',
    `proof_size ${s.smallTag}`,
    `proof_size ${s.largeTag}`,
    ...(withItems ? ['items returned'] : []),
  ];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', 'r', ...(withItems ? (['r'] as const) : [])];
  const body = s.rows.map((r) => {
    const items = s.items?.get(r.message);
    return [
      code(r.message),
      n(r.small[0]),
      n(r.large[0]),
      change(r.small[0], r.large[0]),
      n(r.small[1]),
      n(r.large[1]),
      ...(withItems ? [items ? `${n(items[0])} / ${n(items[1])}` : ''] : []),
    ];
  });
  return table(head, align, body);
}

/** Search and page views measured from cursor 0 and from the end of a long index. */
function positionTable(s: Section): string[] {
  const pairs: [string, Row, Row][] = [];
  for (const r of s.rows) {
    const m = /^(.*) from 0( \(view\))?$/.exec(r.message);
    if (!m) continue;
    const end = s.rows.find((e) => e.message === `${m[1]} from end${m[2] ?? ''}`);
    if (end) pairs.push([m[1], r, end]);
  }
  if (pairs.length === 0) return [];
  return [
    '',
    `The same page read from cursor 0 and from the end of the index, in the large state (${s.large}):`,
    '',
    ...table(
      ['view', 'ref_time from 0', 'ref_time from the end', 'change', 'proof_size from 0', 'from the end'],
      ['l', 'r', 'r', 'r', 'r', 'r'],
      pairs.map(([name, a, b]) => [code(name), n(a.large[0]), n(b.large[0]), change(a.large[0], b.large[0]), n(a.large[1]), n(b.large[1])]),
    ),
  ];
}

function sections(r: Obj): Section[] {
  const out: Section[] = [];
  if (r.weights !== undefined) {
    const e = obj(r.escrows, 'escrows');
    const small = num(e.small, 'escrows.small');
    const large = num(e.large, 'escrows.large');
    const open = e.open_for_alice_at_large === undefined ? undefined : num(e.open_for_alice_at_large, 'escrows.open_for_alice_at_large');
    out.push({
      title: 'Escrow vault',
      small: `${n(small)} escrow${small === 1 ? '' : 's'}`,
      large: `${n(large)} escrows`,
      smallTag: `@${n(small)}`,
      largeTag: `@${n(large)}`,
      rows: rows(r.weights, 'weights'),
      setup: [
        `Each message is dry-run on the newest escrow with ${n(small)} escrow${small === 1 ? '' : 's'} on chain, then again with ${n(large)}` +
          (open === undefined ? '.' : `, ${n(open)} of them open between the same payer and payee (so both parties' open-escrow lists are that long).`),
      ],
    });
  }
  if (r.compute !== undefined) {
    const c = obj(r.compute, 'compute');
    const counts = obj(c.counts, 'compute.counts');
    const cs = obj(counts.small, 'compute.counts.small');
    const cl = obj(counts.large, 'compute.counts.large');
    const items = new Map<string, [number, number]>();
    if (c.items !== undefined) {
      for (const [k, v] of Object.entries(obj(c.items, 'compute.items'))) {
        const p = obj(v, `compute.items["${k}"]`);
        items.set(k, [num(p.with_small, `compute.items["${k}"].with_small`), num(p.with_large, `compute.items["${k}"].with_large`)]);
      }
    }
    const so = num(cs.offers, 'compute.counts.small.offers');
    const sr = num(cs.rentals, 'compute.counts.small.rentals');
    const lo = num(cl.offers, 'compute.counts.large.offers');
    const lr = num(cl.rentals, 'compute.counts.large.rentals');
    const setup = [
      `Each message is dry-run on the newest offer and rental with ${n(so)} offer and ${n(sr)} rental, then with ${n(lo)} offers of one provider in one region and GPU model (every offer index that long) and ${n(lr)} rentals of one renter` +
        (cl.open_rentals_of_offer === undefined ? '.' : ` (${n(num(cl.open_rentals_of_offer, 'compute.counts.large.open_rentals_of_offer'))} of them open on the newest offer).`),
    ];
    if (c.params !== undefined) {
      const p = obj(c.params, 'compute.params');
      setup.push(`Run parameters: ${params(p)}.`);
      if (p.max_scan !== undefined && p.max_page !== undefined) {
        setup.push(
          `A search view examines at most \`max_scan\` (${n(num(p.max_scan, 'compute.params.max_scan'))}) index entries per call and returns at most \`max_page\` (${n(num(p.max_page, 'compute.params.max_page'))}) offers, so its cost follows what it examines and returns, not the length of the index.`,
        );
      }
    }
    out.push({
      title: 'Compute market',
      small: `${n(so)} offer and ${n(sr)} rental`,
      large: `${n(lo)} offers and ${n(lr)} rentals`,
      smallTag: `@${n(so)}`,
      largeTag: `@${n(lo)}`,
      rows: rows(c.weights, 'compute.weights'),
      items,
      setup,
    });
  }
  if (r.dao !== undefined) {
    const d = obj(r.dao, 'dao');
    const v = obj(d.voters, 'dao.voters');
    const small = num(v.small, 'dao.voters.small');
    const large = num(v.large, 'dao.voters.large');
    const setup = [
      `A case heard by ${n(small)} jurors and a proposal ${n(small)} members voted on, then a case heard by ${n(large)} jurors and a proposal ${n(large)} members voted on` +
        (d.members === undefined
          ? '.'
          : ` (${n(num(obj(d.members, 'dao.members').small, 'dao.members.small'))} and ${n(num(obj(d.members, 'dao.members').large, 'dao.members.large'))} members staked).`) +
        ' "first" and "last": before any other vote, and after all of them.',
    ];
    if (d.params !== undefined) setup.push(`The bench deployment's DAO periods: ${params(obj(d.params, 'dao.params'))}.`);
    out.push({
      title: 'Dispute DAO',
      small: `${n(small)} voters`,
      large: `${n(large)} voters`,
      smallTag: `@${n(small)}`,
      largeTag: `@${n(large)}`,
      rows: rows(d.weights, 'dao.weights'),
      setup,
    });
  }
  return out;
}

/** docs/costs.md for these results. */
export function render(results: Json): string {
  const r = obj(results, 'the top level');
  const all = sections(r);
  const lines: string[] = [
    '<!-- Generated by scripts/costs.ts from bench/results.json: do not edit. `make bench`, then `make costs`. -->',
    '',
    '# Costs',
    '',
    'What each message costs on chain, measured by `make bench` (`scripts/bench.sh` builds the release',
    'bundles, starts its own substrate-contracts-node and runs `scripts/bench.ts` through the typed',
    'client). Every figure is the weight a dry-run of the message consumed (`gasConsumed`: `ref_time`',
    "in picoseconds and `proof_size` in bytes, what the chain charges; the client's `gasRequired` limit",
    'is a few percent higher). Nothing is timed: weights are what the chain charges, and a dry-run',
    'reports them exactly.',
    '',
    'Each contract is measured twice: in a small state and again in a large one, to show that no',
    'message costs more as escrows, offers, rentals or voters accumulate (the design rule that nothing',
    'loops over an unbounded set). To refresh this page: `make bench` (rewrites',
    '`bench/results.json`), then `make costs` (rewrites this page from it); `scripts/check-docs.ts`',
    'fails while this page differs from what `bench/results.json` gives.',
    '',
  ];
  const meta: string[] = [];
  if (typeof r.node === 'string') meta.push(`node ${r.node}`);
  if (r.run_seconds !== undefined) meta.push(`whole run ${n(num(r.run_seconds, 'run_seconds'))} s`);
  if (isObj(r.compute) && r.compute.seconds !== undefined) meta.push(`compute market ${n(num(r.compute.seconds, 'compute.seconds'))} s`);
  if (isObj(r.dao) && r.dao.seconds !== undefined) meta.push(`DAO ${n(num(r.dao.seconds, 'dao.seconds'))} s`);
  if (meta.length) lines.push(`This run: ${meta.join(', ')} (most of the DAO's time is its commit, reveal and voting periods).`, '');

  lines.push('## Does cost grow with use?', '');
  for (const s of all) lines.push(...flatness(s));
  lines.push('');

  for (const s of all) {
    lines.push(`## ${s.title}`, '');
    for (const p of s.setup) lines.push(p, '');
    lines.push(...weightTable(s));
    const pos = positionTable(s);
    if (pos.length) lines.push(...pos);
    lines.push('');
  }

  if (r.wasm_bytes !== undefined) {
    const sizes = obj(r.wasm_bytes, 'wasm_bytes');
    const modes = r.build_mode === undefined ? {} : obj(r.build_mode, 'build_mode');
    const notRelease = Object.entries(modes).filter(([, m]) => m !== 'Release');
    lines.push(
      '## Contract sizes',
      '',
      'The Wasm code in each `target/ink/<contract>/<contract>.contract` bundle the run deployed, in bytes' +
        (notRelease.length
          ? `. **Not all release builds** (${notRelease.map(([k, m]) => `${k}: ${String(m)}`).join(', ')}): their weights above are those of that build.`
          : ' (release builds: `cargo contract build --release`, as `make build` makes them).'),
      '',
      ...table(
        ['contract', 'bytes', 'build'],
        ['l', 'r', 'l'],
        Object.entries(sizes).map(([k, v]) => [`\`${k}\``, n(num(v, `wasm_bytes.${k}`)), modes[k] === undefined ? '' : String(modes[k])]),
      ),
      '',
    );
  }
  return lines.join('\n');
}

function load(): Json {
  const path = join(ROOT, RESULTS_PATH);
  if (!existsSync(path)) throw new ResultsError(`${RESULTS_PATH} is missing: run \`make bench\``);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (err) {
    throw new ResultsError(`${RESULTS_PATH} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * What is wrong with docs/costs.md (empty when it is what `render` gives): one line
 * per problem, the first differing lines quoted.
 */
export function costsProblems(): string[] {
  let expected: string;
  try {
    expected = render(load());
  } catch (err) {
    if (err instanceof ResultsError) return [err.message];
    throw err;
  }
  const path = join(ROOT, COSTS_PATH);
  if (!existsSync(path)) return [`${COSTS_PATH} is missing: run \`make costs\``];
  const actual = readFileSync(path, 'utf8');
  if (actual === expected) return [];
  const a = actual.split('\n');
  const e = expected.split('\n');
  const problems = [`${COSTS_PATH} differs from what scripts/costs.ts writes from ${RESULTS_PATH}: run \`make costs\``];
  for (let i = 0, shown = 0; i < Math.max(a.length, e.length) && shown < 5; i++) {
    if (a[i] === e[i]) continue;
    problems.push(`  line ${i + 1}: expected ${JSON.stringify(e[i] ?? '(end of file)')}`);
    problems.push(`  ${' '.repeat(String(i + 1).length + 6)} found    ${JSON.stringify(a[i] ?? '(end of file)')}`);
    shown++;
  }
  return problems;
}

function main(): void {
  if (process.argv.includes('--check')) {
    const problems = costsProblems();
    if (problems.length) {
      for (const p of problems) console.error(`costs: ${p}`);
      process.exit(1);
    }
    console.log(`costs: ${COSTS_PATH} is up to date with ${RESULTS_PATH}`);
    return;
  }
  let page: string;
  try {
    page = render(load());
  } catch (err) {
    if (err instanceof ResultsError) {
      console.error(`costs: FAILED: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  writeFileSync(join(ROOT, COSTS_PATH), page);
  console.log(`costs: wrote ${COSTS_PATH} from ${RESULTS_PATH}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
