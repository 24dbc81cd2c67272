#!/usr/bin/env node
// duckdb-bench.mjs — the DuckDB baseline for veil's ingest benchmark.
//
//   node scripts/duckdb-bench.mjs INPUT OUTDIR
//
// INPUT is a JSON Lines file, a directory of *.jsonl / *.jsonl.gz files (a
// landing partition), or a glob. DuckDB reads it with read_json
// (newline_delimited), replaces the identifier columns user_id, device_id,
// ip, phone, email and payment_card by their sha256(), and writes
// OUTDIR/duckdb-events.parquet with COPY ... (FORMAT parquet, COMPRESSION zstd),
// using as many threads as the machine has cores.
//
// Prints a human line to stderr and one JSON object to stdout:
//   {"engine":"duckdb","events":N,"seconds":S,"events_per_s":X,"peak_rss_mib":M,"threads":T,...}
// peak_rss_mib is process.resourceUsage().maxRSS of this node process
// (DuckDB runs in-process), i.e. it includes node's own ~50 MiB.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

function inputs(arg) {
  if (/[*?[]/.test(arg)) return [arg];
  const st = fs.statSync(arg);
  if (st.isFile()) return [arg];
  const files = fs.readdirSync(arg).filter((f) => /\.jsonl(\.gz)?$/.test(f)).sort().map((f) => path.join(arg, f));
  if (files.length === 0) throw new Error(`no *.jsonl or *.jsonl.gz files in ${arg}`);
  return files;
}

// The landing events contract (schemas/inputs.go). Declared rather than
// sniffed so that a messy line cannot change the types; lines that do not
// parse are skipped (veil quarantines them).
const COLUMNS = {
  event_id: 'VARCHAR', ts: 'VARCHAR', type: 'VARCHAR', user_id: 'VARCHAR', device_id: 'VARCHAR', ip: 'VARCHAR',
  merchant_id: 'VARCHAR', item_id: 'VARCHAR', category: 'VARCHAR', amount: 'DOUBLE', currency: 'VARCHAR',
  coupon_id: 'VARCHAR', live_session_id: 'VARCHAR', payment_card: 'VARCHAR', birth_date: 'VARCHAR',
  gender: 'VARCHAR', shipping_address: 'VARCHAR', country: 'VARCHAR', phone: 'VARCHAR', email: 'VARCHAR',
};
const HASHED = ['user_id', 'device_id', 'ip', 'phone', 'email', 'payment_card'];

async function main() {
  const [input, outDir] = process.argv.slice(2);
  if (!input || !outDir || process.argv.length > 4) {
    console.error('usage: node duckdb-bench.mjs INPUT(file|dir|glob) OUTDIR');
    return 2;
  }
  const files = inputs(input);
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'duckdb-events.parquet');
  fs.rmSync(out, { force: true });
  const threads = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const inputBytes = files.filter((f) => !/[*?[]/.test(f)).reduce((a, f) => a + fs.statSync(f).size, 0);

  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:', {
    threads: String(threads),
    temp_directory: path.join(outDir, 'duckdb-tmp'),
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  const cols = Object.entries(COLUMNS).map(([k, v]) => `${k}: ${q(v)}`).join(', ');
  const select = Object.keys(COLUMNS).map((c) => {
    if (HASHED.includes(c)) return `sha256(${c}) AS ${c}`;
    if (c === 'ts') return `try_cast(ts AS TIMESTAMPTZ) AS ts`;
    return c;
  }).join(', ');
  const sql = `COPY (SELECT ${select}
      FROM read_json([${files.map(q).join(', ')}], format = 'newline_delimited', columns = {${cols}},
                     ignore_errors = true, maximum_object_size = 16777216))
    TO ${q(out)} (FORMAT parquet, COMPRESSION zstd)`;
  const res = await con.runAndReadAll(sql);
  const events = Number(res.getRows()[0][0]);
  const seconds = (performance.now() - t0) / 1000;
  con.closeSync();
  db.closeSync();
  fs.rmSync(path.join(outDir, 'duckdb-tmp'), { recursive: true, force: true });

  const peakMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const result = {
    engine: 'duckdb',
    duckdb: '@duckdb/node-api ' + (await pkgVersion()),
    events,
    seconds: +seconds.toFixed(3),
    events_per_s: Math.round(events / seconds),
    peak_rss_mib: +peakMiB.toFixed(1),
    threads,
    input_files: files.length,
    input_mib: +(inputBytes / 1048576).toFixed(1),
    output: out,
    output_mib: +(fs.statSync(out).size / 1048576).toFixed(1),
  };
  console.error(`duckdb: ${events} events in ${seconds.toFixed(2)} s (${result.events_per_s} events/s), peak RSS ${result.peak_rss_mib} MiB, ${threads} threads`);
  console.log(JSON.stringify(result));
  return 0;
}

async function pkgVersion() {
  try {
    const p = new URL('./node_modules/@duckdb/node-api/package.json', import.meta.url);
    return JSON.parse(fs.readFileSync(p, 'utf8')).version;
  } catch { return '?'; }
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(`duckdb-bench: ${e.message}`);
  process.exitCode = 1;
}
