/**
 * The bench's five searches answered from the chain alone (indexer/bench.ts): what a
 * client without an indexer must do to give the same answer as the API, through the
 * contracts' paged views and the typed client. Each walk follows the `next` cursors one
 * call after the other, as a dApp does, and counts its calls.
 *
 * The answer is the API's: every match (the API's `total`), in the API's order. A list
 * sorted by price needs every match before its first item is known; a list by id can
 * show its first page earlier, so each walk also says after how many calls the first
 * page was complete.
 */
import { dryRun, type Market } from '../client/src/index.js';
import type { ComputeMarketOfferView } from '../client/src/contracts/compute-market/types.js';
import type { ModelRegistryModel } from '../client/src/contracts/model-registry/types.js';

/** One search answered on chain. */
export interface ChainAnswer {
  /** Every matching id, in the API's order. */
  ids: string[];
  /** Views called. */
  calls: number;
  /** Calls made when the first page (`firstPage` items) was known. */
  firstPageCalls: number;
}

/** Counts the calls of one walk. */
class Walk {
  calls = 0;
  firstPageCalls = 0;
  constructor(private readonly firstPage: number) {}
  async view<T>(p: Promise<{ value: T }>): Promise<T> {
    this.calls += 1;
    return (await p).value;
  }
  /** Marks the first page as complete once `found` matches are in, in final order. */
  found(found: number): void {
    if (this.firstPageCalls === 0 && found >= this.firstPage) this.firstPageCalls = this.calls;
  }
  answer(ids: string[]): ChainAnswer {
    return { ids, calls: this.calls, firstPageCalls: this.firstPageCalls || this.calls };
  }
}

type ModelEntry = [bigint, ModelRegistryModel];

/** Every model by id, `models(cursor, 10)` page after page, keeping those `keep` accepts. */
async function walkCatalogue(m: Market, caller: string, w: Walk, keep: (x: ModelRegistryModel) => boolean, idOrdered: boolean): Promise<ModelEntry[]> {
  const out: ModelEntry[] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined) {
    const page: { items: ModelEntry[]; next?: bigint } = await w.view(dryRun(m.registry, caller, 'models', [cursor, 10]));
    out.push(...page.items.filter(([, x]) => keep(x)));
    if (idOrdered) w.found(out.length);
    cursor = page.next;
  }
  return out;
}

/** Models whose name starts with `prefix` (case-insensitive), by id. */
export async function modelsByPrefix(m: Market, caller: string, prefix: string, firstPage: number): Promise<ChainAnswer> {
  const w = new Walk(firstPage);
  const p = prefix.toLowerCase();
  const found = await walkCatalogue(m, caller, w, (x) => x.name.toLowerCase().startsWith(p), true);
  return w.answer(found.map(([id]) => String(id)));
}

/**
 * Models with every word of `text` in their name (split at hyphens and spaces) or tags:
 * the words PostgreSQL's `simple` parser makes of the bench's names. Ranked by the API,
 * so compared as a set.
 */
export async function modelsByWords(m: Market, caller: string, text: string, firstPage: number): Promise<ChainAnswer> {
  const w = new Walk(firstPage);
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const found = await walkCatalogue(
    m,
    caller,
    w,
    (x) => {
      const have = new Set([...x.name.toLowerCase().split(/[-\s]/), ...x.tags.map((t) => t.toLowerCase())]);
      return words.every((word) => have.has(word));
    },
    false,
  );
  return w.answer(found.map(([id]) => String(id)));
}

/**
 * Models of `owner` carrying `tag`, by id: the two counts first, then the shorter of the
 * owner's list and the tag's list, filtered by the other condition.
 */
export async function modelsByTagAndOwner(m: Market, caller: string, tag: string, owner: string, firstPage: number): Promise<ChainAnswer> {
  const w = new Walk(firstPage);
  const owned = await w.view(dryRun(m.registry, caller, 'ownerModelCount', [owner]));
  const tagged = await w.view(dryRun(m.registry, caller, 'tagModelCount', [tag]));
  const byOwner = owned <= tagged;
  const out: ModelEntry[] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined) {
    const page: { items: ModelEntry[]; next?: bigint } = byOwner
      ? await w.view(dryRun(m.registry, caller, 'modelsByOwner', [owner, cursor, 10]))
      : await w.view(dryRun(m.registry, caller, 'modelsByTag', [tag, cursor, 10]));
    out.push(...page.items.filter(([, x]) => (byOwner ? x.tags.includes(tag) : x.owner.address(42) === owner)));
    cursor = page.items.length === 0 ? undefined : page.next;
  }
  // Both lists are in insertion order, which is id order while no model was removed:
  // the first page is known as soon as it is full only then, so it is sorted at the end.
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return w.answer(out.map(([id]) => String(id)));
}

const byPrice = (a: ComputeMarketOfferView, b: ComputeMarketOfferView) =>
  a.offer.pricePerGpuHour < b.offer.pricePerGpuHour ? -1 : a.offer.pricePerGpuHour > b.offer.pricePerGpuHour ? 1 : a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0;

/** Every rentable offer of a region within the contract's filters (bounded scans of 50). */
async function walkRegion(m: Market, caller: string, w: Walk, region: string, maxPrice: bigint | undefined, minVram: number | undefined): Promise<ComputeMarketOfferView[]> {
  const out: ComputeMarketOfferView[] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined) {
    const page: { items: ComputeMarketOfferView[]; next?: bigint } = await w.view(dryRun(m.compute, caller, 'offersByRegion', [region, cursor, 10, maxPrice, minVram]));
    out.push(...page.items);
    cursor = page.next;
  }
  return out;
}

/** Rentable offers of `region` and `gpuModel` with at least `minVram` GB and a free GPU, cheapest first. */
export async function cheapestFree(m: Market, caller: string, region: string, gpuModel: string, minVram: number, firstPage: number): Promise<ChainAnswer> {
  const w = new Walk(firstPage);
  const all = await walkRegion(m, caller, w, region, undefined, minVram);
  const found = all.filter((v) => v.offer.gpuModel === gpuModel && v.freeGpus >= 1).sort(byPrice);
  return w.answer(found.map((v) => String(v.offerId)));
}

/**
 * Rentable offers with at least `minVram` GB at most `maxPrice` per GPU-hour in any
 * region, cheapest first. The contract searches one region (or GPU model) at a time
 * and keeps no list of regions: the walk covers `regions`, which the client must know.
 */
export async function offersUnder(m: Market, caller: string, regions: readonly string[], maxPrice: bigint, minVram: number, firstPage: number): Promise<ChainAnswer> {
  const w = new Walk(firstPage);
  const all: ComputeMarketOfferView[] = [];
  for (const region of regions) all.push(...(await walkRegion(m, caller, w, region, maxPrice, minVram)));
  return w.answer(all.sort(byPrice).map((v) => String(v.offerId)));
}
