package main

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// clearOptionEnv empties every option's environment variable for the test, which load reads as
// unset, so that the environment the tests run in changes nothing.
func clearOptionEnv(t *testing.T) {
	t.Helper()
	for _, o := range options {
		t.Setenv(envName(o.name), "")
	}
}

// TestOptionDefaults: every default follows its option's own rules, and gives the Config the
// defaults of serve.
func TestOptionDefaults(t *testing.T) {
	clearOptionEnv(t)
	seen := make(map[string]bool)
	for _, o := range options {
		if seen[o.name] {
			t.Errorf("option %s is in the table twice", o.name)
		}
		seen[o.name] = true
		if o.secret && o.def != "" {
			t.Errorf("secret option %s has a default, which usage output would show", o.name)
		}
		if err := o.set(new(Config), o.def, "the default of --"+o.name); err != nil {
			t.Errorf("option %s: %v", o.name, err)
		}
	}
	cfg, err := parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.clock = nil
	want := Config{
		Addr: ":8080", DB: "pactum.db", EventsDir: "pactum.db.events", PublicURL: "http://localhost:8080",
		LogFormat: "text", LogLevel: "info", CommitDelay: 200 * time.Microsecond, ShutdownGrace: 30 * time.Second,
		Role: RoleAll, NATSPrefix: "pactum", NATSReplicas: 1, NATSAckWait: 30 * time.Second,
		ConfigRefresh: time.Minute, AnswerWait: 10 * time.Second, JobsEvery: time.Minute,
		SessionIdle: 2 * time.Hour, SessionMax: 24 * time.Hour, DemoWeeks: 6, DemoSeed: 2026,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", cfg, want)
	}
}

