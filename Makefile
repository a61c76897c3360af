# occfer: occluded facial-expression datasets + FFRA-Net training.
# `make demo` runs the whole product on generated data; `make test` runs every test.
GO      ?= go
BIN     := bin
GOFLAGS_TEST ?= -count=1 -timeout 30m

.PHONY: all deps gotch gotch-check build test vet fmt-check bench demo assets clean

all: build

deps:
	@scripts/install-deps.sh

# Prepares gotch v0.9.1 for the libtorch found (LIBTORCH, else Debian's) in build/gotch and
# writes go.work; a no-op when nothing changed.
gotch: deps
	@scripts/prepare-gotch.sh

# Checks that build/gotch carries every fix of scripts/gotch-patches (see its README.md).
gotch-check:
	@scripts/gotch-patch.sh check build/gotch

build: gotch
	$(GO) build -o $(BIN)/occlude ./cmd/occlude
	$(GO) build -o $(BIN)/ffra ./cmd/ffra
	$(GO) build -o $(BIN)/occfer ./cmd/occfer

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: gotch
	$(GO) vet ./...

test: build fmt-check vet gotch-check
	$(GO) test $(GOFLAGS_TEST) ./...

# Speed and memory targets live in benchmarks only (see README "Performance"). Benchmarks
# write their datasets under BENCH_TMPDIR (default: the system temp folder): file creation
# costs differ a lot between file systems, so compare e.g. BENCH_TMPDIR=/dev/shm (RAM) with a
# folder on the disk your datasets live on.
BENCH_TMPDIR ?=
bench: build
	$(if $(BENCH_TMPDIR),TMPDIR=$(BENCH_TMPDIR) )$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./...

# Regenerates the overlay templates in assets/ from the generator in warp/.
assets: build
	$(BIN)/occlude templates generate assets

demo: build
	@scripts/demo.sh $(BIN)

clean:
	rm -rf $(BIN) build go.work go.work.sum demo internal/buildinfo/generated.go
