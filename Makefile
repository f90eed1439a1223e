# AuthBridge — one command to run, one to test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
PKGS  := ./shared/... ./backend/... ./frontend/... ./e2e/... ./bench/... ./verify/... ./examples/notes/...

.PHONY: run build web test fuzz bench compare fmt lint vet clean

## run: build the server and the dashboard, start on http://localhost:8080 (embedded SQLite in ./data)
## Without AUTHBRIDGE_GOOGLE_CLIENT_ID the Google button is the development stand-in.
run: build
	GIS_SRC=$(if $(AUTHBRIDGE_GOOGLE_CLIENT_ID),https://accounts.google.com/gsi/client,/devidp/gsi/client) bash scripts/web.sh frontend/dist
	AUTHBRIDGE_WEB_DIR=frontend/dist $(BIN)/authbridge

## web: the dashboard's static site in frontend/dist (web/app.<hash>.wasm + .br/.gz); GIS_SRC, API_BASE override
web:
	bash scripts/web.sh frontend/dist

## build: compile the server and check the shared contract builds for js/wasm
build:
	$(GO) build -trimpath -o $(BIN)/authbridge ./backend/cmd/authbridge
	GOOS=js GOARCH=wasm $(GO) build ./shared/... ./frontend/... ./examples/notes/cmd/notes-web

## test: every test, against a real MariaDB this target starts and stops
test:
	bash scripts/test.sh

## fuzz: every Go fuzz target, FUZZTIME each (default 60s); `make fuzz FUZZTIME=10m`
fuzz:
	FUZZTIME=$(or $(FUZZTIME),60s) bash scripts/fuzz.sh

## bench: Go benchmarks (token sign/verify, refresh rotation on SQLite and MariaDB)
bench:
	bash scripts/bench.sh

## compare: AuthBridge beside Django REST framework + Simple JWT and PocketBase, same machine, same load (me, refresh)
compare:
	bash scripts/compare.sh

## fmt: gofmt the tree
fmt:
	gofmt -w shared backend frontend e2e bench verify examples

## lint: formatting and go vet (and govulncheck when it is installed)
lint: vet
	@out=$$(gofmt -l shared backend frontend e2e bench verify examples); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if command -v govulncheck >/dev/null; then govulncheck ./backend/... ./shared/...; else echo "govulncheck not installed; skipped"; fi

vet:
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./shared/... ./frontend/... ./examples/notes/...

clean:
	rm -rf $(BIN) frontend/dist
