/**
 * Checks the documentation's shape, so the README stays a front door and no link rots:
 *
 *   - README.md has at most 210 lines;
 *   - LICENSE exists;
 *   - every relative link in README.md and docs/*.md points at a file or folder that
 *     exists (anchors are not checked);
 *   - docs/costs.md is what scripts/costs.ts writes from bench/results.json.
 *
 *   npx --no-install tsx scripts/check-docs.ts
 *
 * Exits 1 with one line per problem; prints one line when everything holds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { costsProblems, ROOT } from './costs.js';

const README_MAX_LINES = 210;

/** Markdown files whose links are checked, relative to the repository root. */
function docFiles(): string[] {
  const files = ['README.md'];
  const dir = join(ROOT, 'docs');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.md')) files.push(`docs/${f}`);
  }
  return files;
}

/** The link targets of a Markdown text, with their line numbers; code is skipped. */
function linkTargets(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    const line = raw.replace(/`[^`]*`/g, ''); // inline code
    // Inline links and images: [text](target "title"), [text](<target>).
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    }
    // Reference definitions: [label]: target
    const def = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (def) out.push({ line: i + 1, target: def[1].replace(/^<|>$/g, '') });
  });
  return out;
}

const isRelative = (target: string): boolean => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target);

function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  const text = readFileSync(join(ROOT, file), 'utf8');
  for (const { line, target } of linkTargets(text)) {
    if (!isRelative(target)) continue;
    const path = decodeURI(target.split('#')[0].split('?')[0]);
    if (path === '') continue;
    const abs = resolve(dirname(join(ROOT, file)), path);
    if (!existsSync(abs)) problems.push(`${file}:${line}: link to ${target}: ${relative(ROOT, abs)} does not exist`);
  }
  return problems;
}

function main(): void {
  const problems: string[] = [];

  const readme = join(ROOT, 'README.md');
  if (!existsSync(readme)) {
    problems.push('README.md is missing');
  } else {
    const text = readFileSync(readme, 'utf8');
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    if (lines > README_MAX_LINES) {
      problems.push(`README.md has ${lines} lines, more than ${README_MAX_LINES}: move detail into docs/ and link it`);
    }
  }

  if (!existsSync(join(ROOT, 'LICENSE'))) problems.push('LICENSE is missing (Cargo.toml declares Apache-2.0)');

  for (const file of docFiles()) if (existsSync(join(ROOT, file))) problems.push(...brokenLinks(file));

  problems.push(...costsProblems());

  if (problems.length) {
    for (const p of problems) console.error(`check-docs: ${p}`);
    console.error(`check-docs: FAILED (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
    process.exit(1);
  }
  console.log(`check-docs: OK (README.md, LICENSE, links in ${docFiles().length} files, docs/costs.md up to date)`);
}

main();
