# Thin driver over CMake/CTest. `make demo` and `make test` work on a fresh machine: both run
# scripts/bootstrap.sh first, which installs whatever is missing.
PREFIX ?= /usr/local
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SANITIZE ?= 0
CMAKE_FLAGS ?=

ifeq ($(SANITIZE),1)
BUILD := build-asan
CMAKE_FLAGS += -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
endif

FUZZ_TIME ?= 60
FUZZ_BUILD ?= build-fuzz

.PHONY: all build bootstrap test test-sanitize demo install bench clean fuzz python

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Only the Python module (python/: sluice_flink, on libsluice-flink); `make build` makes it too
# whenever Debian's python3-dev is installed
python: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target python

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer
test-sanitize:
	$(MAKE) test SANITIZE=1

# Builds only the sluice binary, quietly (the log is kept in $(BUILD)/demo-build.log), then runs
# the example project
demo: bootstrap
	@scripts/demo.sh $(BUILD) $(JOBS) $(CMAKE_FLAGS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@scripts/bench.sh $(BUILD)

# libFuzzer on every target of tests/fuzz for FUZZ_TIME seconds each (clang, ASan, UBSan); new
# inputs go to $(FUZZ_BUILD)/corpus, crashes to $(FUZZ_BUILD)/crashes. Not part of `make test`,
# which only runs the committed corpora once.
fuzz: bootstrap
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DSLUICE_FUZZ=ON -DSLUICE_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

clean:
	rm -rf build build-asan build-fuzz
