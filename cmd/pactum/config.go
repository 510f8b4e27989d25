package main

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Config is every option of `pactum serve`, read from flags and the environment as the table
// options says.
type Config struct {
	Addr           string
	DB             string
	EventsDir      string
	PublicURL      string
	AdminAPIKey    string
	ClickSecret    string
	GeoIP          string
	ASNDB          string
	HostingASNs    string
	CountryHeader  string
	TrustedProxies string
	LogFormat      string
	LogLevel       string
	PprofAddr      string
	CommitDelay    time.Duration
	ShutdownGrace  time.Duration
	Demo           bool
	DemoWeeks      int
	DemoSeed       int
	Role           string
	NATS           string
	NATSPrefix     string
	NATSReplicas   int
	NATSAckWait    time.Duration
	ConfigRefresh  time.Duration
	AnswerWait     time.Duration
	ClockStart     string
	JobsEvery      time.Duration
	SessionIdle    time.Duration
	SessionMax     time.Duration
	// PostbackAllowPrivate lifts the address guard's rule for partners' postbacks.
	PostbackAllowPrivate bool

	clock func() time.Time
	// demoScale multiplies the demo's traffic (1 if 0): tests make a small demo.
	demoScale float64

	trusted []netip.Prefix
}

// options is every option of pactum, each a flag (--jobs-every) and an environment variable
// (PACTUM_JOBS_EVERY), with its default and the rules of its value (options.go reads them).
// `pactum serve` takes them all; the other commands take those they need (--db).
var options = []option{
	{name: "addr", def: ":8080", usage: "address to listen on",
		check: notEmpty, field: func(c *Config) any { return &c.Addr }},
	{name: "db", def: "pactum.db", usage: "store: a SQLite file path, or a postgres:// URL",
		check: notEmpty, field: func(c *Config) any { return &c.DB }},
	{name: "events-dir", usage: "directory of the durable event log (default: the database path + \".events\", or ./pactum-events with PostgreSQL)",
		field: func(c *Config) any { return &c.EventsDir }},
	{name: "public-url", usage: "base URL of tracking links as partners see them (default http://localhost<addr>)",
		field: func(c *Config) any { return &c.PublicURL }},
	{name: "admin-api-key", usage: "bootstrap admin API key, accepted as a bearer key", secret: true,
		check: minLength(12), field: func(c *Config) any { return &c.AdminAPIKey }},
	{name: "click-secret", usage: "secret that signs click ids, 32+ characters (default: generated once and kept in the store)", secret: true,
		check: minLength(32), field: func(c *Config) any { return &c.ClickSecret }},
	{name: "geoip", usage: "MMDB file for visitor countries (MaxMind GeoLite2/GeoIP2 or DB-IP layout)",
		field: func(c *Config) any { return &c.GeoIP }},
	{name: "asn-db", usage: "MMDB file of autonomous systems (GeoLite2-ASN or DB-IP ASN Lite layout) for the datacenter fraud rule; with --hosting-asns",
		field: func(c *Config) any { return &c.ASNDB }},
	{name: "hosting-asns", usage: "file listing the AS numbers of data-centre and hosting networks, one a line (AS14061 or 14061, # comments), for the datacenter fraud rule; with --asn-db",
		field: func(c *Config) any { return &c.HostingASNs }},
	{name: "country-header", usage: "request header a trusted proxy sets to the visitor's country, e.g. CF-IPCountry",
		field: func(c *Config) any { return &c.CountryHeader }},
	{name: "trusted-proxies", usage: "comma-separated CIDRs whose X-Forwarded-For is believed, e.g. 10.0.0.0/8,127.0.0.1/32",
		check: func(v string) string { _, problem := parseCIDRs(v); return problem },
		field: func(c *Config) any { return &c.TrustedProxies }},
	{name: "pprof-addr", usage: "serve Go's profiler (net/http/pprof) on this separate address, e.g. 127.0.0.1:6060; never expose it",
		field: func(c *Config) any { return &c.PprofAddr }},
	{name: "log-format", def: "text", usage: "log format: text or json", choices: []string{"text", "json"},
		field: func(c *Config) any { return &c.LogFormat }},
	{name: "log-level", def: "info", usage: "log level: debug, info, warn, error", choices: []string{"debug", "info", "warn", "error"},
		field: func(c *Config) any { return &c.LogLevel }},
	{name: "commit-delay", def: "200µs", kind: duration, min: "0s", max: "100ms",
		usage: "how long the event log lets clicks gather before each write and fdatasync: longer means fewer syncs and more latency",
		field: func(c *Config) any { return &c.CommitDelay }},
	{name: "shutdown-grace", def: "30s", kind: duration, min: "0s",
		usage: "how long shutdown waits for requests and the event log to drain",
		field: func(c *Config) any { return &c.ShutdownGrace }},
	{name: "role", def: RoleAll, choices: []string{RoleAll, RoleEdge, RoleWorker, RoleAPI},
		usage: "what this process runs: all, or with --nats one part of a deployment: edge (tracking and postbacks), worker (applies events to the store), api (REST API)",
		field: func(c *Config) any { return &c.Role }},
	{name: "nats", usage: "NATS server URL(s), e.g. nats://127.0.0.1:4222: events go through JetStream instead of the embedded log, so that edges, workers and the API can run as separate processes",
		field: func(c *Config) any { return &c.NATS }},
	{name: "nats-prefix", def: "pactum", usage: "prefix of the NATS subjects, stream and consumer, so that several deployments can share one NATS",
		check: mustBe("1 to 32 letters, digits, - and _", validPrefix),
		field: func(c *Config) any { return &c.NATSPrefix }},
	{name: "nats-replicas", def: "1", kind: integer, min: "1", max: "5",
		usage: "JetStream replicas of the event stream (3 on a NATS cluster)",
		field: func(c *Config) any { return &c.NATSReplicas }},
	{name: "nats-ack-wait", def: "30s", kind: duration, min: "1s", max: "1h",
		usage: "with --role worker, how long JetStream waits for a worker to acknowledge a batch before it hands the batch to another: the delay before a killed worker's events are taken over",
		field: func(c *Config) any { return &c.NATSAckWait }},
	{name: "config-refresh", def: "1m", kind: duration, min: "1s",
		usage: "with --nats, how often a process reloads offers, partners and links even without a change notice",
		field: func(c *Config) any { return &c.ConfigRefresh }},
	{name: "answer-wait", def: "10s", kind: duration, min: "100ms", max: "5m",
		usage: "how long a conversion report waits for its result before it is answered 202 queued",
		field: func(c *Config) any { return &c.AnswerWait }},
	{name: "clock-start", usage: "for tests and demos: the process's clock starts at this RFC 3339 time (e.g. 2027-01-15T09:00:00Z) and runs on from there, so that hold periods and payout dates can be reached without waiting",
		check: mustBe("an RFC 3339 time such as 2027-01-15T09:00:00Z", func(v string) bool {
			_, err := time.Parse(time.RFC3339, v)
			return v == "" || err == nil
		}),
		field: func(c *Config) any { return &c.ClockStart }},
	{name: "jobs-every", def: "1m", kind: duration, min: "100ms", max: "24h",
		usage: "how often the approval and payout-schedule jobs look for work",
		field: func(c *Config) any { return &c.JobsEvery }},
	{name: "session-idle", def: "2h", kind: duration, min: "1m", max: "720h",
		usage: "a web UI session ends after this long without a request",
		field: func(c *Config) any { return &c.SessionIdle }},
	{name: "session-max", def: "24h", kind: duration, min: "5m", max: "8760h",
		usage: "a web UI session ends this long after its login, however it is used",
		field: func(c *Config) any { return &c.SessionMax }},
	{name: "postback-allow-private", def: "false", kind: boolean,
		usage: "let partners' postbacks go to loopback, private, link-local and other non-public addresses: for tests, and for partners on your own network",
		field: func(c *Config) any { return &c.PostbackAllowPrivate }},
	{name: "demo", def: "false", kind: boolean,
		usage: "create the demo program (Northwind Shoes: offers, some fifty partners, the link code DEMO) and --demo-weeks of simulated traffic if missing, and print where to click and how to log in",
		field: func(c *Config) any { return &c.Demo }},
	{name: "demo-weeks", def: "6", kind: integer, min: "0", max: "26",
		usage: "weeks of simulated clicks, sales, refunds and payout runs the demo makes, ending now (0: the program and three sales only)",
		field: func(c *Config) any { return &c.DemoWeeks }},
	{name: "demo-seed", def: "2026", kind: integer, min: "1", max: "1000000000",
		usage: "seed of the demo's simulated traffic: the same seed makes the same traffic",
		field: func(c *Config) any { return &c.DemoSeed }},
}

