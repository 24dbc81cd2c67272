#!/usr/bin/env node
// duckdb-check.mjs — independent verification of a veil demo directory with
// DuckDB: no veil code is used to read anything.
//
//   node scripts/duckdb-check.mjs DEMO_DIR            check DEMO_DIR/{landing,warehouse}
//   node scripts/duckdb-check.mjs --self-test         prove the check catches planted faults
//                                                     (on a synthetic fixture, see fixture.mjs)
//   node scripts/duckdb-check.mjs --self-test DEMO_DIR   same, on a copy of a real demo dir
//
// 1. Integrity, for every dataset directory under warehouse/ (names starting
//    with "_" or "." are staging/trash/journal, not datasets):
//    - every directory holding data has a _manifest.json (committed), whose
//      dataset/partition match its path and whose rows = sum(files[].rows);
//    - every listed file exists with the listed size and SHA-256;
//    - Parquet files: DuckDB read_parquet row count = the manifest's per-file
//      rows; reading the whole dataset Hive-style (hive_partitioning) gives
//      exactly the manifest rows per partition, and the dt=/key= columns
//      DuckDB derives match the path (so files not in a manifest are caught);
//    - every Parquet file of a dataset with the same schema_version has the
//      same schema;
//    - column order: DuckDB's DESCRIBE of every Parquet file lists the columns
//      in the order its manifest's "columns" declares (the schema's order;
//      veil writes it from the schema, not from the file), and, independently
//      of any manifest, a few datasets meet EXPECT below (consumer_tags starts
//      with user_token, interests is a VARCHAR[] LIST, timestamps are
//      TIMESTAMP WITH TIME ZONE).
// 2. Leaks: every raw identifier and PII value of the landing zone (event
//    user_id, device_id, ip, phone, email, payment_card, birth_date,
//    shipping_address; user_id of every feed; emails, CN mobiles, Luhn-valid
//    card numbers and checksum-valid resident ID numbers found in free text)
//    is loaded into DuckDB and searched, exact and as a substring, in every
//    column (cast to text; LIST columns element by element) of every Parquet
//    file and in every other file (reports, manifests) under the dataset
//    directories. Phone/card/ID values are also compared with spaces and
//    dashes stripped from both sides.
//    Substring search is a k-gram join: a value can only occur in a string if
//    all its 6-grams occur in the outputs; the survivors are verified with
//    substr() at the positions of their rarest gram.
//
// Exit status: 0 all good, 1 a mismatch or leak was found, 2 could not run.
// Leaked values are never printed in full (first 2 characters + length).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const SELF = fileURLToPath(import.meta.url);
const GRAM = 6; // k-gram length; also the minimum length of a searched value
const MAX_TEXT_BYTES = 64 << 20; // non-Parquet files larger than this are not scanned (reported)

// ------------------------------------------------------------------ helpers

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;
const sqlList = (a) => `[${a.map(q).join(', ')}]`;

export function mask(v) {
  const s = String(v);
  const chars = [...s];
  return `${chars.slice(0, 2).join('')}…(${chars.length} chars)`;
}

function secs(t0) { return ((performance.now() - t0) / 1000).toFixed(1); }

// DUCKDB_CHECK_DEBUG=1 prints the timing of each step to stderr.
const dbg = process.env.DUCKDB_CHECK_DEBUG ? (m) => console.error(`[debug ${(performance.now() / 1000).toFixed(1)} s] ${m}`) : () => {};

function walk(dir, out = []) {
  let ents;
  try { ents = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of ents) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function sha256File(file) {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk);
  return h.digest('hex');
}

const num = (v) => (typeof v === 'bigint' ? Number(v) : v);

async function rows(con, sql) {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJS().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, num(v)])));
}

function problem(list, type, msg, extra = {}) { list.push({ type, msg, ...extra }); }

// ------------------------------------------------------------------ PII extraction (landing side)

export function luhnValid(d) {
  if (!/^\d{2,}$/.test(d)) return false;
  let sum = 0;
  let dbl = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let x = d.charCodeAt(i) - 48;
    if (dbl) { x *= 2; if (x > 9) x -= 9; }
    sum += x;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83', '91']);

// residentIdValid: province code, a real birth date and the ISO 7064
// MOD 11-2 check character — what veil's detector is specified to require.
export function residentIdValid(id) {
  const s = id.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s) || !ID_PROVINCES.has(s.slice(0, 2))) return false;
  const y = +s.slice(6, 10); const m = +s.slice(10, 12); const d = +s.slice(12, 14);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2100 || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11] === s[17];
}

const RE_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const RE_CN_MOBILE = /(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g;
// Alphanumeric boundaries: "SF1234567890123" is a tracking number, not a card.
const RE_CARD = /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])/g;
const RE_RESIDENT_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const SEP = /[\s\-\u3000]/g;

// Event/feed fields whose value is itself PII, and the kind it is.
const PII_FIELDS = {
  user_id: 'user_id', device_id: 'device_id', ip: 'ip', phone: 'phone', email: 'email',
  payment_card: 'card', birth_date: 'birth_date', shipping_address: 'address',
};
// Free-text fields searched for embedded PII.
const TEXT_FIELDS = new Set(['text', 'statement', 'shipping_address']);
const DIGITISH = new Set(['phone', 'card', 'resident_id']);
// Types used by the generator's truth/chat_pii.jsonl -> our kinds.
const TRUTH_KINDS = { bank_card: 'card', cn_resident_id: 'resident_id' };

// A needle is strict when a leak of it fails the check. Everything is strict
// except a Luhn-valid digit run found only by regex in free text (order
// numbers pass Luhn one time in ten): it becomes strict once a structured
// field or the truth confirms it is a card; otherwise a leak of it is a
// warning (or a failure with --strict).
export class Needles {
  constructor() {
    this.map = new Map(); this.short = 0; this.lines = 0; this.bad = 0; this.files = 0; this.truthFiles = 0; this.truthValues = 0;
  }

  add(kind, src, raw, strict = true) {
    if (raw === null || raw === undefined) return;
    const v = String(raw).trim();
    const put = (x) => {
      if ([...x].length < GRAM) { this.short++; return; }
      const key = kind + '\0' + x;
      const have = this.map.get(key);
      if (!have) this.map.set(key, { kind, src, val: x, strict });
      else if (strict && !have.strict) { have.strict = true; have.src = src; }
    };
    put(v);
    if (kind === 'email') put(v.toLowerCase());
    if (DIGITISH.has(kind)) {
      const stripped = v.replace(SEP, '');
      if (stripped !== v) put(stripped);
      if (kind === 'resident_id') { put(stripped.toUpperCase()); put(stripped.toLowerCase()); }
      if (kind === 'phone') {
        const digits = v.replace(/\D/g, '');
        if (digits.length >= 7 && digits !== stripped) put(digits);
        const m = /^(?:00)?86(1[3-9]\d{9})$/.exec(digits);
        if (m) put(m[1]);
      }
    }
  }

  fromText(src, text) {
    if (typeof text !== 'string' || text.length < GRAM) return;
    for (const m of text.matchAll(RE_EMAIL)) this.add('email', src, m[0]);
    for (const m of text.matchAll(RE_CN_MOBILE)) this.add('phone', src, m[0]);
    for (const m of text.matchAll(RE_CARD)) {
      const d = m[0].replace(/[ -]/g, '');
      if (d.length >= 13 && d.length <= 19 && luhnValid(d)) this.add('card', src, m[0], false);
    }
    for (const m of text.matchAll(RE_RESIDENT_ID)) if (residentIdValid(m[0])) this.add('resident_id', src, m[0]);
  }

