# Two commands: `make demo` and `make test`. Each sets up what it needs.
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEMO_DEBS := libzbar0 fonts-dejavu-core
TEST_DEBS := $(DEMO_DEBS) chromium socat poppler-utils

.PHONY: demo test benchmarks clean

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
	$(VENV)/bin/pytest -n 2 --dist loadfile

benchmarks: $(STAMP)
	$(call apt_install,$(TEST_DEBS))
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
