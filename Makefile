# Entry points from a fresh clone; `.ci/run` calls `make test`. Every target first runs
# scripts/setup.sh, which installs whatever is missing and returns quickly otherwise.

VENV := .venv
PYTHON := $(VENV)/bin/python
# One worker process per core, at most four: tests start their own servers on free ports
# in their own temporary directories, so they run side by side (2 cores: 8.5 min instead
# of 11.8). `make test PYTEST_ARGS=` runs them in this process, one at a time.
PYTEST_ARGS ?= -n auto --maxprocesses 4
BENCH_RESULTS := bench/results

.PHONY: setup test bench run clean

setup:
	@bash scripts/setup.sh

# pytest exits 5 when it collected no tests; make fails on it like on any other
# non-zero status, so a suite that silently vanished never passes.
test: setup
	@$(PYTHON) -m pytest $(PYTEST_ARGS) || { status=$$?; \
		if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
		exit $$status; }

# Each bench script writes its own JSON file under $(BENCH_RESULTS) (also exported as
# BENCH_RESULTS_DIR); files named _*.py are helpers, not benchmarks.
bench:
	@bash scripts/setup.sh --bench
	@mkdir -p $(BENCH_RESULTS)
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		case "$$(basename "$$script")" in _*) continue ;; esac; \
		echo "bench: $$script"; \
		BENCH_RESULTS_DIR=$(BENCH_RESULTS) $(PYTHON) "$$script"; \
	done

run: setup
	$(VENV)/bin/motcua up

clean:
	rm -rf $(VENV) var $(BENCH_RESULTS)
