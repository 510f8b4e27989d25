package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every option of `pactum serve`, in one place, with its default. Each option is a
// flag (--db) and an environment variable (PACTUM_DB); a flag given on the command line wins.
type Config struct {
	Addr           string
	DB             string
	EventsDir      string
	PublicURL      string
	AdminAPIKey    string
	ClickSecret    string
	GeoIP          string
	CountryHeader  string
	TrustedProxies string
	LogFormat      string
	LogLevel       string
	PprofAddr      string
	CommitDelay    time.Duration
	ShutdownGrace  time.Duration
	Demo           bool
	Role           string
	NATS           string
	NATSPrefix     string
	NATSReplicas   int
	NATSAckWait    time.Duration
	ConfigRefresh  time.Duration
	AnswerWait     time.Duration
	ClockStart     string
	JobsEvery      time.Duration

	clock func() time.Time

	trusted []netip.Prefix
}

// bind registers the options on fs. Environment variables set the defaults, so that flags
// override them.
func (c *Config) bind(fs *flag.FlagSet) {
	str := func(p *string, name, def, usage string) {
		fs.StringVar(p, name, env(name, def), usage+" (env "+envName(name)+")")
	}
	str(&c.Addr, "addr", ":8080", "address to listen on")
	str(&c.DB, "db", "pactum.db", "store: a SQLite file path, or a postgres:// URL")
	str(&c.EventsDir, "events-dir", "", "directory of the durable event log (default: the database path + \".events\", or ./pactum-events with PostgreSQL)")
	str(&c.PublicURL, "public-url", "", "base URL of tracking links as partners see them (default http://localhost<addr>)")
	// Secrets are read from the environment in validate, not made flag defaults, so that usage
	// output (a mistyped flag, --help) never prints them.
	fs.StringVar(&c.AdminAPIKey, "admin-api-key", "", "bootstrap admin API key, accepted as a bearer key (env "+envName("admin-api-key")+")")
	fs.StringVar(&c.ClickSecret, "click-secret", "", "secret that signs click ids, 32+ characters (default: generated once and kept in the store) (env "+envName("click-secret")+")")
	str(&c.GeoIP, "geoip", "", "MMDB file for visitor countries (MaxMind GeoLite2/GeoIP2 or DB-IP layout)")
	str(&c.CountryHeader, "country-header", "", "request header a trusted proxy sets to the visitor's country, e.g. CF-IPCountry")
	str(&c.TrustedProxies, "trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For is believed, e.g. 10.0.0.0/8,127.0.0.1/32")
	str(&c.PprofAddr, "pprof-addr", "", "serve Go's profiler (net/http/pprof) on this separate address, e.g. 127.0.0.1:6060; never expose it")
	str(&c.LogFormat, "log-format", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&c.CommitDelay, "commit-delay", envDuration("commit-delay", 200*time.Microsecond), "how long the event log lets clicks gather before each write and fdatasync: longer means fewer syncs and more latency (env PACTUM_COMMIT_DELAY)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", envDuration("shutdown-grace", 30*time.Second), "how long shutdown waits for requests and the event log to drain (env PACTUM_SHUTDOWN_GRACE)")
	str(&c.Role, "role", RoleAll, "what this process runs: all, or with --nats one part of a deployment: edge (tracking and postbacks), worker (applies events to the store), api (REST API)")
	str(&c.NATS, "nats", "", "NATS server URL(s), e.g. nats://127.0.0.1:4222: events go through JetStream instead of the embedded log, so that edges, workers and the API can run as separate processes")
	str(&c.NATSPrefix, "nats-prefix", "pactum", "prefix of the NATS subjects, stream and consumer, so that several deployments can share one NATS")
	fs.IntVar(&c.NATSReplicas, "nats-replicas", envInt("nats-replicas", 1), "JetStream replicas of the event stream (3 on a NATS cluster) (env PACTUM_NATS_REPLICAS)")
	fs.DurationVar(&c.NATSAckWait, "nats-ack-wait", envDuration("nats-ack-wait", 30*time.Second), "with --role worker, how long JetStream waits for a worker to acknowledge a batch before it hands the batch to another: the delay before a killed worker's events are taken over (env PACTUM_NATS_ACK_WAIT)")
	fs.DurationVar(&c.ConfigRefresh, "config-refresh", envDuration("config-refresh", time.Minute), "with --nats, how often a process reloads offers, partners and links even without a change notice (env PACTUM_CONFIG_REFRESH)")
	fs.DurationVar(&c.AnswerWait, "answer-wait", envDuration("answer-wait", 10*time.Second), "how long a conversion report waits for its result before it is answered 202 queued (env PACTUM_ANSWER_WAIT)")
	str(&c.ClockStart, "clock-start", "", "for tests and demos: the process's clock starts at this RFC 3339 time (e.g. 2027-01-15T09:00:00Z) and runs on from there, so that hold periods and payout dates can be reached without waiting")
	fs.DurationVar(&c.JobsEvery, "jobs-every", envDuration("jobs-every", time.Minute), "how often the approval and payout-schedule jobs look for work (env PACTUM_JOBS_EVERY)")
	fs.BoolVar(&c.Demo, "demo", env("demo", "") == "true", "create a demo advertiser, offer, partner and link (code DEMO) if missing, and print where to click (env PACTUM_DEMO=true)")
}

