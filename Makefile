# Two commands: `make demo` and `make test`. Each sets up what it needs. `make mutation` is the slow, occasional one.
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEMO_DEBS := libzbar0 fonts-dejavu-core
TEST_DEBS := $(DEMO_DEBS) chromium socat poppler-utils curl nats-server openssl

.PHONY: demo test benchmarks mutation clean

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(call apt_install,$(DEMO_DEBS))
	$(VENV)/bin/salle demo

test: $(STAMP)
	$(call apt_install,$(TEST_DEBS))
	$(VENV)/bin/pytest -n 4 --dist loadfile

benchmarks: $(STAMP)
	$(call apt_install,$(TEST_DEBS))
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

# Mutation testing with mutmut 3 (configured in pyproject.toml), not part of `make test`: the rules, the import,
# and the journal's hash chain and client-id replay (its threads and group commit are left to the concurrency
# tests). Scores and survivors: benchmarks/mutation.py; the last ones measured: benchmarks/RESULTS.md.
MUTATED := 'salle.rules.*' 'salle.importing.*' 'salle.journal.x_event_hash*' 'salle.journal.x?Tx?append*' \
           'salle.journal.x?Journal?command*' 'salle.journal.x?Journal?_load_*' 'salle.journal.x_verify_*'

$(VENV)/.mutmut: $(STAMP)
	$(PY) -m pip install -q 'mutmut>=3.8,<4'
	touch $@

mutation: $(VENV)/.mutmut
	rm -rf mutants && mkdir mutants
	nice $(VENV)/bin/mutmut run --max-children 2 $(MUTATED) > mutants/run.log 2>&1 || (tail -20 mutants/run.log; exit 1)
	$(PY) benchmarks/mutation.py

clean:
	rm -rf $(VENV) build *.egg-info mutants
