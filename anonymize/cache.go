package anonymize

import (
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"strings"
	"sync"
	"unsafe"
)

// Memoisation of raw value → token. Identifiers repeat heavily within a day
// (a user's id, device and IP recur on every event), so a cache turns most
// token computations (~0.7 µs of AES-SIV or HMAC through Tink) into a map
// lookup (~50–100 ns). Each Worker has a private cache and takes no lock;
// direct Tokenizer calls share a cache sharded over 64 locks. Workers do
// not consult the shared cache on a miss: measured, the extra lookup into a
// cold shared map cost as much as recomputing the token. Every cache is
// bounded by entry count and simply emptied when full: cheaper than LRU
// bookkeeping, and the next lookups refill it with what is hot. Keys are
// cloned on insert so a cached value never pins a caller's larger buffer.

type kind uint8

const (
	kindReversible kind = iota
	kindOneWay
)

// Worker is a per-goroutine view of a Tokenizer with a private cache. Its
// methods must not be called concurrently; make one Worker per goroutine.
type Worker struct {
	t     *Tokenizer
	cache *localCache
}

// OnMiss sets a function called with each value the Worker tokenises
// rather than finds in its cache, and the token made: every distinct value
// it sees, at least once. The residual leak scan collects raw values and
// checks new tokens this way, without a second lookup per value.
func (w *Worker) OnMiss(fn func(value, token string)) { w.cache.onMiss = fn }

// Reversible returns the reversible token of value in field.
func (w *Worker) Reversible(field, value string) string {
	return w.cache.get(w.t, kindReversible, field, value)
}

// OneWay returns the one-way token of value in field.
func (w *Worker) OneWay(field, value string) string {
	return w.cache.get(w.t, kindOneWay, field, value)
}

// String returns a summary without key material or cached values.
func (w Worker) String() string { return "anonymize.Worker{" + w.t.String() + "}" }

// GoString is String, so %#v is redacted too.
func (w Worker) GoString() string { return w.String() }

// Format prints String for every verb, so no verb reaches the cache.
func (w Worker) Format(f fmt.State, _ rune) { io.WriteString(f, w.String()) }

// LogValue implements slog.LogValuer.
func (w Worker) LogValue() slog.Value { return w.t.LogValue() }

// localCache is an unsynchronised cache for one Worker.
type localCache struct {
	max    int
	n      int
	fields map[string]*localField
	buf    []byte
	onMiss func(value, token string)
	// recent remembers the last fields by the address of their name's
	// bytes: callers pass the same field strings every time (a policy's
	// compiled domains), so most lookups skip the fields map.
	recent [8]recentField
	next   int
}

type recentField struct {
	name *byte
	n    int
	f    *localField
}

type localField struct {
	keys   *fieldKeys
	tokens [2]map[string]string // by kind
}

func newLocalCache(size int) *localCache {
	return &localCache{max: size, fields: make(map[string]*localField)}
}

func (c *localCache) field(name string) *localField {
	p := unsafe.StringData(name)
	for _, r := range c.recent {
		if r.name == p && r.n == len(name) && r.f != nil {
			return r.f
		}
	}
	f := c.fields[name]
	if f == nil {
		f = &localField{keys: newFieldKeys(name)}
		f.tokens[kindReversible] = make(map[string]string)
		f.tokens[kindOneWay] = make(map[string]string)
		c.fields[strings.Clone(name)] = f
		c.n++ // fields count too: merchant-scoped field names are unbounded
	}
	c.recent[c.next] = recentField{name: p, n: len(name), f: f}
	c.next = (c.next + 1) % len(c.recent)
	return f
}

func (c *localCache) get(t *Tokenizer, k kind, field, value string) string {
	f := c.field(field)
	m := f.tokens[k]
	if tok, ok := m[value]; ok {
		return tok
	}
	var tok string
	tok, c.buf = t.make(k, f.keys, value, c.buf)
	if c.onMiss != nil {
		c.onMiss(value, tok)
	}
	if c.max == 0 {
		return tok
	}
	if c.n >= c.max {
		c.reset()
		c.fields[strings.Clone(field)] = f
		c.n = 1
	}
	m[strings.Clone(value)] = tok
	c.n++
	return tok
}

func (c *localCache) reset() {
	for _, f := range c.fields {
		clear(f.tokens[kindReversible])
		clear(f.tokens[kindOneWay])
	}
	clear(c.fields)
	c.recent = [len(c.recent)]recentField{}
}

// sharedCache is a lock-sharded cache for concurrent Tokenizer calls.
type sharedCache struct {
	seed   maphash.Seed
	shards [cacheShards]shard
}

const cacheShards = 64

type shard struct {
	mu  sync.Mutex
	max int
	m   map[cacheKey]string
	_   [40]byte // keep shards on separate cache lines
}

type cacheKey struct {
	kind         kind
	field, value string
}

func newSharedCache(size int) *sharedCache {
	c := &sharedCache{seed: maphash.MakeSeed()}
	per := 0
	if size > 0 {
		per = max(size/cacheShards, 1)
	}
	for i := range c.shards {
		c.shards[i].max = per
		c.shards[i].m = make(map[cacheKey]string)
	}
	return c
}

// get returns the token of value, from the cache or computed (and then
// cached).
func (c *sharedCache) get(t *Tokenizer, k kind, field, value string) string {
	s := &c.shards[maphash.String(c.seed, value)%cacheShards]
	if s.max == 0 {
		tok, _ := t.make(k, newFieldKeys(field), value, nil)
		return tok
	}
	ck := cacheKey{k, field, value}
	s.mu.Lock()
	tok, ok := s.m[ck]
	s.mu.Unlock()
	if ok {
		return tok
	}
	// Compute outside the lock; a racing duplicate computes the same token.
	tok, _ = t.make(k, newFieldKeys(field), value, nil)
	ck.field, ck.value = strings.Clone(field), strings.Clone(value)
	s.mu.Lock()
	if len(s.m) >= s.max {
		clear(s.m)
	}
	s.m[ck] = tok
	s.mu.Unlock()
	return tok
}