  fromRecord(feed, obj, line) {
    for (const [field, value] of Object.entries(obj)) {
      const kind = PII_FIELDS[field];
      if (kind) {
        if (typeof value === 'string') this.add(kind, `${feed}.${field}`, value);
        else if (typeof value === 'number') {
          // JSON numbers lose digits in JS: take the literal from the line.
          const m = new RegExp(`"${field}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`).exec(line);
          this.add(kind, `${feed}.${field}`, m ? m[1] : String(value));
        } else if (value !== null && typeof value === 'object') {
          this.fromText(`${feed}.${field}`, JSON.stringify(value));
        }
      }
      if (TEXT_FIELDS.has(field)) this.fromText(`${feed}.${field} (text)`, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }

  // A line that is not a JSON object: take what looks like "pii_field":"value"
  // and anything PII-shaped anywhere in it.
  fromBadLine(feed, line) {
    this.bad++;
    // Only complete strings: a value cut off by truncation is a prefix of
    // the real one and would match its legitimate generalisation.
    const re = /"(user_id|device_id|ip|phone|email|payment_card|birth_date|shipping_address)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
    for (const m of line.matchAll(re)) {
      let v = m[2];
      try { v = JSON.parse(`"${v}"`); } catch { /* keep escaped text */ }
      this.add(PII_FIELDS[m[1]], `${feed}.${m[1]} (malformed line)`, v);
    }
    this.fromText(`${feed} (malformed line)`, line);
  }

  // Ground truth of a generator: any JSON line with "pii": [{type, value}].
  fromTruth(file, obj) {
    if (!obj || !Array.isArray(obj.pii)) return;
    for (const p of obj.pii) {
      if (!p || typeof p.value !== 'string' || typeof p.type !== 'string') continue;
      this.truthValues++;
      this.add(TRUTH_KINDS[p.type] || p.type, `truth ${file}`, p.value);
    }
  }

  get size() { return this.map.size; }

  byKind() {
    const c = {};
    for (const n of this.map.values()) c[n.kind] = (c[n.kind] || 0) + 1;
    return c;
  }
}

async function forEachLine(file, fn) {
  let input = fs.createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(zlib.createGunzip());
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) fn(line);
}

export async function collectNeedles(landingDir, truthDir = null) {
  const needles = new Needles();
  const files = walk(landingDir).filter((f) => /\.jsonl(\.gz)?$/.test(f)).sort();
  for (const file of files) {
    const feed = path.relative(landingDir, file).split(path.sep)[0];
    needles.files++;
    await forEachLine(file, (line) => {
      needles.lines++;
      let obj;
      try { obj = JSON.parse(line); } catch { obj = undefined; }
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) needles.fromRecord(feed, obj, line);
      else needles.fromBadLine(feed, line);
    });
  }
  if (truthDir && fs.existsSync(truthDir)) {
    for (const file of walk(truthDir).filter((f) => /\.jsonl(\.gz)?$/.test(f)).sort()) {
      needles.truthFiles++;
      await forEachLine(file, (line) => {
        if (!line.includes('"pii"')) return;
        try { needles.fromTruth(path.basename(file), JSON.parse(line)); } catch { /* not ours */ }
      });
    }
  }
  return needles;
}

// ------------------------------------------------------------------ integrity

const PART_SEG = /^[A-Za-z_][A-Za-z0-9_]*=[^/]+$/;
const DT_SEG = /^dt=\d{4}-\d{2}-\d{2}$/;