// mustBe is the check of a value that ok accepts, which is what.
func mustBe(what string, ok func(v string) bool) func(string) string {
	return func(v string) string {
		if !ok(v) {
			return fmt.Sprintf("must be %s, not %q", what, v)
		}
		return ""
	}
}

func notEmpty(v string) string {
	if v == "" {
		return "must not be empty"
	}
	return ""
}

// minLength is the check of a secret: its value is not repeated.
func minLength(n int) func(string) string {
	return func(v string) string {
		if v != "" && len(v) < n {
			return fmt.Sprintf("must be at least %d characters", n)
		}
		return ""
	}
}

// parseCIDRs reads --trusted-proxies, or says what is wrong with it.
func parseCIDRs(v string) ([]netip.Prefix, string) {
	var prefixes []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Sprintf("must be CIDRs such as 10.0.0.0/8, comma-separated: %q is not one", s)
		}
		prefixes = append(prefixes, p.Masked())
	}
	return prefixes, ""
}

// validate checks what concerns several options together (each option's own value is checked
// as it is read) and fills the derived ones.
func (c *Config) validate() error {
	c.clock = time.Now
	if c.ClockStart != "" {
		start, _ := time.Parse(time.RFC3339, c.ClockStart) // checked by its option
		began := time.Now()
		c.clock = func() time.Time { return start.Add(time.Since(began)) }
	}
	if c.Role != RoleAll {
		if c.NATS == "" {
			return fmt.Errorf("--role %s needs --nats: the processes of a deployment share their events through NATS JetStream", c.Role)
		}
		if !isPostgres(c.DB) {
			return fmt.Errorf("--role %s needs --db postgres://...: the processes of a deployment share one PostgreSQL store", c.Role)
		}
	}
	if c.SessionIdle > c.SessionMax {
		return fmt.Errorf("--session-idle (%s) must not be longer than --session-max (%s)", c.SessionIdle, c.SessionMax)
	}
	if c.EventsDir == "" {
		if isPostgres(c.DB) {
			c.EventsDir = "pactum-events"
		} else {
			c.EventsDir = c.DB + ".events"
		}
	}
	if c.PublicURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.PublicURL = "http://" + host
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.trusted, _ = parseCIDRs(c.TrustedProxies) // checked by its option
	return nil
}

// The roles of `pactum serve`.
const (
	RoleAll    = "all"
	RoleEdge   = "edge"
	RoleWorker = "worker"
	RoleAPI    = "api"
)

// runs tells whether the process runs part (a role other than all).
func (c *Config) runs(part string) bool { return c.Role == RoleAll || c.Role == part }

// validPrefix accepts what may stand in a NATS subject token and a stream name alike.
func validPrefix(p string) bool {
	if p == "" || len(p) > 32 {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
