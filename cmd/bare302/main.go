// Command bare302 answers every request with a redirect to a fixed address
// and does nothing else. It is the floor of the click benchmark: what
// net/http costs per request before any tracking is done, measured on the
// same machine and in the same run as `pactum serve`.
package main

import (
	"flag"
	"log"
	"net/http"
)

const location = "https://example.com/landing"

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusFound)
	})))
}
