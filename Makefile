# A thin front door: the real work is in CMake and scripts/.
#
#   make run     install what is missing, build, and serve http://127.0.0.1:8080
#   make build   configure and build into build/
#   make test    everything CI runs (scripts/test.sh)
#   make fuzz    build the fuzz targets with clang and run each for FUZZ_SECONDS
#   make bench   the benchmarks (bench/http.sh)
#   make clean   remove build output (never data/)

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
DB         ?= data/civgrid.db
LISTEN     ?= 127.0.0.1:8080
CIVGRID    := $(BUILD_DIR)/civgrid

# How `make run` creates the database the first time (and only then): the
# demo city (大同市, 20000 residents; it prints the demo logins once). For an
# empty database instead: make run INIT_CMD='$(CIVGRID) init --db $(DB)'
INIT_CMD   ?= $(CIVGRID) demo --db $(DB)

.PHONY: all deps build web run test fuzz bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

web: deps
	@if [ -f package.json ]; then npm run build:web; else echo "web: no package.json yet, skipping"; fi

# The database is created only when it does not exist, so a second `make run`
# keeps everything entered before. A failed init leaves no half-made database.
run: build web
	@mkdir -p $(dir $(DB))
	@if [ -e $(DB) ]; then \
	  echo "run: using existing $(DB)"; \
	else \
	  echo "run: creating $(DB)"; \
	  $(INIT_CMD) || { rm -f $(DB) $(DB)-wal $(DB)-shm; exit 1; }; \
	fi
	exec $(CIVGRID) serve --db $(DB) --listen $(LISTEN)

test:
	bash scripts/test.sh

# Each target of tests/fuzz over a scratch copy of its corpus (docs/fuzzing.md).
fuzz:
	@bash scripts/deps.sh test
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh run

bench: build
	@bash scripts/deps.sh bench
	CIVGRID_BIN=$(CIVGRID) bash bench/http.sh

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz web/dist
