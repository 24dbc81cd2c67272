#!/usr/bin/env node
// duckdb-risk.mjs — the DuckDB baseline for veil's risk feature benchmark.
//
//   node scripts/duckdb-risk.mjs WAREHOUSE DT OUTDIR [--days 30] [--memory-limit 8GB] [--no-distinct]
//
// Reads WAREHOUSE/events_clean/dt=*/ for the DAYS days ending with DT (the
// Parquet veil's risk stage reads) and computes, with window functions,
// for every scored event of DT the aggregates veil's risk_features holds:
// for each entity (user_token, device_token, ip_token, ip_prefix,
// card_token) the counts of login, login_failed, payment, payment_failed
// and purchase events over RANGE windows of 1h, 24h, 7d and 30d strictly
// before the event (RANGE BETWEEN W PRECEDING AND 1 PRECEDING on the ms
// timestamp: [t-W, t), as veil's tie rule says), null where the event has
// no such entity. Only scored events are read for them: the others feed no
// count (a filter any analyst would write). Rows without the entity are
// each put in a partition of their own: in one partition of all nulls
// (most events have no card) DuckDB spends ~10 s per aggregate on 0.5M
// rows, for values the CASE then throws away. Counts are sums of 0/1
// columns: count(*) FILTER (...) OVER a RANGE frame was 100x slower.
//
// Then, unless --no-distinct, a second timed query: distinct devices per
// user and distinct accounts per device over 30d (count(DISTINCT) OVER a
// RANGE frame) over the scored events of the 30 days: as in veil, browsing
// links nothing.
//
// Each result is written with COPY to OUTDIR/*.parquet (veil writes its
// rows too) and timed from the query's start to the end of the COPY.
// Then, untimed, both are compared with veil's risk_features/dt=DT on
// event_id, every compared column of every row.
//
// Prints human lines to stderr and one JSON object to stdout:
//   {"engine":"duckdb","events":N,"scored":S,"seconds":X,"peak_rss_mib":M,
//    "distinct_seconds":Y,"rows_compared":R,"mismatched_rows":K,...}
// peak_rss_mib is this process's maxRSS (node + DuckDB in-process) right
// after the timed queries, before the comparison.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const DAY = 86_400_000;
const ENTITIES = [['user', 'user_token'], ['device', 'device_token'], ['ip', 'ip_token'], ['ip24', 'ip_prefix'], ['card', 'card_token']];
const COUNTS = [['logins', 'login'], ['failed_logins', 'login_failed'], ['payments', 'payment'], ['failed_payments', 'payment_failed'], ['purchases', 'purchase']];
const WINDOWS = [['1h', 3_600_000], ['24h', DAY], ['7d', 7 * DAY], ['30d', 30 * DAY]];
const SCORED = ['purchase', 'payment', 'payment_failed', 'coupon_redeem', 'register', 'login', 'login_failed'];
const DISTINCT = [['user_devices_30d', 'user_token', 'device_token'], ['device_accounts_30d', 'device_token', 'user_token']];

function parseArgs(argv) {
  const o = { days: 30, memoryLimit: '8GB', distinct: true, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--days') o.days = Number(argv[++i]);
    else if (a === '--memory-limit') o.memoryLimit = argv[++i];
    else if (a === '--no-distinct') o.distinct = false;
    else o.pos.push(a);
  }
  return o;
}

// The committed events_clean partitions of the window, oldest first.
function files(warehouse, dt, days) {
  const end = Date.parse(dt + 'T00:00:00Z');
  const out = [];
  for (let d = days - 1; d >= 0; d--) {
    const day = new Date(end - d * DAY).toISOString().slice(0, 10);
    const dir = path.join(warehouse, 'events_clean', 'dt=' + day);
    if (!fs.existsSync(path.join(dir, '_manifest.json'))) continue;
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) out.push(path.join(dir, f));
  }
  return out;
}

