#!/usr/bin/env node
// fixture.mjs — builds a fake veil demo directory WITHOUT veil, for testing
// duckdb-check.mjs and duckdb-bench.mjs before (or independently of) the veil
// binary:
//
//   DIR/landing/{events,chats,labels,optouts}/dt=YYYY-MM-DD/part-NNNNN.jsonl[.gz] + _SUCCESS
//   DIR/warehouse/{events_clean,chats_clean,consumer_tags,quarantine,reports}/dt=.../  (+ _manifest.json)
//   DIR/warehouse/_staging/... (junk that a checker must ignore)
//
// The "pseudonymisation" is a keyed HMAC and the chat redaction a handful of
// regexes: just enough to produce outputs without raw values. Everything is
// deterministic for a given --seed.
//
// Usage: node scripts/fixture.mjs OUTDIR [--events N] [--days D] [--chats M]
//                                  [--seed S] [--gzip] [--landing-only]

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, LIST, VARCHAR } from '@duckdb/node-api';

// ---------------------------------------------------------------- PRNG

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.f = mulberry32(seed); }
  float() { return this.f(); }
  int(n) { return Math.floor(this.f() * n); }
  pick(a) { return a[this.int(a.length)]; }
  digits(n) { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(10)); return s; }
  hex(n) { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)]; return s; }
  chance(p) { return this.f() < p; }
}

// ---------------------------------------------------------------- identifiers

export function luhnCheckDigit(payload) {
  let sum = 0;
  let dbl = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    dbl = !dbl;
  }
  return String((10 - (sum % 10)) % 10);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function residentIdCheck(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11];
}

const CARD_PREFIXES = ['622202', '622848', '621700', '4111', '4392', '51', '55'];
const REGIONS = [
  ['110105', '北京市', '朝阳区'], ['310115', '上海市', '浦东新区'], ['440305', '广东省', '深圳市南山区'],
  ['330106', '浙江省', '杭州市西湖区'], ['510107', '四川省', '成都市武侯区'], ['420111', '湖北省', '武汉市洪山区'],
];
const STREETS_ZH = ['建国路', '人民路', '中山路', '解放大道', '文一西路', '科技园南路'];
const STREETS_EN = ['Baker Street', 'Orchard Road', 'Market Street', 'Queen Street'];
const CITIES_EN = [['London', 'GB'], ['Singapore', 'SG'], ['San Francisco', 'US'], ['Auckland', 'NZ']];
const CATEGORIES = ['beauty', 'skincare', 'electronics', 'phones', 'apparel', 'shoes', 'home', 'food', 'toys', 'books'];
const TYPES = ['view', 'view', 'view', 'view', 'click', 'click', 'fav', 'cart', 'purchase', 'login', 'login_failed',
  'register', 'payment', 'payment_failed', 'coupon_redeem', 'refund'];
const NAMES = ['li.wei', 'wang.fang', 'zhang_min', 'chen.jie', 'liu.yang', 'john.smith', 'emma.w', 'zhao.lei'];
const DOMAINS = ['163.com', 'qq.com', '126.com', 'gmail.com', 'outlook.com', 'sina.com'];

function makeUser(r, i) {
  const cn = r.chance(0.8);
  const national = '1' + r.pick('3456789') + r.digits(9);
  const phoneFmt = r.int(4);
  const phone = cn
    ? [national, `+86 ${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`,
      `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`, `+86${national}`][phoneFmt]
    : `+44 20 ${r.digits(4)} ${r.digits(4)}`;
  let card = r.pick(CARD_PREFIXES);
  while (card.length < 15) card += r.digits(1);
  card += luhnCheckDigit(card);
  const cardFmt = r.chance(0.3) ? card.replace(/(\d{4})(?=\d)/g, '$1 ') : card;
  const year = 1955 + r.int(50);
  const month = String(1 + r.int(12)).padStart(2, '0');
  const day = String(1 + r.int(28)).padStart(2, '0');
  const gender = r.pick(['F', 'M', 'U']);
  const region = r.pick(REGIONS);
  const address = cn
    ? `${region[1]}${region[2]}${r.pick(STREETS_ZH)}${1 + r.int(300)}号${1 + r.int(30)}栋${100 + r.int(2000)}室`
    : (() => { const c = r.pick(CITIES_EN); return `${1 + r.int(200)} ${r.pick(STREETS_EN)}, ${c[0]}, ${c[1]}`; })();
  const idSeq = String(r.int(1000)).padStart(3, '0');
  const id17 = region[0] + year + month + day + idSeq;
  const ndev = 1 + r.int(2);
  const nip = 1 + r.int(2);
  return {
    user_id: 'u' + String((i * 48271 + 12345678) % 100000000).padStart(8, '0'),
    country: cn ? 'CN' : r.pick(['GB', 'SG', 'US', 'NZ']),
    phone, national,
    email: `${r.pick(NAMES)}${r.int(10000)}@${r.pick(DOMAINS)}`,
    card, cardFmt,
    birth_date: `${year}-${month}-${day}`,
    gender, address,
    resident_id: id17 + residentIdCheck(id17),
    devices: Array.from({ length: ndev }, () => 'dev-' + r.hex(12)),
    ips: Array.from({ length: nip }, () => (r.chance(0.9)
      ? `${1 + r.int(222)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`
      : `2408:${r.hex(4)}:${r.hex(4)}:${r.hex(4)}::${r.hex(3)}`)),
  };
}

