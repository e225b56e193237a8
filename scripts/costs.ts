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
/** The cost issue's size target: 48 KiB of optimized Wasm per contract. */
const SIZE_TARGET = 48 * 1024;
/** A `[ref_time, proof_size]` pair from results.json. */
const rows2 = (v: Json | undefined): number[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : 0)) : []);

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
  model:
    "the newest model's name and card are longer in the large run (`model-1000`, `ipfs://model-card-1000`) than in the small one (`model-1`), so its record is 6 bytes longer: the bytes read, not the count of models.",
  add_offer: "reads the model's record: as `model`.",
  models_by_owner: "returns the newest model's record: as `model`.",
  models_by_tag: "returns the newest model's record: as `model`.",
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
  if (r.registry !== undefined) {
    const g = obj(r.registry, 'registry');
    const counts = obj(g.counts, 'registry.counts');
    const cs = obj(counts.small, 'registry.counts.small');
    const cl = obj(counts.large, 'registry.counts.large');
    const sm = num(cs.models, 'registry.counts.small.models');
    const sl = num(cs.licenses, 'registry.counts.small.licenses');
    const lm = num(cl.models, 'registry.counts.large.models');
    const ll = num(cl.licenses, 'registry.counts.large.licenses');
    out.push({
      title: 'Model registry',
      small: `${n(sm)} model and ${n(sl)} license`,
      large: `${n(lm)} models and ${n(ll)} licenses`,
      smallTag: `@${n(sm)}`,
      largeTag: `@${n(lm)}`,
      rows: rows(g.weights, 'registry.weights'),
      setup: [
        `Each message is dry-run on the newest model and license with ${n(sm)} model and ${n(sl)} license, then with ${n(lm)} models of one owner under one tag ` +
          `(${n(num(cl.models_of_owner, 'registry.counts.large.models_of_owner'))} in the owner's list, ${n(num(cl.models_with_tag, 'registry.counts.large.models_with_tag'))} in the tag's) ` +
          `and ${n(ll)} licenses of one buyer on one model (${n(num(cl.licenses_of_buyer, 'registry.counts.large.licenses_of_buyer'))} in the buyer's list). Pages are read from the last position.`,
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

/** 0.1234 → "12.3 %". */
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The per-message table: ratios to the reference, targets and how many fit in a block. */
function messagesSection(r: Obj): string[] {
  if (r.messages === undefined || r.block_limits === undefined) return [];
  const m = obj(r.messages, 'messages');
  const l = obj(r.block_limits, 'block_limits');
  const total = obj(l.normalMaxTotal, 'block_limits.normalMaxTotal');
  const ref = obj(m.reference, 'messages.reference');
  const refReq = weight(ref.gas_required, 'messages.reference.gas_required');
  const list = Array.isArray(m.rows) ? m.rows : [];
  const rowsOut: string[][] = [];
  let missed = 0;
  let measured = 0;
  for (const [i, v] of [ref, ...list].entries()) {
    const o = obj(v, `messages.rows[${i - 1}]`);
    const req = weight(o.gas_required, `messages.rows[${i - 1}].gas_required`);
    const xr = num(o.x_ref_time, 'x_ref_time');
    const xp = num(o.x_proof_size, 'x_proof_size');
    const t = o.target === undefined ? undefined : num(o.target, 'target');
    const fit = o.per_block === undefined ? undefined : obj(o.per_block, 'per_block');
    const contracts = Array.isArray(o.contracts) ? o.contracts.map(String) : [];
    if (t !== undefined) {
      measured++;
      if (xr > t || xp > t) missed++;
    }
    const name = String(o.name);
    rowsOut.push([
      i === 0 ? `**${name}** (the reference)` : name.replace(/::([a-z_]+)/, '::`$1`'),
      String(contracts.length),
      xr.toFixed(2),
      xp.toFixed(2),
      t === undefined ? '' : `≤ ${t}×${xr > t || xp > t ? ' **missed**' : ''}`,
      n(req[1]),
      n(num(o.storage_deposit, 'storage_deposit')),
      fit ? `${n(num(fit.sent, 'sent'))}–${n(num(fit.charged, 'charged'))}` : '',
      fit ? String(fit.binding) : '',
    ]);
  }
  return [
    '## Per message and per block',
    '',
    `One call of each user-facing message on a fresh deployment (scripts/messages.ts), as a multiple of the reference, a market-token \`PSP22::transfer\` to an account that already holds tokens (gas_required ${n(refReq[0])} ref_time, ${n(refReq[1])} proof_size). ` +
      'Figures are `gas_required` (the limit a transaction must be sent with). "Enters": how many contracts the call enters. Targets (the cost issue): a view 1×, a message entering at most two contracts 3×, one that must enter three or more 4×; `make test` enforces the committed budgets in `bench/budgets.json` (scripts/budgets.ts), which are today\'s figures plus 2 %.',
    '',
    `Per block: how many calls fit in one block of the parachain runtime (${String(l.specName)} v${n(num(l.specVersion, 'block_limits.specVersion'))}, read from it by \`make bench\`: ${String(l.node)}), whose normal-class transactions share ${n(Number(total.refTime))} ref_time and ${n(Number(total.proofSize))} bytes of proof (75 % of a 5 MiB PoV block). ` +
      'The first figure assumes each call is charged the weight it is sent with, the second that each is refunded to what it consumed (the most a collator can pack); "binding" is the limit reached first (scripts/blocks.ts).',
    '',
    ...table(
      ['message', 'enters', '× ref_time', '× proof_size', 'target', 'proof bytes', 'storage deposit (smallest unit)', 'per block', 'binding'],
      ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'l'],
      rowsOut,
    ),
    '',
    `${measured - missed} of ${measured} measured messages and views meet their target; what each miss would take is in "What the targets would take" below.`,
    '',
  ];
}

/**
 * For each message over its target: the proof bytes and ref_time above it, in the units
 * the probe measured (storage cells, KiB of code, contracts entered).
 */
function leversSection(r: Obj): string[] {
  if (!isObj(r.messages) || !isObj(r.hops)) return [];
  const h = r.hops;
  const cell = num(obj(h.perRead, 'hops.perRead').proofSize, 'hops.perRead.proofSize');
  const cellRef = num(obj(h.perRead, 'hops.perRead').refTime, 'hops.perRead.refTime');
  const kib = num(obj(h.perKiB, 'hops.perKiB').proofSize, 'hops.perKiB.proofSize');
  const hop = obj(h.perHop, 'hops.perHop');
  const hopProof = num(hop.proofSize, 'hops.perHop.proofSize');
  const hopRef = num(hop.refTime, 'hops.perHop.refTime');
  const ref = weight(obj(r.messages.reference, 'messages.reference').gas_required, 'messages.reference.gas_required');
  const list = Array.isArray(r.messages.rows) ? r.messages.rows : [];
  const body: string[][] = [];
  for (const [i, v] of list.entries()) {
    const o = obj(v, `messages.rows[${i}]`);
    if (o.target === undefined) continue;
    const t = num(o.target, 'target');
    const req = weight(o.gas_required, `messages.rows[${i}].gas_required`);
    const overProof = req[1] - t * ref[1];
    const overRef = req[0] - t * ref[0];
    if (overProof <= 0 && overRef <= 0) continue;
    body.push([
      String(o.name).replace(/::([a-z_]+)/, '::`$1`'),
      `≤ ${t}×`,
      overProof > 0 ? n(Math.ceil(overProof)) : '—',
      overProof > 0 ? n(Math.ceil(overProof / cell)) : '—',
      overProof > 0 ? n(Math.ceil(overProof / kib)) : '—',
      overRef > 0 ? n(Math.ceil(overRef)) : '—',
      overRef > 0 ? `${n(Math.ceil(overRef / cellRef))} / ${n(Math.ceil(overRef / hopRef))}` : '—',
    ]);
  }
  if (!body.length) return [];
  return [
    '## What the targets would take',
    '',
    'How far each missed message is over its target, and what that is in the units measured above: storage cells read (' +
      `${n(cell)} bytes of proof each), KiB of code in a contract entered (${n(kib)} bytes each), contracts entered (${n(hopProof)} bytes and ${n(hopRef)} ref_time each, with a 4.5 KB contract). ` +
      'Proof binds first on a parachain (the "binding" column above), so the cells column is the lever: a message reaches its target by touching that many fewer storage cells, or by a mix of fewer cells, less code in the contracts it enters, and fewer contracts.',
    '',
    ...table(
      ['message', 'target', 'proof bytes over', '= cells', '= KiB of code', 'ref_time over', '= cells read, or hops'],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
      body,
    ),
    '',
  ];
}

/** What one more contract hop, KiB of code and storage cell cost (the probe). */
function hopsSection(r: Obj): string[] {
  if (r.hops === undefined) return [];
  const h = obj(r.hops, 'hops');
  const hop = obj(h.perHop, 'hops.perHop');
  const kib = obj(h.perKiB, 'hops.perKiB');
  const read = obj(h.perRead, 'hops.perRead');
  const write = obj(h.perWrite, 'hops.perWrite');
  const rs = Array.isArray(h.rows) ? h.rows : [];
  let refProof: number | undefined;
  if (isObj(r.messages) && isObj(r.messages.reference)) refProof = weight(r.messages.reference.gas_required, 'messages.reference.gas_required')[1];
  const hopProof = num(hop.proofSize, 'hops.perHop.proofSize');
  const cellProof = num(read.proofSize, 'hops.perRead.proofSize');
  return [
    '## Where the cost goes',
    '',
    'Measured with a bench-only probe contract (`bench/probe`, `cost_probe`): `enter(target, selector, times)` calls a message of another contract and ignores its answer; `touch(reads, writes)` reads and overwrites 16-byte `Mapping` cells, `touch_blobs` 1,024-byte ones (scripts/hops.ts). Figures are `gas_required`.',
    '',
    ...table(
      ['call', 'code bytes entered', 'ref_time', 'proof_size'],
      ['l', 'r', 'r', 'r'],
      rs.map((x, i) => {
        const o = obj(x, `hops.rows[${i}]`);
        return [String(o.name), n(num(o.codeBytes, 'codeBytes')), n(num(o.refTime, 'refTime')), n(num(o.proofSize, 'proofSize'))];
      }),
    ),
    '',
    `- **One more contract entered** (a probe calling another probe's \`noop\` twice instead of once): +${n(num(hop.refTime, 'hops.perHop.refTime'))} ref_time and +${n(hopProof)} bytes of proof` +
      (refProof ? ` (${pct(hopProof / refProof)} of the reference transfer's proof).` : '.'),
    `- **One more KiB of code in the contract entered** (slope over the five marketplace contracts, 15 to 94 KB, each answering a trivial view): +${n(num(kib.refTime, 'hops.perKiB.refTime'))} ref_time and +${n(num(kib.proofSize, 'hops.perKiB.proofSize'))} bytes of proof: the code travels in the proof byte for byte, every time a contract is entered.`,
    `- **One more storage cell** read: +${n(num(read.refTime, 'hops.perRead.refTime'))} ref_time and +${n(cellProof)} bytes of proof; overwritten: +${n(num(write.refTime, 'hops.perWrite.refTime'))} ref_time and +${n(num(write.proofSize, 'hops.perWrite.proofSize'))} bytes. ` +
      (h.perReadKiB === undefined
        ? ''
        : `A cell holding 1,024 bytes costs +${n(num(obj(h.perReadKiB, 'hops.perReadKiB').proofSize, 'hops.perReadKiB.proofSize'))} bytes of proof to read: the value's own bytes are a small part; the fixed part per access (the storage proof's trie nodes) dominates, so one record of many fields costs far less than the same fields in separate cells.`),
    '',
  ];
}

/** The biggest items of each contract's code (twiggy top), names shortened. */
function twiggySection(r: Obj): string[] {
  if (r.twiggy === undefined) return [];
  const t = obj(r.twiggy, 'twiggy');
  const out = [
    '## Where the code size goes',
    '',
    'The largest items of each contract, by `twiggy top` on a release build that keeps its name section (`scripts/twiggy.sh`: same code as the deployed bundle plus names; bytes are the item\'s own size). Every KiB of code costs 1 KiB of proof each time the contract is entered (above).',
    '',
  ];
  const calls: string[] = [];
  for (const [name, v] of Object.entries(t)) {
    const o = obj(v, `twiggy.${name}`);
    const items = Array.isArray(o.top) ? o.top : [];
    const call = items.map((x) => obj(x, `twiggy.${name}.top`)).find((x) => x.name === 'call');
    const names = items.map((x) => obj(x, `twiggy.${name}.top`)).find((x) => x.name === '"function names" subsection');
    if (call && names) {
      const code = num(o.bytes, 'bytes') - num(names.shallow_size, 'shallow_size');
      calls.push(`\`${name}\` ${n(num(call.shallow_size, 'shallow_size'))} of ${n(code)} bytes (${((num(call.shallow_size, 'shallow_size') / code) * 100).toFixed(0)} %)`);
    }
  }
  if (calls.length) {
    out.push(
      `\`call\` is ink!'s message dispatcher, into which the optimizer inlines the bodies of most messages; \`"function names" subsection\` is the name section this build keeps and the deployed one drops. Without the names, the dispatcher is ${calls.join(', ')}: most of each contract is its messages' own code, and a call pays for all of it, so fewer, smaller messages per contract (or a contract split by who calls what) is the code-size lever, not any single helper.`,
      '',
    );
  }
  for (const [name, v] of Object.entries(t)) {
    const o = obj(v, `twiggy.${name}`);
    const items = Array.isArray(o.top) ? o.top : [];
    out.push(`**\`${name}\`** (${n(num(o.bytes, `twiggy.${name}.bytes`))} bytes with names):`, '');
    out.push(
      ...table(
        ['item', 'bytes', 'share'],
        ['l', 'r', 'r'],
        items.slice(0, 8).map((x, i) => {
          const it = obj(x, `twiggy.${name}.top[${i}]`);
          let label = String(it.name).replace(/\|/g, '\\|');
          if (label.length > 90) label = `${label.slice(0, 87)}…`;
          return [`\`${label}\``, n(num(it.shallow_size, 'shallow_size')), `${num(it.shallow_size_percent, 'shallow_size_percent').toFixed(1)} %`];
        }),
      ),
      '',
    );
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
    'client). `ref_time` is in picoseconds, `proof_size` in bytes. Nothing is timed: weights are what',
    'the chain charges, and a dry-run reports them exactly. The first sections use `gas_required`',
    '(the limit a transaction must be sent with, what a block must have room for); the growth',
    'sections use `gas_consumed` (what the chain charges once the call ran).',
    '',
    'In the growth sections each contract is measured twice: in a small state and again in a large one, to show that no',
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

  lines.push(...messagesSection(r));
  lines.push(...hopsSection(r));
  lines.push(...leversSection(r));
  lines.push(...twiggySection(r));

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
    const refProof = r.messages === undefined ? 0 : (rows2(obj(obj(r.messages, 'messages').reference, 'messages.reference').gas_required)[1] ?? 0);
    const misses = Object.entries(sizes)
      .map(([k, v]) => num(v, `wasm_bytes.${k}`))
      .filter((b) => b > SIZE_TARGET)
      .map((b) => Math.round(((b - SIZE_TARGET) / SIZE_TARGET) * 100));
    const missText = misses.length ? `${misses.length} contract${misses.length === 1 ? '' : 's'} miss the 48 KiB target, by ${Math.min(...misses)} % to ${Math.max(...misses)} %.` : 'Every contract meets the 48 KiB target.';
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
        ['contract', 'bytes', 'build', `target ≤ 48 KiB (${n(SIZE_TARGET)})`, 'proof of one entry, × the reference'],
        ['l', 'r', 'l', 'l', 'r'],
        Object.entries(sizes).map(([k, v]) => {
          const bytes = num(v, `wasm_bytes.${k}`);
          const over = bytes - SIZE_TARGET;
          const verdict = over <= 0 ? 'met' : `**missed** by ${n(over)} (${((over / SIZE_TARGET) * 100).toFixed(0)} %)`;
          return [`\`${k}\``, n(bytes), modes[k] === undefined ? '' : String(modes[k]), verdict, refProof ? (bytes / refProof).toFixed(2) : ''];
        }),
      ),
      '',
      'The last column is the code alone, which every call entering the contract carries in its proof (1,024 bytes per KiB, above), as a multiple of the whole reference transfer. ' +
        `${missText} What it would take: about half of each contract is ink!'s dispatcher with the messages inlined into it ` +
        '("Where the code size goes"), so the size follows the number of messages a contract serves, not any helper. Meeting 48 KiB means serving fewer messages per contract: ' +
        'splitting each into two contracts by who calls what (the registry into a catalogue and a license desk, the vault into orders and streams-with-collateral, the market into listing and booking, the DAO into a court and a governor). ' +
        'Each message would then carry about half the code, but a message that needs both halves would enter one more contract (+20 KB proof and +0.4 G ref_time per hop, above) and read the other half\'s state across a call: ' +
        'a purchase, a rental, a ruling and a slash each need state from both sides of any cut found so far, so the split would cut views and single-side messages and make those four dearer. ' +
        'That trade, and the ABI change for every client and dApp, is why no contract was split in this round; the cuts chosen instead (one token call in a PSP22 payment, fewer storage cells per message) lower the messages that bind a block.',
      '',
    );
  }
  return lines.join('\n');
}

function load(): Json {
  const path = join(ROOT, RESULTS_PATH);
  if (!existsSync(path)) throw new ResultsError(`${RESULTS_PATH} is missing: run \`make bench\``);
  try {
    const results = JSON.parse(readFileSync(path, 'utf8')) as Json;
    // twiggy's figures: in results.json when `make bench` ran scripts/twiggy.sh first,
    // else from the file that script writes.
    const twiggy = join(ROOT, 'bench/twiggy.json');
    if (isObj(results) && results.twiggy === undefined && existsSync(twiggy)) {
      results.twiggy = JSON.parse(readFileSync(twiggy, 'utf8')) as Json;
    }
    return results;
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