// TestOptionValues reads good and bad values of each kind of option, from the environment and
// from flags. A bad one stops serve with a message that names the option as it was given.
func TestOptionValues(t *testing.T) {
	const secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		got  func(c Config) any // what to check, with want
		want any
		err  string // the whole message of a bad value
	}{
		// Durations.
		{name: "duration env", env: map[string]string{"PACTUM_JOBS_EVERY": "5m"}, got: func(c Config) any { return c.JobsEvery }, want: 5 * time.Minute},
		{name: "duration flag", args: []string{"--answer-wait", "2s"}, got: func(c Config) any { return c.AnswerWait }, want: 2 * time.Second},
		{name: "duration env bad", env: map[string]string{"PACTUM_JOBS_EVERY": "abc"},
			err: `PACTUM_JOBS_EVERY="abc" is not a duration such as 30s`},
		{name: "duration flag bad", args: []string{"--jobs-every", "abc"},
			err: `--jobs-every="abc" is not a duration such as 30s`},
		{name: "duration without unit", env: map[string]string{"PACTUM_NATS_ACK_WAIT": "30"},
			err: `PACTUM_NATS_ACK_WAIT="30" is not a duration such as 30s`},
		{name: "duration env out of range", env: map[string]string{"PACTUM_JOBS_EVERY": "10ms"},
			err: `PACTUM_JOBS_EVERY must be between 100ms and 24h, not "10ms"`},
		{name: "duration flag below min", args: []string{"--config-refresh", "10ms"},
			err: `--config-refresh must be at least 1s, not "10ms"`},
		{name: "duration negative", args: []string{"--shutdown-grace=-1s"},
			err: `--shutdown-grace must be at least 0s, not "-1s"`},
		{name: "duration zero allowed", args: []string{"--commit-delay", "0"}, got: func(c Config) any { return c.CommitDelay }, want: time.Duration(0)},

		// Integers.
		{name: "integer env", env: map[string]string{"PACTUM_NATS_REPLICAS": "3"}, got: func(c Config) any { return c.NATSReplicas }, want: 3},
		{name: "integer env bad", env: map[string]string{"PACTUM_NATS_REPLICAS": "three"},
			err: `PACTUM_NATS_REPLICAS="three" is not a whole number such as 3`},
		{name: "integer flag bad", args: []string{"--nats-replicas", "2.5"},
			err: `--nats-replicas="2.5" is not a whole number such as 3`},
		{name: "integer flag out of range", args: []string{"--nats-replicas", "6"},
			err: `--nats-replicas must be between 1 and 5, not "6"`},

		// Booleans.
		{name: "boolean flag alone", args: []string{"--demo"}, got: func(c Config) any { return c.Demo }, want: true},
		{name: "boolean env true", env: map[string]string{"PACTUM_DEMO": "true"}, got: func(c Config) any { return c.Demo }, want: true},
		{name: "boolean env 1", env: map[string]string{"PACTUM_DEMO": "1"}, got: func(c Config) any { return c.Demo }, want: true},
		{name: "boolean env false", env: map[string]string{"PACTUM_DEMO": "false"}, got: func(c Config) any { return c.Demo }, want: false},
		{name: "boolean env bad", env: map[string]string{"PACTUM_DEMO": "yes"},
			err: `PACTUM_DEMO="yes" is not true or false`},
		{name: "boolean flag bad", args: []string{"--demo=on"}, err: `--demo="on" is not true or false`},

		// Choices.
		{name: "choice env", env: map[string]string{"PACTUM_LOG_LEVEL": "debug"}, got: func(c Config) any { return c.LogLevel }, want: "debug"},
		{name: "choice flag bad", args: []string{"--log-level", "loud"},
			err: `--log-level must be debug, info, warn or error, not "loud"`},
		{name: "choice env bad", env: map[string]string{"PACTUM_LOG_FORMAT": "xml"},
			err: `PACTUM_LOG_FORMAT must be text or json, not "xml"`},
		{name: "choice is exact", env: map[string]string{"PACTUM_LOG_LEVEL": "INFO"},
			err: `PACTUM_LOG_LEVEL must be debug, info, warn or error, not "INFO"`},
		{name: "role bad", args: []string{"--role", "boss"}, err: `--role must be all, edge, worker or api, not "boss"`},

		// Text with rules of its own.
		{name: "text env", env: map[string]string{"PACTUM_DB": "x.db"}, got: func(c Config) any { return c.EventsDir }, want: "x.db.events"},
		{name: "text flag empty", args: []string{"--addr", ""}, err: `--addr must not be empty`},
		{name: "prefix env bad", env: map[string]string{"PACTUM_NATS_PREFIX": "a.b"},
			err: `PACTUM_NATS_PREFIX must be 1 to 32 letters, digits, - and _, not "a.b"`},
		{name: "CIDRs", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.168.1.7/24"},
			got: func(c Config) any { return c.trusted }, want: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.0/24")}},
		{name: "CIDRs bad", env: map[string]string{"PACTUM_TRUSTED_PROXIES": "10.0.0.0/8,10.1"},
			err: `PACTUM_TRUSTED_PROXIES must be CIDRs such as 10.0.0.0/8, comma-separated: "10.1" is not one`},
		{name: "time bad", args: []string{"--clock-start", "2027-01-15"},
			err: `--clock-start must be an RFC 3339 time such as 2027-01-15T09:00:00Z, not "2027-01-15"`},

		// Secrets: their values are never repeated.
		{name: "secret env", env: map[string]string{"PACTUM_CLICK_SECRET": secret}, got: func(c Config) any { return c.ClickSecret }, want: secret},
		{name: "secret env short", env: map[string]string{"PACTUM_CLICK_SECRET": "s3cr3t"},
			err: `PACTUM_CLICK_SECRET must be at least 32 characters`},
		{name: "secret flag short", args: []string{"--admin-api-key", "s3cr3t"},
			err: `--admin-api-key must be at least 12 characters`},

		// Where a value comes from.
		{name: "flag wins", env: map[string]string{"PACTUM_ADDR": ":1"}, args: []string{"--addr", ":2"}, got: func(c Config) any { return c.Addr }, want: ":2"},
		{name: "flag wins over a bad variable, which is not read", env: map[string]string{"PACTUM_JOBS_EVERY": "abc"},
			args: []string{"--jobs-every", "5s"}, got: func(c Config) any { return c.JobsEvery }, want: 5 * time.Second},
		{name: "flag false wins", env: map[string]string{"PACTUM_DEMO": "true"}, args: []string{"--demo=false"}, got: func(c Config) any { return c.Demo }, want: false},
		{name: "empty variable is the default", env: map[string]string{"PACTUM_NATS_PREFIX": ""}, got: func(c Config) any { return c.NATSPrefix }, want: "pactum"},

		// Rules of several options together.
		{name: "role needs NATS", args: []string{"--role", "edge"},
			err: `--role edge needs --nats: the processes of a deployment share their events through NATS JetStream`},
		{name: "sessions idle no longer than they live", args: []string{"--session-idle", "48h"},
			err: `--session-idle (48h0m0s) must not be longer than --session-max (24h0m0s)`},
		{name: "session lifetimes", env: map[string]string{"PACTUM_SESSION_MAX": "168h"}, args: []string{"--session-idle", "30m"},
			got: func(c Config) any { return [2]time.Duration{c.SessionIdle, c.SessionMax} }, want: [2]time.Duration{30 * time.Minute, 168 * time.Hour}},
		{name: "session idle too short", args: []string{"--session-idle", "10s"}, err: `--session-idle must be between 1m and 720h, not "10s"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearOptionEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := parseServe(tt.args, io.Discard)
			switch {
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("the message shows a secret: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if got := tt.got(cfg); !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestUsageHidesSecrets: a mistyped flag prints the usage, which must not carry the secrets
// given in the environment, nor the password in a database URL.
func TestUsageHidesSecrets(t *testing.T) {
	clearOptionEnv(t)
	t.Setenv("PACTUM_ADMIN_API_KEY", "supersecret-admin-key")
	t.Setenv("PACTUM_CLICK_SECRET", "supersecret-click-secret-0123456789abcdef")
	t.Setenv("PACTUM_DB", "postgres://pactum:supersecret@db.internal/pactum")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--adr", ":1"}, &out, &errOut); err == nil {
		t.Fatal("a mistyped flag was accepted")
	}
	usage := out.String() + errOut.String()
	if strings.Contains(usage, "supersecret") || !strings.Contains(usage, "PACTUM_ADMIN_API_KEY") {
		t.Fatalf("usage output:\n%s", usage)
	}
	// The options' types, as the flag package prints its own.
	for _, want := range []string{"  -jobs-every duration\n", "  -nats-replicas int\n", "  -demo\n", "  -db string\n", `(default "pactum.db")`} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage output lacks %q:\n%s", want, usage)
		}
	}
}

// TestCommandsShareDB: the commands that open the store read --db and PACTUM_DB through the
// same option as serve.
func TestCommandsShareDB(t *testing.T) {
	clearOptionEnv(t)
	dir := t.TempDir()
	fromEnv, fromFlag := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	t.Setenv("PACTUM_DB", fromEnv)
	for _, args := range [][]string{{"migrate"}, {"migrate", "--db", fromFlag}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		want := fromEnv
		if slices.Contains(args, "--db") {
			want = fromFlag
		}
		if got := out.String(); got != "schema of "+want+" is up to date\n" {
			t.Errorf("%q: %q", args, got)
		}
	}
	for _, args := range [][]string{
		{"migrate", "--db", ""},
		{"users", "create", "--name", "ops", "--db", ""},
		{"payouts", "run", "--db", ""},
		{"fx", "load", "--db", "", "-"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil || err.Error() != "--db must not be empty" {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// TestREADMEListsOptions: the README's table of options names every option of the table, and
// no other.
func TestREADMEListsOptions(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := make(map[string]bool)
	for line := range strings.Lines(string(readme)) {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| `--") {
			for _, m := range regexp.MustCompile("`--([a-z-]+)`").FindAllStringSubmatch(first, -1) {
				listed[m[1]] = true
			}
		}
	}
	for _, o := range options {
		if !listed[o.name] {
			t.Errorf("README.md does not list --%s", o.name)
		}
		delete(listed, o.name)
	}
	for name := range listed {
		t.Errorf("README.md lists --%s, which is no option", name)
	}
}
