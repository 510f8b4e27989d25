// Package buildinfo tells which Pactum a binary is: its version, the commit it was built from
// and whether that tree had uncommitted changes. It reads what the Go toolchain embeds in every
// binary (runtime/debug.ReadBuildInfo), so `pactum version`, /healthz and the pactum_build_info
// metric show the same thing without a file to keep in step.
package buildinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// version is the release version, set by scripts/release.sh with
// -ldflags "-X github.com/pactum/pactum/buildinfo.version=v1.2.3". A linker flag rather than a
// tag: Go stamps a module version from a tag only for v0 and v1 tags of a clean tree, and a
// release should say its version whatever the tags of the clone it was built in.
var version string

// Info is what a binary knows about its own build.
type Info struct {
	// Version is the release version scripts/release.sh stamped; else the module version go
	// build derived from the commit (a tag such as v1.2.3, or a pseudo-version
	// v0.0.0-20261203105028-4772cb44e632, with +dirty for a modified tree; `go install
	// ...@v1.2.3` gives the tag); else "(devel)".
	Version string `json:"version"`
	// Revision is the full commit hash, Time its commit time (RFC 3339, UTC) and Modified
	// whether the tree had changes that commit does not hold. Revision and Time are empty when
	// the binary was built without version control information.
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	// Checkout is set when the revision was not embedded at build time but read from the git
	// checkout the go command compiled this binary from (see Read): that directory.
	Checkout string `json:"checkout,omitempty"`
	// Go is the toolchain that built the binary, Platform its GOOS/GOARCH.
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// Read returns the running binary's build information. The toolchain embeds the revision, its
// time and the modified flag in binaries that `go build` makes in a git clone. `go run` and
// `go test` embed none unless given -buildvcs=true, and no build does in a git worktree (the go
// command looks for a .git directory); for those, which the go command builds from sources it
// just read, Read asks git about the checkout the sources came from. The answer is computed
// once.
func Read() Info { return read() }

var read = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo()
	info := fromBuildInfo(bi, version)
	if info.Revision != "" {
		return info
	}
	exe, err := os.Executable()
	if err != nil || !builtByGoCommand(exe) {
		return info
	}
	if root, ok := sourceRoot(); ok {
		info = withCheckout(context.Background(), info, root)
	}
	return info
})

// fromBuildInfo reads bi (nil when the binary has none), with release as the version if set.
func fromBuildInfo(bi *debug.BuildInfo, release string) Info {
	info := Info{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return info
	}
	info.Go = bi.GoVersion
	if bi.Main.Version != "" {
		info.Version = bi.Main.Version
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		info.Platform = goos + "/" + goarch
	}
	if release != "" {
		info.Version = release
	}
	return info
}

// builtByGoCommand reports whether exe is an executable that `go run` or `go test` built: they
// keep those in the go command's temporary directory (go-build123/b001/exe/pactum) or, since Go
// 1.24, in its build cache (go-build/ab/abcd...-d/pactum).
func builtByGoCommand(exe string) bool {
	for _, dir := range strings.Split(filepath.ToSlash(filepath.Dir(exe)), "/") {
		if rest, ok := strings.CutPrefix(dir, "go-build"); ok && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// sourceRoot is the directory of the module the binary was compiled from, known from this
// file's compile-time path; ok is false when -trimpath left no directory.
func sourceRoot() (dir string, ok bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", false
	}
	return filepath.Dir(filepath.Dir(file)), true
}

// withCheckout fills the revision, time and modified flag of info from the git checkout at dir,
// asking git what the go command asks when it stamps a build. Without git, or outside a
// checkout, info is returned as it was.
func withCheckout(ctx context.Context, info Info, dir string) Info {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "log.showsignature=false"}, args...)...)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	head, err := git("log", "-1", "--format=%H %ct")
	if err != nil {
		return info
	}
	hash, secs, ok := strings.Cut(head, " ")
	unix, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil {
		return info
	}
	status, err := git("status", "--porcelain")
	if err != nil {
		return info
	}
	info.Revision = hash
	info.Time = time.Unix(unix, 0).UTC().Format(time.RFC3339)
	info.Modified = status != ""
	info.Checkout = dir
	return info
}