function dayStrings(days) {
  const base = Date.UTC(2026, 10, 19) - (days - 1) * 86400000;
  return Array.from({ length: days }, (_, i) => new Date(base + i * 86400000).toISOString().slice(0, 10));
}

// ---------------------------------------------------------------- landing

function writeJsonl(file, lines, gzip) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = Buffer.from(lines.join('\n') + '\n');
  if (gzip) fs.writeFileSync(file + '.gz', zlib.gzipSync(body, { level: 1 }));
  else fs.writeFileSync(file, body);
}

function genEvents(r, users, dt, n) {
  const t0 = Date.parse(dt + 'T00:00:00Z');
  const out = []; // {line, obj|null, bad: reason|null}
  for (let i = 0; i < n; i++) {
    const u = users[r.int(users.length)];
    const type = r.pick(TYPES);
    const ev = {
      event_id: uuidFrom(r),
      ts: new Date(t0 + r.int(86400000)).toISOString(),
      type,
      user_id: u.user_id,
      device_id: r.pick(u.devices),
      ip: r.pick(u.ips),
      merchant_id: 'm' + (1000 + r.int(50)),
    };
    if (['view', 'click', 'fav', 'cart', 'purchase', 'refund'].includes(type)) {
      ev.item_id = 'i' + r.digits(7);
      ev.category = r.pick(CATEGORIES);
    }
    if (['purchase', 'payment', 'payment_failed', 'refund'].includes(type)) {
      ev.amount = Math.round(r.float() * 200000) / 100;
      ev.currency = 'CNY';
      ev.payment_card = u.cardFmt;
    }
    if (type === 'purchase') ev.shipping_address = u.address;
    if (type === 'coupon_redeem') ev.coupon_id = 'c' + r.digits(5);
    if (r.chance(0.05)) ev.live_session_id = 'ls' + r.digits(6);
    if (type === 'register' || r.chance(0.02)) {
      Object.assign(ev, {
        birth_date: u.birth_date, gender: u.gender, country: u.country,
        phone: u.phone, email: u.email, shipping_address: u.address,
      });
    }
    let line = JSON.stringify(ev);
    let bad = null;
    const m = r.float();
    if (m < 0.004) { line = line.slice(0, Math.max(10, Math.floor(line.length * 0.6))); bad = 'malformed_json'; }
    else if (m < 0.007) { delete ev.user_id; line = JSON.stringify(ev); bad = 'missing_user_id'; }
    else if (m < 0.009) { ev.ts = 'yesterday'; line = JSON.stringify(ev); bad = 'bad_ts'; }
    else if (m < 0.011 && ev.payment_card) {
      // a producer that writes the card as a JSON number (precision-losing in JS)
      line = line.replace(/"payment_card":"[^"]*"/, `"payment_card":${u.card}`);
      bad = 'card_not_string';
    }
    out.push({ line, obj: bad ? null : ev, bad, user: u });
  }
  return out;
}

