// Command pocketbase is PocketBase as its documentation builds it from Go,
// nothing added: the second reference scripts/compare.sh measures
// AuthBridge against. It is a module of its own, outside go.work, so the
// project's modules do not depend on it.
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	if err := pocketbase.New().Start(); err != nil {
		log.Fatal(err)
	}
}
