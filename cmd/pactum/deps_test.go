package main

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

// TestNoTestingInBinary: test helpers (sqlitetest, pgtest, storetest) live in packages of their
// own because a non-test file that imports "testing" puts the package, its flags and its
// helpers into the binaries. This keeps it so, for pactum and for the baseline of its benchmark.
func TestNoTestingInBinary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list the binaries' packages: %v", err)
	}
	for name, dir := range map[string]string{"pactum": ".", "bare302": "../bare302"} {
		out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", dir).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", dir, err)
		}
		for line := range strings.Lines(string(out)) {
			pkg, std, _ := strings.Cut(strings.TrimSpace(line), " ")
			if testOnly(pkg, std == "true") {
				t.Errorf("%s imports %s, a package for tests", name, pkg)
			}
		}
	}
}

// testOnly tells whether pkg is meant for tests alone: "testing" and its subpackages, or a
// package named *test, such as net/http/httptest or store/storetest. The standard library's
// internal packages (internal/synctest is linked into every binary) and the load generator
// behind `pactum loadtest` are named so without being test helpers.
func testOnly(pkg string, std bool) bool {
	switch {
	case pkg == "testing" || strings.HasPrefix(pkg, "testing/"):
		return true
	case pkg == "github.com/pactum/pactum/loadtest":
		return false
	case std && (strings.HasPrefix(pkg, "internal/") || strings.Contains(pkg, "/internal/")):
		return false
	}
	return strings.HasSuffix(path.Base(pkg), "test")
}
