package main

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/pactum/pactum/api/apitest"
)

// apiClient sends the end-to-end tests' API requests: each request, and the real server's
// answer, is checked against the OpenAPI document, and a mismatch fails t.
func apiClient(t testing.TB) *http.Client {
	return &http.Client{Transport: apitest.Transport(t, nil)}
}

// testOnlyModules must not be in the binary: they are for tests (api/apitest).
var testOnlyModules = []string{"github.com/getkin/kin-openapi", "github.com/santhosh-tekuri/jsonschema"}

// TestBinaryLeavesOutTestLibraries: the validators the tests use are not linked into pactum.
func TestBinaryLeavesOutTestLibraries(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, m := range testOnlyModules {
			if strings.HasPrefix(pkg, m) {
				t.Errorf("pactum links %s, a library for tests only", pkg)
			}
		}
	}
}
