# veil — the two commands are `make demo` and `make test`.
GO      ?= go
BIN     := bin/veil
DEMO    ?= demo

.PHONY: build demo test lint bench check-duckdb clean

# -buildvcs=auto: stamp the commit into `veil --version` and created_by even where
# GOFLAGS says -buildvcs=false (it is ignored outside a git checkout).
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/veil

# Generate two days of data and run every stage on them (local folders, no server).
# Each run starts afresh: the audience ledger lives in the warehouse and its anchor
# beside the keys, so wiping one without the other is, rightly, refused as a wiped log.
demo: build
	rm -rf $(DEMO)/landing $(DEMO)/truth $(DEMO)/warehouse $(DEMO)/keys $(DEMO)/exports $(DEMO)/audit
	./$(BIN) demo --dir $(DEMO)

# Static checks, the race-enabled test suite, then without the race detector
# what it would slow past CI's budget, printed with -v: a year of real data
# through the pipeline (skipped under -race), the generator's fraud against
# the outlier flags, the scikit-learn comparisons at 10k points (3k under
# -race), the generator's fraud patterns against the rules and the whole
# decision path (tables per pattern); and every benchmark once so none rots.
FULLSIZE := ^(TestFraudDataModel|TestFraudShareFlagged|Test(LOF|DBSCAN|OPTICS)MatchesSklearn|TestDefaultRulesCatchPatterns|TestPatternsCaught)$$
test: lint
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -v -run '$(FULLSIZE)' ./cmd/veil/cli ./risk/clusters ./risk/outlier ./risk/rules ./risk/risklist
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@cp go.mod /tmp/veil-go.mod.bak; cp go.sum /tmp/veil-go.sum.bak; \
	  $(GO) mod tidy; \
	  if ! git diff --quiet -- go.mod go.sum 2>/dev/null; then \
	    echo "go mod tidy changed go.mod/go.sum:"; git --no-pager diff -- go.mod go.sum; \
	    cp /tmp/veil-go.mod.bak go.mod; cp /tmp/veil-go.sum.bak go.sum; exit 1; fi

# Every step of scripts/bench.sh against its peer in the same run: ingest and the
# risk stage against DuckDB, tags and audiences, chat PII redaction (scripts/README.md).
bench: build
	scripts/bench.sh

# Read every demo dataset with DuckDB and look for raw values in the outputs.
check-duckdb:
	cd scripts && npm ci --silent
	node scripts/duckdb-check.mjs $(DEMO)

clean:
	rm -rf bin $(DEMO)