// validate checks the options and fills the derived ones.
func (c *Config) validate() error {
	if c.AdminAPIKey == "" {
		c.AdminAPIKey = env("admin-api-key", "")
	}
	if c.ClickSecret == "" {
		c.ClickSecret = env("click-secret", "")
	}
	if c.Addr == "" {
		return fmt.Errorf("--addr must not be empty")
	}
	c.clock = time.Now
	if c.ClockStart != "" {
		start, err := time.Parse(time.RFC3339, c.ClockStart)
		if err != nil {
			return fmt.Errorf("--clock-start must be an RFC 3339 time such as 2027-01-15T09:00:00Z, not %q", c.ClockStart)
		}
		began := time.Now()
		c.clock = func() time.Time { return start.Add(time.Since(began)) }
	}
	if c.JobsEvery < 100*time.Millisecond || c.JobsEvery > 24*time.Hour {
		return fmt.Errorf("--jobs-every must be between 100ms and 24h, not %s", c.JobsEvery)
	}
	switch c.Role {
	case RoleAll:
	case RoleEdge, RoleWorker, RoleAPI:
		if c.NATS == "" {
			return fmt.Errorf("--role %s needs --nats: the processes of a deployment share their events through NATS JetStream", c.Role)
		}
		if !isPostgres(c.DB) {
			return fmt.Errorf("--role %s needs --db postgres://...: the processes of a deployment share one PostgreSQL store", c.Role)
		}
	default:
		return fmt.Errorf("--role must be all, edge, worker or api, not %q", c.Role)
	}
	if !validPrefix(c.NATSPrefix) {
		return fmt.Errorf("--nats-prefix must be letters, digits, - and _, not %q", c.NATSPrefix)
	}
	if c.NATSReplicas < 1 || c.NATSReplicas > 5 {
		return fmt.Errorf("--nats-replicas must be between 1 and 5, not %d", c.NATSReplicas)
	}
	if c.NATSAckWait < time.Second || c.NATSAckWait > time.Hour {
		return fmt.Errorf("--nats-ack-wait must be between 1s and 1h, not %s", c.NATSAckWait)
	}
	if c.ConfigRefresh < time.Second {
		return fmt.Errorf("--config-refresh must be at least 1s, not %s", c.ConfigRefresh)
	}
	if c.AnswerWait < 100*time.Millisecond || c.AnswerWait > 5*time.Minute {
		return fmt.Errorf("--answer-wait must be between 100ms and 5m, not %s", c.AnswerWait)
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
	if c.ClickSecret != "" && len(c.ClickSecret) < 32 {
		return fmt.Errorf("--click-secret must be at least 32 characters")
	}
	if c.AdminAPIKey != "" && len(c.AdminAPIKey) < 12 {
		return fmt.Errorf("--admin-api-key must be at least 12 characters")
	}
	if c.CommitDelay < 0 || c.CommitDelay > 100*time.Millisecond {
		return fmt.Errorf("--commit-delay must be between 0 and 100ms, not %s", c.CommitDelay)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %q is not a CIDR such as 10.0.0.0/8", s)
		}
		c.trusted = append(c.trusted, p.Masked())
	}
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

func envName(flagName string) string {
	return "PACTUM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func env(flagName, def string) string {
	if v, ok := os.LookupEnv(envName(flagName)); ok {
		return v
	}
	return def
}

func envInt(flagName string, def int) int {
	if n, err := strconv.Atoi(env(flagName, "")); err == nil {
		return n
	}
	return def
}

func envDuration(flagName string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(flagName, "")); err == nil {
		return d
	}
	return def
}