function uuidFrom(r) {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Buyer lines with PII return [text, pii spans] like the generator's truth.
function luhnOrder(r) {
  const p = '3' + r.digits(17);
  return p + luhnCheckDigit(p);
}
const CHAT_TEMPLATES = [
  (u) => { const v = `${u.national.slice(0, 3)} ${u.national.slice(3, 7)} ${u.national.slice(7)}`; return [`我的手机号是 ${v}，请尽快联系我`, [{ type: 'phone', value: v }]]; },
  (u) => [`My email is ${u.email}, please send the invoice there.`, [{ type: 'email', value: u.email }]],
  (u) => { const v = u.card.replace(/(\d{4})(?=\d)/g, '$1-'); return [`卡号 ${v} 扣款两次了`, [{ type: 'bank_card', value: v }]]; },
  (u) => [`身份证号${u.resident_id}，实名认证一直失败`, [{ type: 'cn_resident_id', value: u.resident_id }]],
  (u) => { const v = `+86 ${u.national.slice(0, 3)}-${u.national.slice(3, 7)}-${u.national.slice(7)}`; return [`call me at ${v} after 6pm`, [{ type: 'phone', value: v }]]; },
  (u) => [`请寄到${u.address}`, [{ type: 'address', value: u.address }]],
  (u, r) => [`订单号${luhnOrder(r)}怎么还没发货`, []],
  (u, r) => [`您的快递单号是SF${r.digits(13)}`, []],
  () => ['什么时候发货？', []],
  () => ['Is the lipstick still in stock?', []],
  () => ['好的，谢谢', []],
  () => ['The parcel arrived damaged, can I get a refund?', []],
];
const PII_TEMPLATES = 6;

function genChats(r, users, dt, n) {
  const t0 = Date.parse(dt + 'T00:00:00Z');
  const out = [];
  let conv = null;
  let convUser = null;
  for (let i = 0; i < n; i++) {
    if (!conv || r.chance(0.25)) { conv = 'cv-' + r.hex(10); convUser = users[r.int(users.length)]; }
    const sender = r.pick(['buyer', 'buyer', 'seller', 'bot']);
    const [text, pii] = sender === 'buyer' ? r.pick(CHAT_TEMPLATES)(convUser, r) : r.pick(CHAT_TEMPLATES.slice(PII_TEMPLATES))(convUser, r);
    out.push({
      conversation_id: conv, message_id: 'msg-' + r.hex(12),
      ts: new Date(t0 + r.int(86400000)).toISOString(), merchant_id: 'm' + (1000 + r.int(50)),
      user_id: convUser.user_id, sender, text, pii,
    });
  }
  return out;
}

// ---------------------------------------------------------------- fake veil

const KEY = Buffer.from('fixture-key-not-secret');
function tok(field, v) {
  if (v === undefined || v === null) return null;
  return 'tk1_' + crypto.createHmac('sha256', KEY).update(field + '\0' + v).digest('base64url').slice(0, 27);
}

function redact(text) {
  let n = 0;
  const rep = (tag) => () => { n++; return `<${tag}>`; };
  let t = text.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, rep('EMAIL'));
  t = t.replace(/(?<!\d)\d{17}[\dXx](?!\d)/g, rep("ID"));
  // like a redactor that knows order numbers are not PII
  t = t.replace(/\+?\d[\d \-]{9,}\d/g, (m) => (/^3\d{18}$/.test(m) ? m : rep('NUMBER')()));
  t = t.replace(/请寄到.*/u, () => { n++; return '请寄到<ADDRESS>'; });
  return { text: t, n };
}

function ageBand(birth, dt) {
  const age = Number(dt.slice(0, 4)) - Number(birth.slice(0, 4));
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  return '55+';
}

function ipPrefix(ip) {
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':') + '::/48';
  return ip.split('.').slice(0, 3).join('.') + '.0/24';
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

const SCHEMAS = {
  events_clean: [
    ['event_id', 'VARCHAR'], ['ts', 'TIMESTAMP_MS'], ['type', 'VARCHAR'], ['user_token', 'VARCHAR'],
    ['device_token', 'VARCHAR'], ['ip_token', 'VARCHAR'], ['ip_prefix', 'VARCHAR'], ['merchant_id', 'VARCHAR'],
    ['item_id', 'VARCHAR'], ['category', 'VARCHAR'], ['amount', 'DOUBLE'], ['currency', 'VARCHAR'],
    ['coupon_id', 'VARCHAR'], ['live_session_id', 'VARCHAR'], ['card_token', 'VARCHAR'], ['age_band', 'VARCHAR'],
    ['gender', 'VARCHAR'], ['region', 'VARCHAR'], ['country', 'VARCHAR'], ['phone_token', 'VARCHAR'],
    ['email_token', 'VARCHAR'],
  ],
  chats_clean: [
    ['conversation_id', 'VARCHAR'], ['message_id', 'VARCHAR'], ['ts', 'TIMESTAMP_MS'], ['merchant_id', 'VARCHAR'],
    ['user_token', 'VARCHAR'], ['sender', 'VARCHAR'], ['text', 'VARCHAR'], ['pii_found', 'INTEGER'],
  ],
  consumer_tags: [
    ['user_token', 'VARCHAR'], ['as_of', 'TIMESTAMP_MS'], ['age_band', 'VARCHAR'], ['country', 'VARCHAR'],
    ['region', 'VARCHAR'], ['interests', 'VARCHAR[]'], ['discount_sensitivity', 'VARCHAR'], ['events', 'BIGINT'],
    ['purchases', 'BIGINT'],
  ],
  quarantine: [['file', 'VARCHAR'], ['line', 'BIGINT'], ['reason', 'VARCHAR'], ['field', 'VARCHAR']],
};

