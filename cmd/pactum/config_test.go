package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageHidesSecrets: a mistyped flag prints the usage, which must not carry the secrets
// given in the environment.
func TestUsageHidesSecrets(t *testing.T) {
	t.Setenv("PACTUM_ADMIN_API_KEY", "supersecret-admin-key")
	t.Setenv("PACTUM_CLICK_SECRET", "supersecret-click-secret-0123456789abcdef")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--adr", ":1"}, &out, &errOut); err == nil {
		t.Fatal("a mistyped flag was accepted")
	}
	if usage := out.String() + errOut.String(); strings.Contains(usage, "supersecret") || !strings.Contains(usage, "PACTUM_ADMIN_API_KEY") {
		t.Fatalf("usage output:\n%s", usage)
	}
}
