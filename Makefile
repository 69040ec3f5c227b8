# Two commands on a fresh machine (Python 3.11, Java 17, apt):
#   make demo   set up, then run the example job end to end on local Spark with sample data
#   make test   set up (incl. system packages for the browser/endpoint tests), then run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# kit alone (what `make demo` needs), then the test extra on top (sparkmagic builds gssapi:
# Debian's libkrb5-dev, which `make test` installs through system-deps).
STAMP  := $(VENV)/.kit-installed
TEST_STAMP := $(VENV)/.kit-test-installed
# checkov and the AWS CLI pin their own boto3/packaging: they live in a separate venv, and only
# their two commands are put on PATH for the tests.
TOOLS  := .tools
TOOLS_STAMP := $(TOOLS)/.installed

# AWS's published awsglue interface (read, never imported, by tests/runtime/glue/test_api_shape.py)
API_CACHE := .cache/awsglue-api
API_VERSIONS := 5.0.0 5.1.0

.PHONY: setup setup-test tools demo test lint bench system-deps java clean api-shape runtimes

java:
	@command -v java >/dev/null 2>&1 || { echo "Java not found: Spark needs Java 17; install it with: sudo apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]' || { echo "installing the test extra failed; sparkmagic builds gssapi, which needs libkrb5-dev: sudo apt-get install -y libkrb5-dev (or make system-deps)" >&2; exit 1; }
	@touch $(TEST_STAMP)

setup: java $(STAMP)

setup-test: java $(TEST_STAMP)

$(TOOLS_STAMP):
	$(PYTHON) -m venv $(TOOLS)/venv
	$(TOOLS)/venv/bin/python -m pip install --quiet 'checkov>=3.2,<4' 'awscli>=1.36,<2'
	mkdir -p $(TOOLS)/bin
	ln -sf ../venv/bin/checkov $(TOOLS)/bin/checkov
	ln -sf ../venv/bin/aws $(TOOLS)/bin/aws
	@touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

api-shape: setup
	@for v in $(API_VERSIONS); do ls $(API_CACHE)/awsgluedataplanepython-$$v-*.whl >/dev/null 2>&1 || \
	  $(BIN)/python -m pip download --quiet --no-deps --dest $(API_CACHE) awsgluedataplanepython==$$v; done

demo: setup
	cd $(CURDIR) && $(BIN)/kit run orders_by_month

system-deps:
	bash .ci/system-deps.sh

# Glue 5.1 and 6.0 runtimes: built once per machine in the user cache (CI caches ~/.cache/kit)
runtimes: setup
	$(BIN)/kit runtime install --all

test: system-deps setup-test tools api-shape runtimes
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/kit check
	@# pytest exits 5 when it collected no test (e.g. a -k filter): say so instead of failing
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" $(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; exit $$status

lint: setup-test
	$(BIN)/ruff check .

bench: setup-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf build/output .kit test-artifacts
