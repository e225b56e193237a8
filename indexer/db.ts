/**
 * The indexer's database: a `pg` pool on INDEXER_DATABASE_URL and the numbered SQL
 * migrations in ./migrations, each applied once and recorded in `schema_migrations`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = `postgres://indexer@127.0.0.1:${process.env.INDEXER_PG_PORT ?? '5544'}/indexer`;
const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function databaseUrl(): string {
  return process.env.INDEXER_DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function openPool(url = databaseUrl()): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // An idle client's error (the server restarted) must not crash the process; the next
  // query on the pool opens a fresh connection.
  pool.on('error', (err) => console.error(`indexer: database connection lost: ${err.message}`));
  return pool;
}

/** Applies every migration not yet recorded, each in its own transaction; returns their names. */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    // One migrator at a time (the processor and the API may start together).
    await client.query('SELECT pg_advisory_lock(215221)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const files = readdirSync(MIGRATIONS).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(MIGRATIONS, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      applied.push(file);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(215221)').catch(() => undefined);
    client.release();
  }
}

/** Drops every table of the indexer (a new chain, e.g. a restarted dev node), then migrates afresh. */
export async function reset(pool: pg.Pool): Promise<void> {
  await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await migrate(pool);
}
