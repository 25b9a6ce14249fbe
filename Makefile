# 智慧卫监 — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8050
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The CJK web font (Noto Sans SC, SIL OFL), served from assets/ so every screen renders the same glyphs
# without fonts installed on the client. Fetched at install time from the npm registry, never at run time.
FONT_PKG   := @fontsource/noto-sans-sc@5.3.0
FONT_DIR   := assets/fonts/noto-sans-sc
FONT_STAMP := $(FONT_DIR)/.installed-5.3.0

# Leaflet, the one script and style sheet the offline HTML map export (dashboard/offline_map.py) inlines: the
# version folium's templates are written against, fetched at install time from the npm registry like the font.
LEAFLET_PKG   := leaflet@1.9.3
LEAFLET_DIR   := vendor/leaflet-1.9.3
LEAFLET_STAMP := $(LEAFLET_DIR)/.installed

.PHONY: run test bench browser-deps fonts map-assets demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Serve http://127.0.0.1:8050, building the demo database (SQLite under var/) when it is missing.
run: $(STAMP) $(FONT_STAMP) $(LEAFLET_STAMP)
	$(BIN)/weijian db upgrade
	$(BIN)/weijian demo --if-empty
	$(BIN)/weijian serve --host $(HOST) --port $(PORT)

## The whole suite: unit, SQLite + PostgreSQL, Redis, real data, headless Chromium.
test: $(STAMP) $(FONT_STAMP) $(LEAFLET_STAMP) browser-deps
	$(BIN)/ruff check dashboard data geo layers callbacks tests bench
	$(BIN)/pytest -n auto --dist loadfile

## Benchmarks (not part of `make test`); prints one table.
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/alert_latency.py
	$(BIN)/python bench/wall_memory.py
	$(BIN)/python bench/prescriptions.py
	$(BIN)/python bench/hospital_anomaly.py
	$(BIN)/python bench/custom_boundaries.py
	$(BIN)/python bench/town_level.py
	$(BIN)/python bench/map_export.py
	$(BIN)/python bench/crypto_bulk.py

## Regular and bold, sliced by unicode-range (a page loads only the slices its characters need); woff2 only.
fonts: $(FONT_STAMP)
$(FONT_STAMP):
	rm -rf $(FONT_DIR) && mkdir -p $(FONT_DIR)/files
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(FONT_PKG) >/dev/null && tar xzf *.tgz) && \
	for w in 400 700; do \
		cp $$tmp/package/files/noto-sans-sc-*-$$w-normal.woff2 $(FONT_DIR)/files/ && \
		sed -E 's#, url\([^)]*\.woff\) format\(.woff.\)##' $$tmp/package/$$w.css > $(FONT_DIR)/$$w.css; \
	done && cp $$tmp/package/LICENSE $(FONT_DIR)/LICENSE && rm -rf $$tmp
	touch $@

## leaflet.js, leaflet.css, its images and licence; the source map is left out (nothing may ask for it offline).
map-assets: $(LEAFLET_STAMP)
$(LEAFLET_STAMP):
	rm -rf $(LEAFLET_DIR) && mkdir -p $(LEAFLET_DIR)
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(LEAFLET_PKG) >/dev/null && tar xzf *.tgz) && \
	cp -r $$tmp/package/dist/leaflet.js $$tmp/package/dist/leaflet.css $$tmp/package/dist/images $$tmp/package/LICENSE \
		$(LEAFLET_DIR)/ && rm -rf $$tmp
	touch $@

## Debian's chromium + chromedriver and CJK fonts for the browser tests (no browser download at run time).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium, chromium-driver and fonts-noto-cjk with apt"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	fi

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache assets/fonts vendor
