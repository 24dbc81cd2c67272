#!/usr/bin/env node
// query.mjs — run SQL on veil's Parquet through the pinned @duckdb/node-api,
// for machines without a DuckDB CLI (Debian does not package one).
//
//   node scripts/query.mjs [--warehouse W] [--json | --csv] [--width N] "SQL"
//   node scripts/query.mjs --warehouse W -          read the SQL from stdin
//
// --warehouse W defines one view per dataset directory of W (names starting
// with "_" or "." are the warehouse's own folders, not datasets) that holds at
// least one Parquet file:
//   CREATE VIEW <ds> AS SELECT * FROM read_parquet('W/<ds>/**/*.parquet',
//     hive_partitioning = true, union_by_name = true)
// so `SELECT * FROM consumer_tags` works, with `dt` (and `source`) from the path.
// union_by_name matches columns by name, so partitions written before and
// after a schema change (a column added or moved) still line up.
// Paths in the SQL itself are relative to the current directory, as with the CLI.
//
// Output: an aligned table (numbers right-aligned, NULL shown as NULL, cells
// cut to --width characters, 0 for no cut), or --json (an array of row
// objects, one a line; 64-bit integers as strings), or --csv (RFC 4180, a
// header row, NULL as an empty field). With several statements, the last
// one's result is shown.
// Exit status: 0 ok, 1 the query failed, 2 usage.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const USAGE = `usage: node scripts/query.mjs [--warehouse W] [--json | --csv] [--width N] "SQL" | -
  --warehouse W, -w W  a view per dataset directory of W (SELECT * FROM consumer_tags)
  --json               print an array of row objects
  --csv                print CSV with a header row
  --width N            cut table cells to N characters (default 80; 0: no cut)
  -                    read the SQL from stdin
  --self-test          check the views and the output formats on a generated dataset`;

function usage(msg) {
  if (msg) console.error(`query.mjs: ${msg}`);
  console.error(USAGE);
  process.exit(2);
}

export function parseArgs(argv) {
  const o = { warehouse: '', format: 'table', width: 80, sql: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--warehouse' || a === '-w') o.warehouse = value();
    else if (a.startsWith('--warehouse=')) o.warehouse = a.slice('--warehouse='.length);
    else if (a === '--json') o.format = 'json';
    else if (a === '--csv') o.format = 'csv';
    else if (a === '--width') o.width = Number(value());
    else if (a === '--self-test') o.selfTest = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a !== '-' && a.startsWith('-')) usage(`unknown flag ${a}`);
    else if (o.sql !== null) usage('give the SQL as one argument (quote it)');
    else o.sql = a;
  }
  if (o.sql === null && !o.selfTest) usage('no SQL given');
  if (!Number.isInteger(o.width) || o.width < 0) usage('--width needs a whole number >= 0');
  return o;
}

const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

function hasParquet(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.parquet')) return true;
    if (e.isDirectory() && hasParquet(p)) return true;
  }
  return false;
}

// The dataset directories of a warehouse that hold Parquet, sorted.
export function datasets(warehouse) {
  let ents;
  try {
    ents = fs.readdirSync(warehouse, { withFileTypes: true });
  } catch (err) {
    throw new Error(`warehouse ${warehouse}: ${err.code ?? err.message}`);
  }
  return ents
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .filter((name) => hasParquet(path.join(warehouse, name)))
    .sort();
}

export function viewSQL(warehouse, ds) {
  const glob = path.join(warehouse, ds, '**', '*.parquet');
  return `CREATE VIEW ${ident(ds)} AS SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, union_by_name = true)`;
}

const NUMERIC = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL)/;

// Terminal columns a string takes: East Asian wide and fullwidth characters
// take two, so Chinese chat text lines up.
export function displayWidth(s) {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c < 0x20 || (c >= 0x300 && c < 0x370)) continue; // controls, combining marks
    const wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function cut(s, width) {
  s = s.replace(/[\r\n\t]/g, ' ');
  if (width === 0 || displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

const pad = (s, w, right) => {
  const fill = ' '.repeat(Math.max(0, w - displayWidth(s)));
  return right ? fill + s : s + fill;
};

export function formatTable(names, types, rows, width) {
  const right = types.map((t) => NUMERIC.test(t));
  const cells = rows.map((r) => r.map((v) => cut(v === null ? 'NULL' : String(v), width)));
  const widths = names.map((n, j) => Math.max(displayWidth(n), ...cells.map((r) => displayWidth(r[j]))));
  const line = (r) => r.map((c, j) => pad(c, widths[j], right[j])).join('  ').trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}

export function formatCSV(names, rows) {
  const field = (v) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [names, ...rows].map((r) => r.map(field).join(',')).join('\n');
}

// selfTest writes a two-partition dataset (a LIST column, Chinese text, a
// NULL; the second partition with its columns in another order) and checks
// the views and the three output formats.
async function selfTest() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-query-'));
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const con = await db.connect();
  try {
    for (const [dt, cols] of [['2026-11-19', "'a' AS k, ['x', 'y'] AS l, '王小明你好' AS t, 1 AS n"],
      ['2026-11-20', "NULL AS t, 22 AS n, 'b' AS k, [] :: VARCHAR[] AS l"]]) {
      fs.mkdirSync(path.join(dir, 'ds', `dt=${dt}`), { recursive: true });
      await con.run(`COPY (SELECT ${cols}) TO ${sqlString(path.join(dir, 'ds', `dt=${dt}`, 'part-00000.parquet'))} (FORMAT parquet)`);
    }
    fs.mkdirSync(path.join(dir, '_journal'));
    fs.mkdirSync(path.join(dir, 'empty'));
    assert.deepEqual(datasets(dir), ['ds']);
    await con.run(viewSQL(dir, 'ds'));
    const r = await con.runAndReadAll('SELECT k, n, l, t, dt FROM ds ORDER BY k');
    const rows = r.getRows().map((row) => row.map((v) => (v === null ? null : v.toString())));
    assert.deepEqual(rows, [['a', '1', "['x', 'y']", '王小明你好', '2026-11-19'], ['b', '22', '[]', null, '2026-11-20']]);
    const table = formatTable(r.deduplicatedColumnNames(), r.columnTypes().map(String), rows, 80).split('\n');
    assert.equal(table[2], "a   1  ['x', 'y']  王小明你好  2026-11-19");
    assert.equal(table[3], 'b  22  []          NULL        2026-11-20');
    assert.equal(table[4], '(2 rows)');
    assert.equal(formatCSV(['a', 'b'], [['x,y', null], ['say "hi"', 'z']]), 'a,b\n"x,y",\n"say ""hi""",z');
    assert.equal(cut('王小明你好', 5), '王小…');
    assert.equal(displayWidth('ab王'), 4);
    console.log('query.mjs self-test: ok');
  } finally {
    con.closeSync();
    db.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.selfTest) return selfTest();
  const sql = o.sql === '-' ? fs.readFileSync(0, 'utf8') : o.sql;
  const views = o.warehouse ? datasets(o.warehouse) : [];
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const con = await db.connect();
  try {
    for (const ds of views) {
      await con.run(viewSQL(o.warehouse, ds));
    }
    const r = await con.runAndReadAll(sql);
    const names = r.deduplicatedColumnNames();
    if (o.format === 'json') {
      const rows = r.getRowsJson().map((row) => Object.fromEntries(names.map((n, j) => [n, row[j]])));
      console.log(rows.length ? `[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]` : '[]');
    } else {
      const rows = r.getRows().map((row) => row.map((v) => (v === null ? null : v.toString())));
      if (o.format === 'csv') console.log(formatCSV(names, rows));
      else console.log(formatTable(names, r.columnTypes().map(String), rows, o.width));
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

// Run only as a program, so the formatting functions can be imported by a test.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`query.mjs: ${err.message}`);
    process.exit(1);
  });
}
