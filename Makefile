# `make run` and `make test` set up everything they need; see README.md.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml deploy/constraints.txt | sha1sum | cut -c1-12)
PYTHON ?= python3

.PHONY: run test setup system venv translations lint bench clean lock

# Demo mode: demo accounts, and certificates may carry the local address in their QR code.
run: setup
	LMS_DEMO=1 $(FLASK) setup --demo
	LMS_DEMO=1 ./deploy/embedded.sh

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system venv translations

system:
	@./deploy/system-packages.sh

venv: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c deploy/constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: venv
	$(VENV)/bin/pybabel compile -d lms/translations

# Re-extract the strings after changing UI text, then translate the .po files.
# --ignore-dirs: Babel skips folders starting with "_" by default (templates/_partials).
messages: venv
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* instance' -o lms/translations/messages.pot .
	$(VENV)/bin/pybabel update -i lms/translations/messages.pot -d lms/translations

# Pin what a fresh install resolves to today (then run make test and commit the file).
lock:
	rm -rf /tmp/lms-lock-venv && $(PYTHON) -m venv /tmp/lms-lock-venv
	/tmp/lms-lock-venv/bin/pip install -q -e '.[dev]'
	{ head -n 2 deploy/constraints.txt; /tmp/lms-lock-venv/bin/pip freeze --exclude-editable \
	  | grep -v '^lms'; } > deploy/constraints.new && mv deploy/constraints.new deploy/constraints.txt

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