function countsSQL(src, d0) {
  const wins = [];
  const cols = [];
  for (const [en, col] of ENTITIES) {
    for (const [ws, ms] of WINDOWS) {
      wins.push(`${en}_${ws} AS (PARTITION BY ${col}, CASE WHEN ${col} IS NULL THEN event_id END ORDER BY t RANGE BETWEEN ${ms} PRECEDING AND 1 PRECEDING)`);
      for (const [cn, type] of COUNTS) {
        cols.push(`CASE WHEN ${col} IS NOT NULL THEN coalesce(sum(is_${type}) OVER ${en}_${ws}, 0) END AS ${en}_${cn}_${ws}`);
      }
    }
  }
  return `SELECT * EXCLUDE (t) FROM (
      SELECT event_id, t, ${cols.join(',\n        ')}
      FROM (SELECT event_id, epoch_ms(ts) AS t, ${ENTITIES.map((e) => e[1]).join(', ')},
              ${COUNTS.map(([, type]) => `(type = ${q(type)})::INTEGER AS is_${type}`).join(', ')}
            FROM ${src} WHERE type IN (${SCORED.map(q).join(', ')}))
      WINDOW ${wins.join(',\n        ')})
    WHERE t >= ${d0} AND t < ${d0 + DAY}`;
}

function distinctSQL(src, d0) {
  const cols = DISTINCT.map(([name, by, of]) =>
    `CASE WHEN ${by} IS NOT NULL THEN count(DISTINCT ${of}) OVER (PARTITION BY ${by}, CASE WHEN ${by} IS NULL THEN event_id END ORDER BY t RANGE BETWEEN ${30 * DAY} PRECEDING AND 1 PRECEDING) END AS ${name}`);
  return `SELECT event_id, ${DISTINCT.map((d) => d[0]).join(', ')} FROM (
      SELECT event_id, t, type, ${cols.join(',\n        ')}
      FROM (SELECT event_id, epoch_ms(ts) AS t, type, user_token, device_token FROM ${src}
            WHERE type IN (${SCORED.map(q).join(', ')})))
    WHERE t >= ${d0} AND t < ${d0 + DAY}`;
}