function appendRow(ap, cols, row) {
  for (const [name, type] of cols) {
    const v = row[name];
    if (v === null || v === undefined) { ap.appendNull(); continue; }
    switch (type) {
      case 'VARCHAR': ap.appendVarchar(String(v)); break;
      case 'VARCHAR[]': ap.appendList(v.map(String), LIST(VARCHAR)); break;
      case 'DOUBLE': ap.appendDouble(Number(v)); break;
      case 'INTEGER': ap.appendInteger(Number(v)); break;
      case 'BIGINT': ap.appendBigInt(BigInt(v)); break;
      case 'TIMESTAMP_MS': ap.appendVarchar(new Date(v).toISOString().replace('T', ' ').replace('Z', '')); break;
      default: throw new Error('type ' + type);
    }
  }
  ap.endRow();
}

async function writePartition(con, wh, ds, partPath, rows, { runId, dt, stage, filesPerPartition = 1 }) {
  const cols = SCHEMAS[ds];
  const dir = path.join(wh, ds, partPath);
  fs.mkdirSync(dir, { recursive: true });
  const tmpCols = cols.map(([n, t]) => `"${n}" ${t === 'TIMESTAMP_MS' ? 'VARCHAR' : t}`).join(', ');
  const nfiles = Math.max(1, Math.min(filesPerPartition, rows.length));
  const files = [];
  for (let f = 0; f < nfiles; f++) {
    const slice = rows.slice(Math.floor((f * rows.length) / nfiles), Math.floor(((f + 1) * rows.length) / nfiles));
    await con.run('DROP TABLE IF EXISTS fx; CREATE TEMP TABLE fx(' + tmpCols + ')');
    const ap = await con.createAppender('fx');
    for (const row of slice) appendRow(ap, cols, row);
    ap.closeSync();
    const name = `part-${String(f).padStart(5, '0')}.parquet`;
    const file = path.join(dir, name);
    // Timestamps as veil writes them: UTC instants (isAdjustedToUTC), which
    // DuckDB reads as TIMESTAMP WITH TIME ZONE; the explicit offset keeps
    // the session's time zone out of it.
    const sel = cols.map(([n, t]) => (t === 'TIMESTAMP_MS' ? `CAST("${n}" || '+00' AS TIMESTAMPTZ) AS "${n}"` : `"${n}"`)).join(', ');
    await con.run(`COPY (SELECT ${sel} FROM fx) TO ${q(file)} (FORMAT parquet, COMPRESSION zstd)`);
    files.push({ name, rows: slice.length, bytes: fs.statSync(file).size, sha256: sha256File(file) });
  }
  writeManifest(dir, { dataset: ds, partition: partPath, stage, runId, files, columns: cols.map(([n]) => n) });
}

export function writeManifest(dir, { dataset, partition, stage, runId, files, stats, columns }) {
  const m = {
    dataset, partition, schema_version: 1, stage, run_id: runId,
    committed_at: '2026-11-20T00:00:00Z',
    rows: files.reduce((a, f) => a + f.rows, 0),
    files,
    key_ids: { tokens: 1234567 },
  };
  if (columns) m.columns = columns;
  if (stats) m.stats = stats;
  fs.writeFileSync(path.join(dir, '_manifest.json'), JSON.stringify(m, null, 2));
}

// ---------------------------------------------------------------- main entry