function listDatasets(wh) {
  return fs.readdirSync(wh, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .map((e) => e.name).sort();
}

async function checkDataset(con, wh, ds, problems) {
  const dsDir = path.join(wh, ds);
  const files = walk(dsDir).map((f) => path.relative(dsDir, f).split(path.sep).join('/')).sort();
  const manifestDirs = new Set(files.filter((f) => path.posix.basename(f) === '_manifest.json').map((f) => path.posix.dirname(f)));
  const st = { dataset: ds, partitions: manifestDirs.size, rows: 0, files: 0, filesOk: 0, parquet: false, parquetFiles: [], textFiles: [] };
  const p = (type, msg, extra) => problem(problems, type, `${ds}: ${msg}`, { dataset: ds, ...extra });

  // Everything a reader can see must belong to a committed partition.
  const orphanDirs = new Map();
  for (const f of files) {
    const dir = path.posix.dirname(f);
    const base = path.posix.basename(f);
    if (base.endsWith('.parquet')) st.parquetFiles.push(path.join(dsDir, f));
    else if (base !== '_manifest.json') st.textFiles.push(path.join(dsDir, f));
    if (!manifestDirs.has(dir)) orphanDirs.set(dir, (orphanDirs.get(dir) || 0) + 1);
  }
  for (const [dir, n] of orphanDirs) {
    p('uncommitted', `${dir === '.' ? '(dataset root)' : dir}: ${n} file(s) outside any committed partition (no _manifest.json)`, { partition: dir });
  }
  if (manifestDirs.size === 0) p('empty', 'no committed partition');

  const manifests = new Map(); // partition dir -> manifest
  for (const part of [...manifestDirs].sort()) {
    const segs = part.split('/');
    if (part === '.' || !DT_SEG.test(segs[0]) || !segs.every((s) => PART_SEG.test(s))) {
      p('layout', `${part}: not a Hive partition path dt=YYYY-MM-DD[/key=value]`, { partition: part });
    }
    const mpath = path.join(dsDir, part, '_manifest.json');
    let m;
    try {
      m = JSON.parse(fs.readFileSync(mpath, 'utf8'));
    } catch (e) {
      p('manifest', `${part}/_manifest.json: unreadable: ${e.message}`, { partition: part });
      continue;
    }
    manifests.set(part, m);
    if (m.dataset !== ds) p('manifest', `${part}: manifest dataset is ${JSON.stringify(m.dataset)}`, { partition: part });
    if (m.partition !== part) p('manifest', `${part}: manifest partition is ${JSON.stringify(m.partition)}`, { partition: part });
    if (!Number.isInteger(m.schema_version) || m.schema_version < 1) p('manifest', `${part}: bad schema_version ${JSON.stringify(m.schema_version)}`, { partition: part });
    if (!m.run_id) p('manifest', `${part}: no run_id`, { partition: part });
    if (!Array.isArray(m.files)) { p('manifest', `${part}: no files list`, { partition: part }); continue; }
    const sum = m.files.reduce((a, f) => a + (Number(f.rows) || 0), 0);
    if (sum !== m.rows) p('manifest-rows', `${part}: manifest rows ${m.rows} != sum of its files' rows ${sum}`, { partition: part });
    st.rows += Number(m.rows) || 0;
    const listed = new Set(m.files.map((f) => f.name));
    for (const f of files) {
      const dir = path.posix.dirname(f);
      const base = path.posix.basename(f);
      if (dir === part && base !== '_manifest.json' && !listed.has(base)) {
        p('unlisted-file', `${part}/${base}: file is not in the manifest`, { partition: part, file: base });
      }
    }
    for (const f of m.files) {
      st.files++;
      let ok = true;
      const fail = (type, msg) => { ok = false; p(type, `${part}/${f.name}: ${msg}`, { partition: part, file: f.name }); };
      if (typeof f.name !== 'string' || f.name.includes('/') || f.name.startsWith('.')) { fail('manifest', 'bad file name'); continue; }
      const abs = path.join(dsDir, part, f.name);
      let size;
      try { size = fs.statSync(abs).size; } catch { fail('missing-file', 'listed in the manifest but missing'); continue; }
      if (size !== f.bytes) fail('bytes', `size ${size} != manifest bytes ${f.bytes}`);
      const sha = await sha256File(abs);
      if (sha !== String(f.sha256).toLowerCase()) fail('sha256', `SHA-256 ${sha.slice(0, 12)}… != manifest ${String(f.sha256).slice(0, 12)}…`);
      if (f.name.endsWith('.parquet')) {
        st.parquet = true;
        try {
          const [r] = await rows(con, `SELECT count(*) AS n FROM read_parquet(${q(abs)}, hive_partitioning = false)`);
          if (r.n !== f.rows) fail('file-rows', `DuckDB reads ${r.n} rows, manifest says ${f.rows}`);
        } catch (e) {
          fail('read-error', `DuckDB cannot read it: ${e.message.split('\n')[0]}`);
        }
      }
      if (ok) st.filesOk++;
    }
  }

  if (st.parquetFiles.length > 0) {
    st.parquet = true;
    await checkHive(con, dsDir, ds, manifests, st, p);
    await checkSchemas(con, dsDir, manifests, st, p);
  }
  return st;
}

// Read the dataset as any Hive-aware consumer would: every *.parquet file
// under it, partition keys from the path. Rows per partition must be exactly
// what the manifests say.
async function checkHive(con, dsDir, ds, manifests, st, p) {
  const keys = new Set();
  for (const f of st.parquetFiles) {
    for (const seg of path.relative(dsDir, path.dirname(f)).split(path.sep)) {
      if (PART_SEG.test(seg)) keys.add(seg.split('=')[0]);
    }
  }
  const keyList = [...keys];
  let got;
  try {
    const keySel = keyList.map((k) => `CAST(${ident(k)} AS VARCHAR) AS ${ident('k_' + k)}`).join(', ');
    got = await rows(con, `SELECT filename${keySel ? ', ' + keySel : ''}, count(*) AS n
      FROM read_parquet(${q(path.join(dsDir, '**', '*.parquet'))}, hive_partitioning = true, union_by_name = true, filename = true)
      GROUP BY ALL`);
  } catch (e) {
    p('read-error', `DuckDB cannot read the dataset Hive-style: ${e.message.split('\n')[0]}`);
    return;
  }
  const perPart = new Map();
  for (const r of got) {
    const rel = path.relative(dsDir, path.dirname(r.filename)).split(path.sep).join('/');
    perPart.set(rel, (perPart.get(rel) || 0) + r.n);
    for (const seg of rel.split('/')) {
      const [k, v] = seg.split('=');
      if (keys.has(k) && r['k_' + k] !== v) {
        p('hive', `${rel}: DuckDB derives ${k}=${r['k_' + k]} from the path`, { partition: rel });
      }
    }
  }
  for (const [part, m] of manifests) {
    const isParquet = Array.isArray(m.files) && m.files.some((f) => String(f.name).endsWith('.parquet'));
    if (!isParquet && !perPart.has(part)) continue;
    const n = perPart.get(part) || 0;
    if (n !== m.rows) {
      p('partition-rows', `${part}: DuckDB reads ${n} rows from read_parquet(hive_partitioning), manifest says ${m.rows}`, { partition: part });
    }
  }
}

// EXPECT: what a reader must see in a few datasets, written down here rather
// than taken from veil: the leading columns in order, and column types
// (regular expressions on DuckDB's type names). A dataset absent from a
// warehouse is not checked; a column absent from a file is a problem.
export const EXPECT = {
  events_clean: { first: ['event_id', 'ts', 'type', 'user_token'], types: { ts: /^TIMESTAMP WITH TIME ZONE$/ } },
  chats_clean: { first: ['conversation_id', 'message_id', 'ts'], types: { ts: /^TIMESTAMP WITH TIME ZONE$/ } },
  consumer_tags: { first: ['user_token', 'as_of'], types: { as_of: /^TIMESTAMP WITH TIME ZONE$/, interests: /^VARCHAR\[\]$/ } },
  quarantine: { first: ['file', 'line', 'reason', 'field'] },
};

// checkColumns compares one file's DESCRIBE with its manifest's columns and
// with EXPECT; fail(type, msg) records a problem.
export function checkColumns(ds, cols, manifestColumns, fail) {
  const names = cols.map((c) => c.column_name);
  if (Array.isArray(manifestColumns) && names.join(',') !== manifestColumns.join(',')) {
    fail('column-order', `DuckDB sees columns (${names.join(', ')}), the manifest declares (${manifestColumns.join(', ')})`);
  }
  const want = EXPECT[ds];
  if (!want) return;
  if (want.first && names.slice(0, want.first.length).join(',') !== want.first.join(',')) {
    fail('column-order', `DuckDB sees columns starting (${names.slice(0, want.first.length).join(', ')}), want (${want.first.join(', ')})`);
  }
  for (const [col, re] of Object.entries(want.types || {})) {
    const c = cols.find((x) => x.column_name === col);
    if (!c) fail('column-type', `no column ${col}`);
    else if (!re.test(c.column_type)) fail('column-type', `${col} is ${c.column_type}, want ${re}`);
  }
}

async function checkSchemas(con, dsDir, manifests, st, p) {
  const sigs = new Map(); // schema_version -> Map(signature -> [files])
  const ds = path.basename(dsDir);
  for (const [part, m] of manifests) {
    for (const f of m.files || []) {
      if (!String(f.name).endsWith('.parquet')) continue;
      const abs = path.join(dsDir, part, f.name);
      if (!fs.existsSync(abs)) continue;
      let sig;
      try {
        const cols = await rows(con, `DESCRIBE SELECT * FROM read_parquet(${q(abs)}, hive_partitioning = false)`);
        sig = cols.map((c) => `${c.column_name} ${c.column_type}`).join(', ');
        checkColumns(ds, cols, m.columns, (type, msg) => p(type, `${part}/${f.name}: ${msg}`, { partition: part, file: f.name }));
      } catch { continue; } // reported by the row check
      const v = m.schema_version;
      if (!sigs.has(v)) sigs.set(v, new Map());
      const bySig = sigs.get(v);
      if (!bySig.has(sig)) bySig.set(sig, []);
      bySig.get(sig).push(`${part}/${f.name}`);
    }
  }
  for (const [v, bySig] of sigs) {
    if (bySig.size > 1) {
      const desc = [...bySig.entries()].map(([s, fl]) => `${fl.length} file(s) e.g. ${fl[0]}: (${s.length > 200 ? s.slice(0, 200) + '…' : s})`).join('; ');
      p('schema', `schema_version ${v} files disagree on the schema: ${desc}`);
    }
  }
  const one = [...sigs.values()].map((m) => [...m.keys()][0]).filter(Boolean);
  if (one.length) st.columns = one[0].split(', ').length;
}

// ------------------------------------------------------------------ leak scan

// Where a match must not be glued to more of the same kind of characters:
// an IP inside a longer address is another IP, a short all-digit value (QQ
// id, passport number) inside a longer digit run is a coincidence. cidr: the
// value is a network address, and "value/len" is what generalisation makes.
function boundaryOf(kind, v) {
  if (kind === 'ip') {
    return v.includes(':')
      ? { pre: '[0-9A-Fa-f:]', post: '[0-9A-Fa-f:]', cidr: v.endsWith(':') }
      : { pre: '[0-9.]', post: '[0-9]', cidr: v.endsWith('.0') };
  }
  if (/^\d+$/.test(v) && v.length < 11) return { pre: '[0-9]', post: '[0-9]', cidr: false };
  return { pre: null, post: null, cidr: false };
}

async function loadNeedles(con, needles) {
  await con.run(`CREATE OR REPLACE TEMP TABLE needles(nid INTEGER, kind VARCHAR, src VARCHAR, val VARCHAR,
    digitish BOOLEAN, strict BOOLEAN, pre VARCHAR, post VARCHAR, cidr BOOLEAN)`);
  const ap = await con.createAppender('needles');
  let i = 0;
  for (const n of needles.map.values()) {
    const b = boundaryOf(n.kind, n.val);
    ap.appendInteger(i++); ap.appendVarchar(n.kind); ap.appendVarchar(n.src); ap.appendVarchar(n.val);
    ap.appendBoolean(DIGITISH.has(n.kind)); ap.appendBoolean(n.strict);
    if (b.pre) ap.appendVarchar(b.pre); else ap.appendNull();
    if (b.post) ap.appendVarchar(b.post); else ap.appendNull();
    ap.appendBoolean(b.cidr);
    ap.endRow();
  }
  ap.closeSync();
}

// isScalarList: a DuckDB column type that is a list (or fixed-size array),
// possibly nested, of scalars, e.g. VARCHAR[] for a Parquet LIST of strings.
// Lists of structs or maps are searched in their text form instead.
export function isScalarList(type) {
  return /(\[\d*\])+$/.test(type) && !/^(STRUCT|MAP|UNION)\b/i.test(type);
}

// hay_src: every distinct string an output holds, with where it is.
async function loadHay(con, wh, datasets, problems) {
  await con.run(`CREATE OR REPLACE TEMP TABLE hay_src(ds VARCHAR, col VARCHAR, file VARCHAR, s VARCHAR, n BIGINT)`);
  let textFiles = 0;
  for (const st of datasets) {
    const ds = st.dataset;
    const readable = [];
    for (const f of st.parquetFiles) {
      try { await con.run(`SELECT 1 FROM read_parquet(${q(f)}, hive_partitioning = false) LIMIT 0`); readable.push(f); } catch {
        problem(problems, 'read-error', `${ds}: ${path.relative(path.join(wh, ds), f)} cannot be read, not scanned for leaks`, { dataset: ds });
      }
    }
    dbg(`loading output strings of ${ds}`);
    if (readable.length) {
      const src = `read_parquet(${sqlList(readable)}, hive_partitioning = false, union_by_name = true, filename = true)`;
      const cols = (await rows(con, `DESCRIBE SELECT * FROM ${src}`)).filter((c) => c.column_name !== 'filename');
      for (const { column_name: c, column_type: type } of cols) {
        // Each element of a list is a value of its own: searched as one, a
        // raw value in an element is an exact leak, and no match can span
        // two elements as it could in the list's text form.
        const v = isScalarList(type) ? `unnest(${ident(c)}, recursive := true)` : ident(c);
        await con.run(`INSERT INTO hay_src
          SELECT ${q(ds)}, ${q(c)}, min(filename), v, count(*) FROM (SELECT CAST(${v} AS VARCHAR) AS v, filename FROM ${src})
          WHERE v IS NOT NULL AND length(v) >= ${GRAM} GROUP BY v`);
      }
    }
    // Reports, HTML, manifests and anything else that is not Parquet: the whole text.
    const others = [...st.textFiles, ...walk(path.join(wh, ds)).filter((f) => path.basename(f) === '_manifest.json')];
    if (others.length) {
      const ap = await con.createAppender('hay_src');
      for (const f of others) {
        const size = fs.statSync(f).size;
        if (size > MAX_TEXT_BYTES) {
          problem(problems, 'too-large', `${ds}: ${path.relative(wh, f)} is ${size} bytes, not scanned for leaks`, { dataset: ds });
          continue;
        }
        textFiles++;
        ap.appendVarchar(ds); ap.appendVarchar(path.basename(f)); ap.appendVarchar(f);
        ap.appendVarchar(fs.readFileSync(f).toString('utf8')); ap.appendBigInt(1n); ap.endRow();
      }
      ap.closeSync();
    }
  }
  return textFiles;
}

async function scanLeaks(con) {
  dbg('leak scan start');
  // Distinct output strings, plus a copy with spaces/dashes removed where
  // they separate digits (matched only against phone/card/ID values).
  await con.run(`CREATE OR REPLACE TEMP TABLE hay AS
    WITH d AS (SELECT DISTINCT s FROM hay_src)
    SELECT row_number() OVER () AS hid, orig, s, stripped FROM (
      SELECT s AS orig, s, false AS stripped FROM d
      UNION ALL
      SELECT s AS orig, regexp_replace(s, '[\\s\\-\\x{3000}]+', '', 'g') AS s, true AS stripped FROM d
      WHERE regexp_matches(s, '\\d[\\s\\-\\x{3000}]+\\d'))
    WHERE length(s) >= ${GRAM}`);
  dbg('hay built');
  // The grams of every searched value, and how often each occurs in the
  // outputs (only grams some value has are counted, so the aggregation stays
  // small however much text the outputs hold).
  await con.run(`CREATE OR REPLACE TEMP TABLE ngrams AS
    SELECT nid, i AS off, substr(val, i, ${GRAM}) AS g
    FROM (SELECT nid, val, unnest(range(1, length(val) - ${GRAM - 2})) AS i FROM needles)`);
  await con.run(`CREATE OR REPLACE TEMP TABLE gram_freq AS
    WITH wanted AS (SELECT DISTINCT g FROM ngrams)
    SELECT hg.g, count(*) AS f
    FROM (SELECT substr(s, i, ${GRAM}) AS g FROM (SELECT s, unnest(range(1, length(s) - ${GRAM - 2})) AS i FROM hay)) hg
    SEMI JOIN wanted USING (g)
    GROUP BY hg.g`);
  dbg('gram_freq built');
  // A value can only be a substring if every one of its grams occurs
  // somewhere; keep its rarest gram to find the candidate positions.
  await con.run(`CREATE OR REPLACE TEMP TABLE cand AS
    SELECT ng.nid, arg_min(ng.off, gf.f) AS off, arg_min(ng.g, gf.f) AS g
    FROM ngrams ng LEFT JOIN gram_freq gf USING (g)
    GROUP BY ng.nid
    HAVING count(*) = count(gf.f)`);
  const [{ n: candidates }] = await rows(con, `SELECT count(*) AS n FROM cand`);
  dbg('cand built');
  if (process.env.DUCKDB_CHECK_DEBUG) dbg(`candidates by kind: ${JSON.stringify(await rows(con, `SELECT kind, count(*) AS n FROM cand JOIN needles USING (nid) GROUP BY kind`))}`);
  await con.run(`CREATE OR REPLACE TEMP TABLE hits AS
    SELECT nid, orig, stripped, exact FROM (
      SELECT n.nid, n.pre, n.post, n.cidr, hg.orig, hg.stripped,
             (hg.i - c.off + 1 = 1 AND length(hg.s) = length(n.val) AND NOT hg.stripped) AS exact,
             CASE WHEN hg.i - c.off > 0 THEN substr(hg.s, hg.i - c.off, 1) ELSE '' END AS before,
             substr(hg.s, hg.i - c.off + 1 + length(n.val), 1) AS after
      FROM (SELECT orig, s, stripped, i, substr(s, i, ${GRAM}) AS g
            FROM (SELECT orig, s, stripped, unnest(range(1, length(s) - ${GRAM - 2})) AS i FROM hay)) hg
      JOIN cand c ON hg.g = c.g
      JOIN needles n ON n.nid = c.nid
      WHERE (NOT hg.stripped OR n.digitish)
        AND hg.i - c.off + 1 >= 1
        AND substr(hg.s, hg.i - c.off + 1, length(n.val)) = n.val)
    WHERE NOT coalesce(regexp_matches(before, pre), false)
      AND NOT coalesce(regexp_matches(after, post), false)
      AND NOT (cidr AND after = '/')`);
  dbg('hits built');
  const leaks = await rows(con, `
    WITH hv AS (SELECT nid, orig, bool_or(exact) AS exact, bool_and(stripped) AS only_stripped FROM hits GROUP BY nid, orig)
    SELECT hs.ds, hs.col, n.kind, n.src, n.val, n.strict, bool_or(hv.exact) AS exact, bool_and(hv.only_stripped) AS only_stripped,
           sum(hs.n) AS occurrences, min(hs.file) AS file
    FROM hv JOIN needles n USING (nid) JOIN hay_src hs ON hs.s = hv.orig
    GROUP BY ALL ORDER BY hs.ds, hs.col, n.kind, n.val`);
  const [{ h: hayCount }] = await rows(con, `SELECT count(*) AS h FROM hay WHERE NOT stripped`);
  return { leaks, candidates, hayCount };
}

// ------------------------------------------------------------------ the check

export async function runCheck({ landingDir, warehouseDir, truthDir = null, strict = false, needles = null, log = console.log }) {
  const t0 = performance.now();
  const problems = [];
  for (const [what, dir] of [['landing', landingDir], ['warehouse', warehouseDir]]) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      problem(problems, 'missing-dir', `${what} directory ${dir} does not exist`);
    }
  }
  const warnings = [];
  if (problems.length) return { ok: false, problems, warnings, datasets: [] };

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-duckdb-check-'));
  const db = await DuckDBInstance.create(':memory:', {
    threads: String(os.availableParallelism ? os.availableParallelism() : os.cpus().length),
    temp_directory: tmp,
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    // 1. integrity
    const datasets = [];
    for (const ds of listDatasets(warehouseDir)) datasets.push(await checkDataset(con, warehouseDir, ds, problems));
    if (!datasets.some((d) => d.parquet)) problem(problems, 'empty', `no Parquet dataset under ${warehouseDir}`);
    log(`integrity: ${datasets.length} datasets checked in ${secs(t0)} s`);

    // 2. leaks
    const t1 = performance.now();
    if (!needles) needles = await collectNeedles(landingDir, truthDir);
    if (needles.size === 0) {
      problem(problems, 'no-landing-pii', `found no raw identifiers in ${landingDir} (${needles.files} files, ${needles.lines} lines): nothing to check leaks against`);
    }
    const kinds = Object.entries(needles.byKind()).map(([k, n]) => `${k} ${n}`).join(', ');
    log(`landing: ${needles.lines} lines in ${needles.files} files (${needles.bad} not JSON objects) -> ${needles.size} raw values [${kinds}]` +
      (needles.short ? `; ${needles.short} values shorter than ${GRAM} chars not searched` : '') +
      (needles.truthFiles ? `; truth: ${needles.truthValues} PII values from ${needles.truthFiles} file(s)` : '') + ` (${secs(t1)} s)`);
    const t2 = performance.now();
    await loadNeedles(con, needles);
    const textFiles = await loadHay(con, warehouseDir, datasets, problems);
    const { leaks, candidates, hayCount } = await scanLeaks(con);
    log(`leak scan: ${hayCount} distinct output strings (Parquet columns of ${datasets.filter((d) => d.parquet).length} datasets + ${textFiles} report/manifest files), ` +
      `${candidates} values had all ${GRAM}-grams present, ${leaks.length} leak(s) (${secs(t2)} s)`);
    for (const l of leaks) {
      const how = l.exact ? 'exact value' : l.only_stripped ? 'substring once spaces/dashes are removed' : 'substring';
      const where = `${l.ds}.${l.col}: raw ${l.kind} "${mask(l.val)}" from ${l.src.startsWith('truth') ? '' : 'landing '}${l.src} found as ${how} ` +
        `(${l.occurrences} occurrence(s), e.g. ${path.relative(warehouseDir, l.file)})`;
      const extra = { dataset: l.ds, column: l.col, kind: l.kind, exact: l.exact, value: l.val };
      if (l.strict || strict) problem(problems, 'leak', `LEAK ${where}`, extra);
      else problem(warnings, 'suspect', `possible leak ${where}; a Luhn-valid digit run seen only in free text (not in a card field or the truth), e.g. an order number`, extra);
    }
    return { ok: problems.length === 0, problems, warnings, datasets, seconds: (performance.now() - t0) / 1000 };
  } finally {
    con.closeSync();
    db.closeSync();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function printTable(datasets, log) {
  const head = ['dataset', 'partitions', 'rows', 'files ok'];
  const body = datasets.map((d) => [d.dataset + (d.parquet ? '' : ' (not parquet)'), String(d.partitions), String(d.rows), `${d.filesOk}/${d.files}`]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  log(fmt(head));
  log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of body) log(fmt(r));
}

function printProblems(problems, log, limit = 50) {
  const byType = new Map();
  for (const p of problems) byType.set(p.type, (byType.get(p.type) || 0) + 1);
  problems.slice(0, limit).forEach((p) => log(`  [${p.type}] ${p.msg}`));
  if (problems.length > limit) log(`  … and ${problems.length - limit} more`);
  log(`  by type: ${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}`);
}

async function checkMain({ landingDir, warehouseDir, truthDir, strict }) {
  const log = console.log;
  log(`duckdb-check: landing ${landingDir}, warehouse ${warehouseDir}${truthDir ? ', truth ' + truthDir : ''} ` +
    `(DuckDB ${DUCKDB_VERSION} via @duckdb/node-api; no veil code)`);
  const res = await runCheck({ landingDir, warehouseDir, truthDir, strict, log });
  if (res.datasets.length) { log(''); printTable(res.datasets, log); log(''); }
  if (res.warnings.length) {
    const groups = new Map();
    for (const w of res.warnings) {
      const k = `${w.dataset}.${w.column}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(w);
    }
    log(`warning: ${res.warnings.length} Luhn-valid digit run(s) found only by regex in landing free text (not in a card field or the truth; ` +
      'e.g. order numbers) appear in the outputs. Not failing; --strict makes them failures:');
    for (const [k, ws] of groups) log(`  ${k}: ${ws.length} value(s), e.g. "${mask(ws[0].value)}"`);
    log('');
  }
  if (res.ok) {
    log(`OK${res.warnings.length ? ` (${res.warnings.length} warning(s), see above)` : ''}: every committed partition matches its manifest ` +
      `and no raw landing value appears in the outputs (${res.seconds.toFixed(1)} s)`);
    return 0;
  }
  if (res.problems.every((p) => p.type === 'missing-dir')) {
    res.problems.forEach((p) => console.error(`duckdb-check: ${p.msg}`));
    return 2;
  }
  log(`FAILED: ${res.problems.length} problem(s):`);
  const leaks = res.problems.filter((p) => p.type === 'leak');
  if (leaks.length) {
    const groups = new Map();
    for (const l of leaks) {
      const k = `${l.dataset}.${l.column}`;
      if (!groups.has(k)) groups.set(k, new Map());
      groups.get(k).set(l.kind, (groups.get(k).get(l.kind) || 0) + 1);
    }
    log(`  leaked raw values by output column:`);
    for (const [k, kinds] of groups) log(`    ${k}: ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  }
  printProblems(res.problems, log, 40);
  return 1;
}

// ------------------------------------------------------------------ self-test

function copyDir(src, dst) { fs.cpSync(src, dst, { recursive: true }); }

async function rewriteManifestFile(partDir, name) {
  const mp = path.join(partDir, '_manifest.json');
  const m = JSON.parse(fs.readFileSync(mp, 'utf8'));
  const f = m.files.find((x) => x.name === name);
  const abs = path.join(partDir, name);
  f.bytes = fs.statSync(abs).size;
  f.sha256 = await sha256File(abs);
  fs.writeFileSync(mp, JSON.stringify(m, null, 2));
}

function firstPartition(wh, ds, wantParquet = true) {
  const mans = walk(path.join(wh, ds)).filter((f) => path.basename(f) === '_manifest.json').sort();
  for (const mp of mans) {
    const m = JSON.parse(fs.readFileSync(mp, 'utf8'));
    const f = (m.files || []).find((x) => (wantParquet ? x.name.endsWith('.parquet') : !x.name.endsWith('.parquet')) && x.rows > 0);
    if (f) return { dir: path.dirname(mp), manifest: m, file: f.name, part: m.partition };
  }
  return null;
}

async function varcharColumns(con, file) {
  return (await rows(con, `DESCRIBE SELECT * FROM read_parquet(${q(file)}, hive_partitioning = false)`))
    .filter((c) => c.column_type === 'VARCHAR').map((c) => c.column_name);
}

async function listColumns(con, file) {
  return (await rows(con, `DESCRIBE SELECT * FROM read_parquet(${q(file)}, hive_partitioning = false)`))
    .filter((c) => isScalarList(c.column_type)).map((c) => c.column_name);
}

function pickNeedle(needles, kind, pred = () => true) {
  for (const n of needles.map.values()) if (n.kind === kind && n.strict && pred(n.val)) return n.val;
  return null;
}

async function selfTest(demoDir) {
  const log = console.log;
  const quiet = () => {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-duckdb-selftest-'));
  const base = path.join(work, 'base');
  const failures = [];
  const t0 = performance.now();
  const expect = (name, cond, detail) => {
    log(`  ${cond ? 'ok  ' : 'FAIL'} ${name}${cond ? '' : ' — ' + detail}`);
    if (!cond) failures.push(name);
  };
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const con = await db.connect();
  try {
    if (demoDir) {
      log(`self-test on a copy of ${demoDir}`);
      fs.mkdirSync(base);
      copyDir(path.join(demoDir, 'warehouse'), path.join(base, 'warehouse'));
    } else {
      log('self-test on a synthetic fixture (scripts/fixture.mjs)');
      const { makeFixture } = await import('./fixture.mjs');
      await makeFixture(base, { events: 3000, days: 2, chats: 400, seed: 11 });
    }
    const landingDir = demoDir ? path.join(demoDir, 'landing') : path.join(base, 'landing');
    let truthDir = demoDir ? path.join(demoDir, 'truth') : path.join(base, 'truth');
    if (!fs.existsSync(truthDir)) truthDir = null;
    const needles = await collectNeedles(landingDir, truthDir);
    log(`  landing: ${needles.size} raw values${truthDir ? ` (with ${needles.truthValues} from the truth)` : ''}`);
    const cliArgs = (wh) => [SELF, '--landing', landingDir, '--warehouse', wh, ...(truthDir ? ['--truth', truthDir] : [])];
    const scenario = async (name, mutate) => {
      const dir = path.join(work, name);
      copyDir(path.join(base, 'warehouse'), path.join(dir, 'warehouse'));
      const info = await mutate(path.join(dir, 'warehouse'));
      if (info === null) { log(`  skip ${name} (nothing suitable in this warehouse)`); return null; }
      const res = await runCheck({ landingDir, warehouseDir: path.join(dir, 'warehouse'), truthDir, needles, log: quiet });
      return { ...res, info, dir };
    };
    const has = (res, type, pred = () => true) => res.problems.some((p) => p.type === type && pred(p));
    const summary = (res) => res.problems.map((p) => p.type).join(',') || 'none';

    // 0. the untouched warehouse passes
    const clean = await runCheck({ landingDir, warehouseDir: path.join(base, 'warehouse'), truthDir, needles, log: quiet });
    expect('baseline passes', clean.ok, `baseline has problems: ${clean.problems.slice(0, 5).map((p) => p.msg).join(' | ')}`);
    if (!clean.ok) {
      printProblems(clean.problems, log, 20);
      throw new Error('the unmodified warehouse does not pass; the remaining scenarios would prove nothing');
    }
    if (!demoDir) {
      // the fixture leaves Luhn-valid order numbers in chat text on purpose
      expect('baseline: unconfirmed Luhn runs in free text are warnings', clean.warnings.some((w) => w.type === 'suspect' && w.kind === 'card'),
        `warnings: ${clean.warnings.length}`);
      const strictCli = spawnSync(process.execPath, [...cliArgs(path.join(base, 'warehouse')), '--strict'], { encoding: 'utf8' });
      expect('baseline: --strict turns them into failures', strictCli.status === 1 && strictCli.stdout.includes('LEAK '), `exit ${strictCli.status}`);
    }
    const parquetDs = clean.datasets.filter((d) => d.parquet && d.rows > 0).map((d) => d.dataset);
    const prefer = (names) => names.find((n) => parquetDs.includes(n)) || parquetDs[0];

    // 1. a raw email planted as an extra Parquet file in a partition, manifest untouched
    const email = pickNeedle(needles, 'email') || [...needles.map.values()][0].val;
    const r1 = await scenario('planted-file', async (wh) => {
      const ds = prefer(['events_clean']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const col = (await varcharColumns(con, src)).at(-1);
      await con.run(`COPY (SELECT * REPLACE (${q(email)} AS ${ident(col)}) FROM read_parquet(${q(src)}, hive_partitioning = false) LIMIT 1)
        TO ${q(path.join(fp.dir, 'part-09999.parquet'))} (FORMAT parquet)`);
      return { ds, col, part: fp.part };
    });
    log(`  planted a raw email into ${r1.info.ds}/${r1.info.part}/part-09999.parquet column ${r1.info.col}: problems ${summary(r1)}`);
    expect('planted file: leak reported (exact, right dataset/column)', has(r1, 'leak', (p) => p.dataset === r1.info.ds && p.column === r1.info.col && p.exact && p.value === email), summary(r1));
    expect('planted file: partition row count mismatch reported', has(r1, 'partition-rows', (p) => p.dataset === r1.info.ds && p.partition === r1.info.part), summary(r1));
    expect('planted file: file not in manifest reported', has(r1, 'unlisted-file'), summary(r1));
    const cli = spawnSync(process.execPath, cliArgs(path.join(r1.dir, 'warehouse')), { encoding: 'utf8' });
    expect('planted file: CLI exits 1 and names the leak', cli.status === 1 && cli.stdout.includes('LEAK '), `exit ${cli.status}: ${cli.stdout.slice(-500)} ${cli.stderr}`);
    expect('planted file: CLI output masks the leaked value', !cli.stdout.includes(email) && !cli.stderr.includes(email) && cli.stdout.includes(mask(email)), 'raw value printed or mask missing');

    // 2. a card number, formatted with spaces, inside free text; manifest consistent
    const card = pickNeedle(needles, 'card', (v) => /^\d{16}$/.test(v));
    const r2 = await scenario('card-in-text', async (wh) => {
      if (!card) return null;
      const ds = prefer(['chats_clean', 'events_clean']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const cols = await varcharColumns(con, src);
      const col = cols.includes('text') ? 'text' : cols.at(-1);
      const spaced = card.replace(/(\d{4})(?=\d)/g, '$1 ');
      const tmp = src + '.tmp';
      await con.run(`COPY (SELECT * EXCLUDE (rn) REPLACE (CASE WHEN rn = 1 THEN ${q('退款请退到 ' + spaced + ' 谢谢')} ELSE ${ident(col)} END AS ${ident(col)})
        FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet(${q(src)}, hive_partitioning = false))) TO ${q(tmp)} (FORMAT parquet)`);
      fs.renameSync(tmp, src);
      await rewriteManifestFile(fp.dir, fp.file);
      return { ds, col };
    });
    if (r2) {
      log(`  put a space-formatted card number inside ${r2.info.ds}.${r2.info.col}: problems ${summary(r2)}`);
      expect('card in text: leak found after stripping spaces', has(r2, 'leak', (p) => p.kind === 'card' && p.dataset === r2.info.ds && p.column === r2.info.col && !p.exact), summary(r2));
      expect('card in text: nothing else reported (manifest was updated)', r2.problems.every((p) => p.type === 'leak'), summary(r2));
    }

    // 3. a phone number inside a report's JSON, manifest updated
    const phone = pickNeedle(needles, 'phone', (v) => /^1[3-9]\d{9}$/.test(v));
    const r3 = await scenario('phone-in-report', async (wh) => {
      if (!phone || !fs.existsSync(path.join(wh, 'reports'))) return null;
      const fp = firstPartition(wh, 'reports', false);
      if (!fp) return null;
      const f = path.join(fp.dir, fp.file);
      const text = fs.readFileSync(f, 'utf8');
      const planted = fp.file.endsWith('.json') ? text.replace(/\{/, `{"debug_sample": "call ${phone} back",`) : text + `\n<!-- ${phone} -->\n`;
      fs.writeFileSync(f, planted);
      await rewriteManifestFile(fp.dir, fp.file);
      return { file: fp.file };
    });
    if (r3) {
      log(`  put a phone number into reports/${r3.info.file}: problems ${summary(r3)}`);
      expect('phone in report: leak reported in reports', has(r3, 'leak', (p) => p.dataset === 'reports' && p.kind === 'phone'), summary(r3));
    }

    // 4. a checksum-valid resident ID appended to a tag value (substring)
    const rid = pickNeedle(needles, 'resident_id');
    const r4 = await scenario('id-substring', async (wh) => {
      if (!rid) return null;
      const ds = prefer(['consumer_tags', 'risk_features', 'events_clean']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const col = (await varcharColumns(con, src))[0];
      const tmp = src + '.tmp';
      await con.run(`COPY (SELECT * EXCLUDE (rn) REPLACE (CASE WHEN rn = 2 THEN coalesce(${ident(col)}, '') || ${q(',' + rid)} ELSE ${ident(col)} END AS ${ident(col)})
        FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet(${q(src)}, hive_partitioning = false))) TO ${q(tmp)} (FORMAT parquet)`);
      fs.renameSync(tmp, src);
      await rewriteManifestFile(fp.dir, fp.file);
      return { ds, col };
    });
    if (r4) {
      log(`  appended a resident ID to ${r4.info.ds}.${r4.info.col}: problems ${summary(r4)}`);
      expect('resident ID substring: leak reported', has(r4, 'leak', (p) => p.kind === 'resident_id' && p.dataset === r4.info.ds && !p.exact), summary(r4));
    }

    // 4a. a raw user id as one element of a LIST column (consumer_tags.interests);
    // DuckDB must read the column as a list, with null and empty lists apart
    const uid = pickNeedle(needles, 'user_id');
    const r4a = await scenario('list-element', async (wh) => {
      const ds = prefer(['consumer_tags']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const col = (await listColumns(con, src))[0];
      if (!uid || !col) return null;
      const [shape] = await rows(con, `SELECT any_value(typeof(${ident(col)})) AS type,
          count(*) FILTER (WHERE ${ident(col)} IS NULL) AS nulls, count(*) FILTER (WHERE len(${ident(col)}) = 0) AS empties
        FROM read_parquet(${q(path.join(wh, ds, '**', '*.parquet'))}, hive_partitioning = false)`);
      const tmp = src + '.tmp';
      await con.run(`COPY (SELECT * EXCLUDE (rn) REPLACE (CASE WHEN rn = 2 THEN list_append(coalesce(${ident(col)}, []), ${q(uid)}) ELSE ${ident(col)} END AS ${ident(col)})
        FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet(${q(src)}, hive_partitioning = false))) TO ${q(tmp)} (FORMAT parquet)`);
      fs.renameSync(tmp, src);
      await rewriteManifestFile(fp.dir, fp.file);
      return { ds, col, ...shape };
    });
    if (r4a) {
      log(`  appended a raw user id to the ${r4a.info.type} column ${r4a.info.ds}.${r4a.info.col} (${r4a.info.nulls} null, ${r4a.info.empties} empty lists): problems ${summary(r4a)}`);
      if (!demoDir) {
        expect('list column: DuckDB reads a LIST with null and empty lists', r4a.info.type === 'VARCHAR[]' && r4a.info.nulls > 0 && r4a.info.empties > 0,
          `type ${r4a.info.type}, ${r4a.info.nulls} null, ${r4a.info.empties} empty`);
      }
      expect('list element: leak reported (exact, right dataset/column)',
        has(r4a, 'leak', (p) => p.dataset === r4a.info.ds && p.column === r4a.info.col && p.exact && p.value === uid), summary(r4a));
      expect('list element: nothing else reported (manifest was updated)', r4a.problems.every((p) => p.type === 'leak'), summary(r4a));
    } else if (!demoDir) {
      expect('list column in the fixture', false, 'no list column or user id to plant');
    }

    // 4b. a value known only from the truth (e.g. a passport or QQ id in a chat)
    const truthOnly = [...needles.map.values()].find((n) => n.src.startsWith('truth') && n.strict && !/^\d+$/.test(n.val));
    const r4b = await scenario('truth-value', async (wh) => {
      if (!truthOnly) return null;
      const ds = prefer(['chats_clean', 'events_clean']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const cols = await varcharColumns(con, src);
      const col = cols.includes('text') ? 'text' : cols.at(-1);
      const tmp = src + '.tmp';
      await con.run(`COPY (SELECT * EXCLUDE (rn) REPLACE (CASE WHEN rn = 3 THEN ${q('ok: ' + truthOnly.val + '.')} ELSE ${ident(col)} END AS ${ident(col)})
        FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet(${q(src)}, hive_partitioning = false))) TO ${q(tmp)} (FORMAT parquet)`);
      fs.renameSync(tmp, src);
      await rewriteManifestFile(fp.dir, fp.file);
      return { ds, col, kind: truthOnly.kind };
    });
    if (r4b) {
      log(`  put a ${r4b.info.kind} known from the truth into ${r4b.info.ds}.${r4b.info.col}: problems ${summary(r4b)}`);
      expect('truth value: leak reported', has(r4b, 'leak', (p) => p.kind === r4b.info.kind && p.dataset === r4b.info.ds), summary(r4b));
    }

    // 5. manifest tampering: wrong checksum and wrong per-file rows
    const r5 = await scenario('tampered-manifest', async (wh) => {
      const ds = prefer(['events_clean']);
      const fp = firstPartition(wh, ds);
      const mp = path.join(fp.dir, '_manifest.json');
      const m = JSON.parse(fs.readFileSync(mp, 'utf8'));
      m.files[0].sha256 = '0'.repeat(64);
      m.files[0].rows += 1;
      fs.writeFileSync(mp, JSON.stringify(m, null, 2));
      return { ds, part: fp.part };
    });
    log(`  tampered with ${r5.info.ds}/${r5.info.part}/_manifest.json: problems ${summary(r5)}`);
    expect('tampered manifest: SHA-256 mismatch reported', has(r5, 'sha256'), summary(r5));
    expect('tampered manifest: per-file row mismatch reported', has(r5, 'file-rows'), summary(r5));
    expect('tampered manifest: rows != sum(files) reported', has(r5, 'manifest-rows'), summary(r5));

    // 5b. a Parquet file whose columns are out of the declared order
    // (checksums updated, so only the order is wrong)
    const r5b = await scenario('column-order', async (wh) => {
      const ds = prefer(['consumer_tags', 'events_clean']);
      const fp = firstPartition(wh, ds);
      const src = path.join(fp.dir, fp.file);
      const cols = (await rows(con, `DESCRIBE SELECT * FROM read_parquet(${q(src)}, hive_partitioning = false)`)).map((c) => c.column_name);
      const tmp = src + '.tmp';
      await con.run(`COPY (SELECT ${[...cols].reverse().map(ident).join(', ')} FROM read_parquet(${q(src)}, hive_partitioning = false)) TO ${q(tmp)} (FORMAT parquet)`);
      fs.renameSync(tmp, src);
      await rewriteManifestFile(fp.dir, fp.file);
      return { ds, part: fp.part, declared: Array.isArray(fp.manifest.columns) };
    });
    log(`  reversed the columns of a ${r5b.info.ds} file: problems ${summary(r5b)}`);
    expect('column order: reported', has(r5b, 'column-order', (p) => p.dataset === r5b.info.ds), summary(r5b));
    if (!demoDir) expect('column order: the fixture declares columns in its manifests', r5b.info.declared, 'no columns in the manifest');

    // 5c. interests stored as a comma-joined string instead of a LIST, in
    // every file (as a writer that joins lists would)
    const r5c = await scenario('list-as-string', async (wh) => {
      if (!parquetDs.includes('consumer_tags')) return null;
      const files = walk(path.join(wh, 'consumer_tags')).filter((f) => f.endsWith('.parquet'));
      for (const src of files) {
        const tmp = src + '.tmp';
        await con.run(`COPY (SELECT * REPLACE (array_to_string(interests, ',') AS interests) FROM read_parquet(${q(src)}, hive_partitioning = false)) TO ${q(tmp)} (FORMAT parquet)`);
        fs.renameSync(tmp, src);
        await rewriteManifestFile(path.dirname(src), path.basename(src));
      }
      return { files: files.length };
    });
    if (r5c) {
      log(`  wrote consumer_tags.interests as a comma-joined string: problems ${summary(r5c)}`);
      expect('interests not a LIST: reported', has(r5c, 'column-type', (p) => p.dataset === 'consumer_tags' && p.msg.includes('interests')), summary(r5c));
    } else if (!demoDir) {
      expect('consumer_tags in the fixture', false, 'no consumer_tags to rewrite');
    }

    // 6. a partition directory without a manifest (uncommitted)
    const r6 = await scenario('uncommitted', async (wh) => {
      const ds = prefer(['events_clean']);
      const fp = firstPartition(wh, ds);
      const dir = path.join(wh, ds, 'dt=2099-12-31');
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(path.join(fp.dir, fp.file), path.join(dir, 'part-00000.parquet'));
      return { ds };
    });
    log(`  added ${r6.info.ds}/dt=2099-12-31 without a manifest: problems ${summary(r6)}`);
    expect('uncommitted partition reported', has(r6, 'uncommitted'), summary(r6));
  } catch (e) {
    log(`self-test error: ${e.stack || e.message}`);
    failures.push('error');
  } finally {
    con.closeSync();
    db.closeSync();
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) {
    log(`SELF-TEST FAILED: ${failures.length} expectation(s) not met (${secs(t0)} s)`);
    return 1;
  }
  log(`SELF-TEST OK: the check detects planted leaks, row-count and checksum mismatches, columns out of order or of the wrong type, and uncommitted partitions (${secs(t0)} s)`);
  return 0;
}

// ------------------------------------------------------------------ CLI

const USAGE = `usage: node duckdb-check.mjs [--strict] DEMO_DIR     check DEMO_DIR/landing (+ DEMO_DIR/truth) against DEMO_DIR/warehouse
       node duckdb-check.mjs [--strict] --landing DIR --warehouse DIR [--truth DIR]
       node duckdb-check.mjs --self-test [DEMO_DIR]       prove the check catches planted faults
  --strict    also fail on Luhn-valid digit runs seen only in free text (possible order numbers)
  --no-truth  ignore DEMO_DIR/truth (use only what landing and the regexes yield)`;

function parseCli(args) {
  const o = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--self-test') o.selfTest = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--no-truth') o.noTruth = true;
    else if (a === '--landing' || a === '--warehouse' || a === '--truth') {
      if (i + 1 >= args.length) throw new Error(`${a} needs a directory`);
      o[a.slice(2)] = args[++i];
    } else if (a === '-h' || a === '--help') o.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown flag ${a}`);
    else if (o.dir === undefined) o.dir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return o;
}

let DUCKDB_VERSION = '?';
try {
  DUCKDB_VERSION = JSON.parse(fs.readFileSync(path.join(path.dirname(SELF), 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')).version;
} catch { /* informational only */ }

// realpath: run through a symlink, the script must still run, not exit 0 doing nothing.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === SELF) {
  let code;
  try {
    const o = parseCli(process.argv.slice(2));
    if (o.help) { console.log(USAGE); code = 0; } else if (o.selfTest) code = await selfTest(o.dir);
    else if (o.dir !== undefined && !o.landing && !o.warehouse) {
      const truth = o.truth || path.join(o.dir, 'truth');
      code = await checkMain({ landingDir: path.join(o.dir, 'landing'), warehouseDir: path.join(o.dir, 'warehouse'),
        truthDir: !o.noTruth && fs.existsSync(truth) ? truth : null, strict: o.strict });
    } else if (o.dir === undefined && o.landing && o.warehouse) {
      code = await checkMain({ landingDir: o.landing, warehouseDir: o.warehouse, truthDir: o.truth || null, strict: o.strict });
    } else { console.error(USAGE); code = 2; }
  } catch (e) {
    console.error(`duckdb-check: ${e.stack || e.message}`);
    code = 2;
  }
  process.exit(code);
}