async function timed(con, sql) {
  const t0 = performance.now();
  const res = await con.runAndReadAll(sql);
  return { rows: Number(res.getRows()[0][0]), seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const [warehouse, dt, outDir] = o.pos;
  if (!warehouse || !dt || !outDir || o.pos.length > 3 || !/^\d{4}-\d\d-\d\d$/.test(dt) || !(o.days > 0)) {
    console.error('usage: node duckdb-risk.mjs WAREHOUSE DT(YYYY-MM-DD) OUTDIR [--days 30] [--memory-limit 8GB] [--no-distinct]');
    return 2;
  }
  const fl = files(warehouse, dt, o.days);
  if (fl.length === 0) throw new Error(`no committed events_clean partitions in ${warehouse} for the ${o.days} days ending ${dt}`);
  fs.mkdirSync(outDir, { recursive: true });
  const d0 = Date.parse(dt + 'T00:00:00Z');
  const threads = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const src = `read_parquet([${fl.map(q).join(', ')}])`;

  const db = await DuckDBInstance.create(':memory:', {
    threads: String(threads),
    memory_limit: o.memoryLimit,
    temp_directory: path.join(outDir, 'duckdb-tmp'),
    preserve_insertion_order: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  const countsOut = path.join(outDir, 'duckdb-risk-counts.parquet');
  const distinctOut = path.join(outDir, 'duckdb-risk-distinct.parquet');
  const counts = await timed(con, `COPY (${countsSQL(src, d0)}) TO ${q(countsOut)} (FORMAT parquet)`);
  console.error(`duckdb: counts (100 windowed aggregates) of ${counts.rows} scored events in ${counts.seconds.toFixed(2)} s`);
  let distinct = null;
  if (o.distinct) {
    distinct = await timed(con, `COPY (${distinctSQL(src, d0)}) TO ${q(distinctOut)} (FORMAT parquet)`);
    console.error(`duckdb: distinct devices per user and accounts per device, 30d: ${distinct.seconds.toFixed(2)} s`);
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024; // KiB
  const events = Number((await con.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRows()[0][0]);

  // The check: every compared column of every row, on event_id.
  const veil = path.join(warehouse, 'risk_features', 'dt=' + dt, '*.parquet');
  const names = [];
  for (const [en] of ENTITIES) for (const [cn] of COUNTS) for (const [ws] of WINDOWS) names.push(`${en}_${cn}_${ws}`);
  if (o.distinct) names.push(...DISTINCT.map((d) => d[0]));
  const dj = o.distinct ? `JOIN read_parquet(${q(distinctOut)}) dd USING (event_id)` : '';
  const diff = names.map((n) => `v.${n} IS DISTINCT FROM d.${n}`).join(' OR ');
  await con.run(`CREATE TEMP TABLE d AS SELECT * FROM read_parquet(${q(countsOut)}) ${dj}`);
  await con.run(`CREATE TEMP TABLE v AS SELECT event_id, ${names.join(', ')} FROM read_parquet(${q(veil)})`);
  const [[vRows], [dRows]] = [(await con.runAndReadAll('SELECT count(*) FROM v')).getRows()[0], (await con.runAndReadAll('SELECT count(*) FROM d')).getRows()[0]];
  const bad = (await con.runAndReadAll(`SELECT count(*) FROM v FULL JOIN d USING (event_id) WHERE v.event_id IS NULL OR d.event_id IS NULL OR ${diff}`)).getRows()[0][0];
  const perCol = [];
  if (Number(bad) > 0) {
    const r = (await con.runAndReadAll(`SELECT ${names.map((n) => `count(*) FILTER (WHERE v.${n} IS DISTINCT FROM d.${n})`).join(', ')} FROM v JOIN d USING (event_id)`)).getRows()[0];
    names.forEach((n, i) => { if (Number(r[i]) > 0) perCol.push(`${n}: ${r[i]}`); });
  }
  // A few rows side by side: event ids and counts only (no tokens).
  const sample = (await con.runAndReadAll(`SELECT v.event_id, v.user_logins_24h, d.user_logins_24h, v.ip24_payments_30d, d.ip24_payments_30d, v.device_failed_logins_7d, d.device_failed_logins_7d
      FROM v JOIN d USING (event_id) WHERE d.user_logins_24h > 0 ORDER BY hash(v.event_id) LIMIT 3`)).getRows();
  con.closeSync();
  db.closeSync();
  fs.rmSync(path.join(outDir, 'duckdb-tmp'), { recursive: true, force: true });

  const seconds = counts.seconds + (distinct ? distinct.seconds : 0);
  const result = {
    engine: 'duckdb',
    duckdb: '@duckdb/node-api ' + pkgVersion(),
    events,
    days: o.days,
    input_files: fl.length,
    scored: counts.rows,
    seconds: +seconds.toFixed(3),
    counts_seconds: +counts.seconds.toFixed(3),
    distinct_seconds: distinct ? +distinct.seconds.toFixed(3) : null,
    peak_rss_mib: +peakMiB.toFixed(1),
    threads,
    memory_limit: o.memoryLimit,
    compared_columns: names.length,
    veil_rows: Number(vRows),
    duckdb_rows: Number(dRows),
    mismatched_rows: Number(bad),
    mismatched_columns: perCol,
  };
  console.error(`duckdb: ${result.scored} scored events over ${events} events of ${o.days} days in ${seconds.toFixed(2)} s, peak RSS ${result.peak_rss_mib} MiB, ${threads} threads`);
  console.error(`check: ${names.length} columns of ${result.veil_rows} veil rows and ${result.duckdb_rows} DuckDB rows: ${result.mismatched_rows} rows differ${perCol.length ? ' (' + perCol.slice(0, 8).join(', ') + ')' : ''}`);
  for (const r of sample) console.error(`check sample ${r[0]}: user_logins_24h ${r[1]}/${r[2]}, ip24_payments_30d ${r[3]}/${r[4]}, device_failed_logins_7d ${r[5]}/${r[6]} (veil/duckdb)`);
  console.log(JSON.stringify(result));
  return result.mismatched_rows === 0 && result.veil_rows === result.duckdb_rows ? 0 : 3;
}

function pkgVersion() {
  try {
    const p = new URL('./node_modules/@duckdb/node-api/package.json', import.meta.url);
    return JSON.parse(fs.readFileSync(p, 'utf8')).version;
  } catch { return '?'; }
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(`duckdb-risk: ${e.message}`);
  process.exitCode = 1;
}