export async function makeFixture(outDir, opts = {}) {
  const { events = 3000, days = 2, chats = 300, seed = 7, gzip = false, landingOnly = false } = opts;
  const r = new Rng(seed);
  const users = Array.from({ length: Math.max(20, Math.floor(events / 10)) }, (_, i) => makeUser(r, i));
  const dts = dayStrings(days);
  const landing = path.join(outDir, 'landing');
  const perDay = [];
  for (const [di, dt] of dts.entries()) {
    const evN = Math.floor(events / days) + (di === 0 ? events % days : 0);
    const chN = Math.floor(chats / days) + (di === 0 ? chats % days : 0);
    const evs = genEvents(r, users, dt, evN);
    const chs = genChats(r, users, dt, chN);
    // a day is gzip when --gzip, else the second day is gzip to exercise both
    const gz = gzip || di === 1;
    const evFile = path.join(landing, 'events', `dt=${dt}`, 'part-00000.jsonl');
    writeJsonl(evFile, evs.map((e) => e.line), gz);
    fs.writeFileSync(path.join(landing, 'events', `dt=${dt}`, '_SUCCESS'), '');
    const chFile = path.join(landing, 'chats', `dt=${dt}`, 'part-00000.jsonl');
    writeJsonl(chFile, chs.map(({ pii, ...c }) => JSON.stringify(c)), gz);
    fs.writeFileSync(path.join(landing, 'chats', `dt=${dt}`, '_SUCCESS'), '');
    perDay.push({ dt, evs, chs, evRel: `landing/events/dt=${dt}/part-00000.jsonl${gz ? '.gz' : ''}` });
  }
  const optouts = users.filter((_, i) => i % 17 === 0).map((u) => JSON.stringify({ user_id: u.user_id, ts: dts[0] + 'T01:00:00Z', scope: 'marketing' }));
  writeJsonl(path.join(landing, 'optouts', `dt=${dts[0]}`, 'part-00000.jsonl'), optouts, false);
  fs.writeFileSync(path.join(landing, 'optouts', `dt=${dts[0]}`, '_SUCCESS'), '');
  fs.mkdirSync(path.join(outDir, 'truth'), { recursive: true });
  const truth = [];
  for (const { dt, chs } of perDay) {
    for (const c of chs) {
      if (c.pii.length) truth.push(JSON.stringify({ dt, conversation_id: c.conversation_id, message_id: c.message_id, lang: 'zh', pii: c.pii }));
    }
  }
  writeJsonl(path.join(outDir, 'truth', 'chat_pii.jsonl'), truth, false);
  fs.writeFileSync(path.join(outDir, 'truth', 'fixture.json'), JSON.stringify({ users: users.length, days: dts, events, chats }, null, 2));
  if (landingOnly) return { dts };

  const wh = path.join(outDir, 'warehouse');
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const con = await db.connect();
  const runId = 'run-fixture-0001';
  for (const { dt, evs, chs, evRel } of perDay) {
    const clean = [];
    const quarantine = [];
    const seen = new Set();
    evs.forEach((e, i) => {
      if (e.bad) { quarantine.push({ file: evRel, line: i + 1, reason: e.bad, field: e.bad === 'card_not_string' ? 'payment_card' : null }); return; }
      const o = e.obj;
      if (seen.has(o.event_id)) return;
      seen.add(o.event_id);
      clean.push({
        event_id: o.event_id, ts: o.ts, type: o.type, user_token: tok('user', o.user_id),
        device_token: tok('device', o.device_id), ip_token: tok('ip', o.ip), ip_prefix: ipPrefix(o.ip),
        merchant_id: o.merchant_id, item_id: o.item_id, category: o.category, amount: o.amount,
        currency: o.currency, coupon_id: o.coupon_id, live_session_id: o.live_session_id,
        card_token: tok('card', o.payment_card && o.payment_card.replace(/\D/g, '')),
        age_band: o.birth_date ? ageBand(o.birth_date, dt) : null, gender: o.gender,
        region: o.shipping_address ? (/^[\u4e00-\u9fff]/.test(o.shipping_address) ? o.shipping_address.slice(0, 3) : o.shipping_address.split(', ').pop()) : null,
        country: o.country, phone_token: tok('phone', o.phone), email_token: tok('email', o.email),
      });
    });
    await writePartition(con, wh, 'events_clean', `dt=${dt}`, clean, { runId, dt, stage: 'ingest', filesPerPartition: clean.length > 100000 ? 2 : 1 });
    await writePartition(con, wh, 'quarantine', `dt=${dt}/source=events`, quarantine, { runId, dt, stage: 'ingest' });
    let piiTotal = 0;
    const chatRows = chs.map((c) => {
      const { text, n } = redact(c.text);
      piiTotal += n;
      return { conversation_id: c.conversation_id, message_id: c.message_id, ts: c.ts, merchant_id: c.merchant_id,
        user_token: tok('user', c.user_id), sender: c.sender, text, pii_found: n };
    });
    await writePartition(con, wh, 'chats_clean', `dt=${dt}`, chatRows, { runId, dt, stage: 'chats' });
    await writePartition(con, wh, 'quarantine', `dt=${dt}/source=chats`, [], { runId, dt, stage: 'chats' });
    const byUser = new Map();
    for (const row of clean) {
      const t = byUser.get(row.user_token) || { user_token: row.user_token, as_of: dt + 'T23:59:59.999Z', events: 0, purchases: 0, cats: {} };
      t.events++;
      if (row.type === 'purchase') t.purchases++;
      if (row.category) t.cats[row.category] = (t.cats[row.category] || 0) + 1;
      if (row.age_band) t.age_band = row.age_band;
      if (row.country) t.country = row.country;
      if (row.region) t.region = row.region;
      byUser.set(row.user_token, t);
    }
    // interests is a LIST of strings, strongest first, as veil writes it;
    // a user without categories gets a null or an empty list (alternately)
    // so that the check reads both.
    const tags = [...byUser.values()].map((t) => ({
      ...t, interests: Object.keys(t.cats).length ? Object.entries(t.cats).sort((a, b) => b[1] - a[1]).slice(0, 3).map((x) => x[0])
        : t.events % 2 ? null : [],
      discount_sensitivity: t.purchases > 2 ? 'high' : 'low',
    }));
    await writePartition(con, wh, 'consumer_tags', `dt=${dt}`, tags, { runId, dt, stage: 'tags' });
    // report
    const rdir = path.join(wh, 'reports', `dt=${dt}`);
    fs.mkdirSync(rdir, { recursive: true });
    const report = {
      run_id: runId, date: dt, inputs: [{ ref: evRel, sha256: sha256File(path.join(outDir, evRel)) }],
      records: { in: evs.length, out: clean.length, quarantined: quarantine.length },
      pii_found: { chats: piiTotal }, residual_scan: { leaks: 0 }, key_ids: { tokens: 1234567 },
    };
    const rname = `run-${runId}.json`;
    fs.writeFileSync(path.join(rdir, rname), JSON.stringify(report, null, 2));
    const rb = fs.readFileSync(path.join(rdir, rname));
    writeManifest(rdir, { dataset: 'reports', partition: `dt=${dt}`, stage: 'report', runId,
      files: [{ name: rname, rows: 1, bytes: rb.length, sha256: sha256File(path.join(rdir, rname)) }] });
  }
  // leftovers a checker must ignore: not datasets
  const junk = path.join(wh, '_staging', 'run-crashed', 'events_clean', `dt=${dts[0]}`);
  fs.mkdirSync(junk, { recursive: true });
  fs.writeFileSync(path.join(junk, 'part-00000.parquet'), 'truncated, not parquet');
  fs.mkdirSync(path.join(wh, '_journal'), { recursive: true });
  fs.writeFileSync(path.join(wh, '_journal', 'journal.jsonl'), '{"run":"run-fixture-0001"}\n');
  con.closeSync();
  db.closeSync();
  return { dts };
}

function parseArgs(argv) {
  const o = { out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => { const v = Number(argv[++i]); if (!Number.isFinite(v)) throw new Error(`${a} needs a number`); return v; };
    if (a === '--events') o.events = num();
    else if (a === '--days') o.days = num();
    else if (a === '--chats') o.chats = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--gzip') o.gzip = true;
    else if (a === '--landing-only') o.landingOnly = true;
    else if (a.startsWith('-')) throw new Error(`unknown flag ${a}`);
    else if (!o.out) o.out = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!o.out) throw new Error('usage: node fixture.mjs OUTDIR [--events N] [--days D] [--chats M] [--seed S] [--gzip] [--landing-only]');
  return o;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const t = performance.now();
    const { dts } = await makeFixture(o.out, o);
    console.log(`fixture written to ${o.out} (days ${dts.join(', ')}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error('fixture:', e.message);
    process.exit(2);
  }
}
