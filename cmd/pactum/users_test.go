package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/store/sqlite"
)

func TestUsersCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("file password 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd := func(in string, args ...string) (string, error) {
		stdin = strings.NewReader(in)
		t.Cleanup(func() { stdin = os.Stdin })
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"users", "create", "--db", db}, args...), &out, &errOut)
		return out.String(), err
	}

	// An API key, as scripts have always made them.
	out, err := runCmd("", "--name", "ops", "--role", "admin")
	if err != nil || !strings.Contains(out, "Created admin key 1") {
		t.Fatalf("API key: %q, %v", out, err)
	}

	// Logins: the password from stdin, a file, or the flag.
	out, err = runCmd("stdin password 1\n", "--email", "Boss@Example.com", "--password-file", "-")
	if err != nil || !strings.Contains(out, "admin user 1, boss@example.com") || !strings.Contains(out, "/login") {
		t.Fatalf("login from stdin: %q, %v", out, err)
	}
	if _, err := runCmd("", "--email", "ops@example.com", "--password-file", pwFile); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd("", "--email", "flag@example.com", "--password", "flag password 1"); err != nil {
		t.Fatal(err)
	}

	errs := []struct {
		in   string
		args []string
		want string
	}{
		{"", []string{"--email", "x@example.com"}, "needs a password"},
		{"short\n", []string{"--email", "x@example.com", "--password-file", "-"}, "at least 10 characters"},
		{"", []string{"--email", "x@example.com", "--password", "long enough pw", "--password-file", pwFile}, "not both"},
		{"", []string{"--email", "not an email", "--password", "long enough pw"}, "(--email)"},
		{"", []string{"--email", "x@example.com", "--password", "long enough pw", "--role", "partner"}, "is required for a partner user (--partner-id)"},
		{"", []string{"--email", "x@example.com", "--password", "long enough pw", "--role", "partner", "--partner-id", "9"}, "partner 9 does not exist (--partner-id)"},
		{"", []string{"--email", "BOSS@example.com", "--password", "long enough pw"}, "exists already (--email)"},
		{"", []string{"--password", "long enough pw", "--name", "k"}, "need --email"},
	}
	for _, e := range errs {
		if _, err := runCmd(e.in, e.args...); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("users create %v: %v, want %q", e.args, err, e.want)
		}
	}

	s, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for email, pw := range map[string]string{"boss@example.com": "stdin password 1", "ops@example.com": "file password 1", "flag@example.com": "flag password 1"} {
		u, err := s.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, err := (auth.Hasher{}).Verify(u.PasswordHash, pw); !ok || err != nil {
			t.Errorf("%s: the password given does not verify (%v)", email, err)
		}
	}
}
