package buildinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	stamped := []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"},
		{Key: "GOARCH", Value: "arm64"},
		{Key: "GOOS", Value: "darwin"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea"},
		{Key: "vcs.time", Value: "2026-12-03T10:50:28Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	tests := []struct {
		name    string
		bi      *debug.BuildInfo
		release string
		want    Info
	}{
		{
			name: "release build: the version from the linker flag, the commit from the toolchain",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Settings: stamped,
				Main: debug.Module{Path: "github.com/pactum/pactum", Version: "v0.0.0-20261203105028-4772cb44e632"}},
			release: "v1.2.0",
			want: Info{Version: "v1.2.0", Revision: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea",
				Time: "2026-12-03T10:50:28Z", Go: "go1.26.8", Platform: "darwin/arm64"},
		},
		{
			name: "go build in a clone of a tagged commit",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Settings: stamped,
				Main: debug.Module{Path: "github.com/pactum/pactum", Version: "v1.2.0"}},
			want: Info{Version: "v1.2.0", Revision: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea",
				Time: "2026-12-03T10:50:28Z", Go: "go1.26.8", Platform: "darwin/arm64"},
		},
		{
			name: "go build of a modified tree",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261203105028-4772cb44e632+dirty"},
				Settings: []debug.BuildSetting{
					{Key: "GOARCH", Value: "amd64"}, {Key: "GOOS", Value: "linux"},
					{Key: "vcs.revision", Value: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea"},
					{Key: "vcs.time", Value: "2026-12-03T10:50:28Z"}, {Key: "vcs.modified", Value: "true"},
				}},
			want: Info{Version: "v0.0.0-20261203105028-4772cb44e632+dirty", Revision: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea",
				Time: "2026-12-03T10:50:28Z", Modified: true, Go: "go1.26.8", Platform: "linux/amd64"},
		},
		{
			name: "go run: no version control information",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "GOARCH", Value: "amd64"}, {Key: "GOOS", Value: "linux"}}},
			want: Info{Version: "(devel)", Go: "go1.26.8", Platform: "linux/amd64"},
		},
		{
			name: "no build information at all",
			want: Info{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(tt.bi, tt.release); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBuiltByGoCommand(t *testing.T) {
	for exe, want := range map[string]bool{
		"/tmp/go-build664829819/b001/exe/pactum":             true, // go run, first time
		"/root/.cache/go-build/c8/c8e451ce29d124d1-d/pactum": true, // go run, cached (Go 1.24+)
		"/tmp/go-build1234/b001/buildinfo.test":              true, // go test
		"/usr/local/bin/pactum":                              false,
		"/home/ops/go-builder/pactum":                        false,
	} {
		if got := builtByGoCommand(exe); got != want {
			t.Errorf("builtByGoCommand(%q) = %v, want %v", exe, got, want)
		}
	}
}

// gitRepo makes a repository with one commit at a known time and returns its directory.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(),
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
			"GIT_AUTHOR_DATE=2026-12-03T10:50:28Z", "GIT_COMMITTER_DATE=2026-12-03T11:50:28+01:00")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "go.mod")
	run("-c", "commit.gpgsign=false", "commit", "-q", "-m", "first")
	return dir
}

func head(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestWithCheckout(t *testing.T) {
	dir := gitRepo(t)
	base := Info{Version: "(devel)", Go: "go1.26.8", Platform: "linux/amd64"}

	got := withCheckout(context.Background(), base, dir)
	want := Info{Version: "(devel)", Revision: head(t, dir), Time: "2026-12-03T10:50:28Z",
		Checkout: dir, Go: "go1.26.8", Platform: "linux/amd64"}
	if got != want {
		t.Errorf("clean checkout:\ngot  %+v\nwant %+v", got, want)
	}

	// An untracked file makes the tree modified, as it does for the go command's stamp.
	if err := os.WriteFile(filepath.Join(dir, "new.go"), []byte("package m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := withCheckout(context.Background(), base, dir); !got.Modified {
		t.Errorf("a checkout with an untracked file is not modified: %+v", got)
	}

	if got := withCheckout(context.Background(), base, t.TempDir()); got != base {
		t.Errorf("outside a checkout: got %+v, want it unchanged", got)
	}
}

// TestRead runs Read in this test binary, which the go command built like a `go run` binary:
// without a stamp unless -buildvcs=true, so Read takes the revision from the checkout.
func TestRead(t *testing.T) {
	root, ok := sourceRoot()
	if !ok {
		t.Skip("built with -trimpath: no source directory to ask git about")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "-C", root, "rev-parse").Run(); err != nil {
		t.Skip("the sources are not a git checkout")
	}
	got := Read()
	if want := head(t, root); got.Revision != want {
		t.Errorf("Read().Revision = %q, want the checkout's HEAD %q (%+v)", got.Revision, want, got)
	}
	if got.Time == "" || got.Go != runtime.Version() || got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("Read() = %+v", got)
	}
}
