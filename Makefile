# The README's commands. `make demo` and `make test` do all set-up on a fresh
# Debian machine with Go, gcc and Node/npm: system libraries via apt, the
# report's front-end libraries via npm, Go modules via the module proxy.

GO      ?= go
BIN     := bin/commonground
CONFIG  ?= datasets/delaware/study.yaml
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build demo test fuzz fuzz-run bench lint fmt-check assets deps deps-test deploy-check clean

all: build

# The binary links two C libraries through cgo: GEOS (go-geos) and SQLite
# (the GeoPackage writer).
deps:
	@missing=""; \
	command -v geos-config >/dev/null 2>&1 || missing="$$missing libgeos-dev"; \
	[ -f /usr/include/sqlite3.h ] || missing="$$missing libsqlite3-dev"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing with apt-get"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# The tests also check outputs with real tools: GDAL's ogr2ogr/ogrinfo,
# headless Chromium, and DuckDB (from npm, for origins.parquet); osmium cuts
# .osm.pbf extracts without header bounds.
DUCKDB := internal/study/testdata/duckdb
deps-test: deps
	@lock=$$(sha256sum $(DUCKDB)/package-lock.json | cut -d' ' -f1); \
	if [ "$$(cat $(DUCKDB)/node_modules/.lock-sha256 2>/dev/null)" != "$$lock" ]; then \
		echo "installing DuckDB for the tests with npm"; \
		(cd $(DUCKDB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) && \
		echo "$$lock" >$(DUCKDB)/node_modules/.lock-sha256; \
	fi
	@missing=""; \
	command -v ogr2ogr >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v osmium >/dev/null 2>&1 || missing="$$missing osmium-tool"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing with apt-get"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

assets:
	@sh internal/report/web/fetch-assets.sh

build: deps assets
	$(GO) build -o $(BIN) ./cmd/commonground

# Runs the bundled Delaware example and prints where the report is.
demo: build
	./$(BIN) run $(CONFIG)

test: deps-test assets
	@$(MAKE) --no-print-directory fmt-check
	$(GO) vet ./...
	$(GO) test -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz-run FUZZTIME=$(FUZZTIME_TEST)
	@$(MAKE) --no-print-directory deploy-check

# Every fuzz test of a parser of outside input, as package:Name. `make test`
# runs each briefly (FUZZTIME_TEST); `make fuzz` runs each for FUZZTIME.
FUZZ := ./internal/config:FuzzParse ./internal/population:FuzzReadPoints \
	./internal/population:FuzzReadGeoJSON ./internal/population:FuzzReadShapefile \
	./internal/place:FuzzReadFacilityCSV ./internal/place:FuzzReadFacilityGeoJSON \
	./internal/study:FuzzReadScenario ./internal/siting:FuzzReadCSV ./internal/siting:FuzzReadGeoJSON \
	./internal/gtfs:FuzzTable ./internal/gtfs:FuzzParseTime ./internal/gtfs:FuzzStopTimes \
	./internal/osmread:FuzzRead ./internal/measure:FuzzParseMatrix ./internal/network:FuzzParseMaxspeed
FUZZTIME_TEST ?= 100x
FUZZTIME      ?= 2m

fuzz:
	@$(MAKE) --no-print-directory fuzz-run FUZZTIME=$(FUZZTIME)

fuzz-run:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Stage timings and peak memory of the example runs, then the Go benchmarks
# (the TriMet ones download github.com/interline-io/transitland-lib's test
# feed, about 50 MB, through the module proxy the first time).
bench: build
	./$(BIN) run --quiet --timings datasets/delaware/study.yaml
	./$(BIN) run --quiet --timings datasets/delaware/tracts.yaml
	./$(BIN) run --quiet --timings datasets/porto-alegre/study.yaml
	@# The tracts study in 4 shards, one after another, then their merge:
	@# each shard's and the merge's stage table and peak memory.
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for i in 0 1 2 3; do \
		echo "shard $$i of 4:"; \
		./$(BIN) run --quiet --timings --shard $$i/4 --out $$tmp/$$i datasets/delaware/tracts.yaml || exit 1; \
	done && echo "merge:" && ./$(BIN) merge --quiet --timings --out $$tmp/merged $$tmp/0 $$tmp/1 $$tmp/2 $$tmp/3
	$(GO) test -run '^$$' -bench . -benchmem ./internal/network/ ./internal/osmread/ ./internal/population/ \
		./internal/measure/ ./internal/gtfs/ ./internal/transit/ ./internal/gpkg/ ./internal/geoparquet/
	$(GO) test -run '^$$' -bench 'Delaware(Cover|Median)10' -benchmem ./internal/siting/

# The cluster deployment (deploy/): the Kubernetes manifests decoded
# strictly into the Kubernetes API's types (a Go module of its own under
# deploy/validate, so go.mod does not grow), and the Slurm scripts run
# locally, both with stand-ins for commonground, kubectl and sbatch.
# COMMONGROUND=bin/commonground runs the Slurm test with the real binary.
deploy-check:
	GO=$(GO) sh deploy/check.sh

lint: fmt-check
	$(GO) vet ./...

# Fails, listing them, when Go files are not as gofmt writes them.
fmt-check:
	@files=$$(gofmt -l cmd internal deploy/validate); \
	if [ -n "$$files" ]; then echo "not formatted (run gofmt -w):"; echo "$$files"; exit 1; fi

clean:
	rm -rf bin reports/*/
