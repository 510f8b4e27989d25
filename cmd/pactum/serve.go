package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/api"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/buildinfo"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/fx"
	"github.com/pactum/pactum/geoip"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/outbound"
	"github.com/pactum/pactum/payout"
	"github.com/pactum/pactum/postback"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	tuneGC()
	srv, err := newServer(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, srv, stdout, stderr); err != nil {
			srv.close(context.Background())
			return err
		}
		srv.configChanged()
	}
	return srv.run(ctx)
}

// parseServe reads the options of serve from args and the environment, and checks them.
func parseServe(args []string, stderr io.Writer) (Config, error) {
	fs := newFlagSet("serve", "Run the tracking edge (/c, /click, /aff_c, /i, /impression), the REST API (/api/v1)\nand the processors that store what the edge logged.", stderr)
	cfg, err := parseOptions(fs, args)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // one of the names slog reads: checked by its option
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// server is one Pactum process with everything it opened, in the order it must be closed.
type server struct {
	cfg     Config
	log     *slog.Logger
	store   pactum.Store
	events  *bus.FileLog // the embedded event log, without --nats
	cluster *cluster     // NATS and JetStream, with --nats
	geo     *geoip.DB
	// asn and dataCenters tell hosting networks for the datacenter fraud rule (--asn-db with
	// --hosting-asns); nil without them, and the rule never fires.
	asn         *geoip.DB
	dataCenters *geoip.DataCenters
	convs       *conversion.Pipeline
	keeper      *report.Keeper // with RoleWorker
	catalog     *catalog.Catalog
	signer      *clickid.Signer
	rules       *commission.Rules
	rates       *fx.Cache // exchange rates, shared by the pipeline and the API
	program     *program.Service
	// fxVersion is the store's pactum.SettingFXVersion when rates were last read (refresh only).
	fxVersion string
	fxWarned  time.Time // when pollRates last logged a failure
	// accounts signs people in to the web UI (its sessions are swept by refresh).
	accounts *auth.Accounts
	// outbound sends partners' postbacks (the worker's and the API's test sends) through the
	// address guard.
	outbound *outbound.Client
	http     *http.Server
	ln       net.Listener

	// stopJobs ends the approval and payout-schedule jobs; jobsDone closes when they returned.
	stopJobs context.CancelFunc
	jobsDone chan struct{}
}

// maxHeaderBytes bounds a request's line and headers, net/http's default said out loud: the
// answer past it (oversize.go) names it.
const maxHeaderBytes = 1 << 20

func newServer(ctx context.Context, cfg Config, logger *slog.Logger) (_ *server, err error) {
	s := &server{cfg: cfg, log: logger}
	defer func() {
		if err != nil {
			s.close(context.Background())
		}
	}()
	if s.store, err = openStore(ctx, cfg.DB); err != nil {
		return nil, err
	}
	clickKey, err := clickKey(ctx, s.store, cfg.ClickSecret)
	if err != nil {
		return nil, err
	}
	signer, err := clickid.NewSigner(clickKey)
	if err != nil {
		return nil, err
	}
	s.signer = signer
	if cfg.GeoIP != "" && cfg.runs(RoleEdge) {
		if s.geo, err = geoip.Open(cfg.GeoIP); err != nil {
			return nil, fmt.Errorf("open --geoip: %w", err)
		}
	}
	if cfg.runs(RoleEdge) {
		if s.dataCenters, s.asn, err = openDataCenters(cfg.ASNDB, cfg.HostingASNs); err != nil {
			return nil, err
		}
	}
	// The pipeline appends to the log, and the log's handler calls the pipeline: the log is
	// handed to the pipeline once it is open (replay at open only calls the handler).
	events := &openedLog{}
	commissions := &commission.Rules{}
	s.rules = commissions
	s.catalog = catalog.New(s.store, edge.CompileOffer)
	s.rates = fx.NewCache(s.store.FXRates)
	// The version before the rates: rates stored in between are read again at the first poll.
	if s.fxVersion, err = fxVersion(ctx, s.store); err != nil {
		return nil, err
	}
	if err := s.rates.Reload(ctx); err != nil {
		return nil, err
	}
	pcfg := conversion.Config{
		Store: s.catalog, Signer: signer, Log: events, Rules: commissions, Now: cfg.clock, Logger: logger,
		AnswerWait: cfg.AnswerWait, Rates: s.rates,
	}
	if cfg.runs(RoleWorker) {
		// This process applies conversions and keeps the reports: the keeper counts what the
		// pipeline stored from its copy rather than reading it back.
		s.keeper = report.NewKeeper(s.store, logger.With("component", "reports"))
		pcfg.Stored = s.keeper.Stored
	}
	if cfg.NATS != "" {
		if s.cluster, err = joinCluster(ctx, cfg, logger); err != nil {
			return nil, err
		}
		pcfg.ReplyTo, pcfg.Send = s.cluster.replyTo, s.cluster.send
	}
	s.convs = conversion.New(pcfg)
	if s.cluster != nil {
		events.Log = s.cluster.events
		if err := s.cluster.start(ctx, s.store, s.convs, s.reloadConfig); err != nil {
			return nil, err
		}
	} else {
		start, err := s.store.AppliedPosition(ctx, ingest.Stream)
		if err != nil {
			return nil, fmt.Errorf("read event log position: %w", err)
		}
		s.events, err = bus.OpenFileLog(ctx, bus.FileLogConfig{
			Dir: cfg.EventsDir, Start: start, Handler: ingest.Handler(s.store, s.convs, report.AddVisits, logger), Logger: logger,
			CommitDelay: cfg.CommitDelay, Urgent: []byte{bus.TypeConversion}, BeforeRelease: s.store.Sync,
		})
		if err != nil {
			return nil, fmt.Errorf("open event log: %w", err)
		}
		events.Log = s.events
	}

	s.accounts = auth.NewAccounts(auth.Config{Store: s.store, Idle: cfg.SessionIdle, Max: cfg.SessionMax, Now: cfg.clock, Logger: logger})

	s.outbound = outbound.New(outbound.Config{AllowPrivate: cfg.PostbackAllowPrivate})
	s.startBackground(logger)

	mux := http.NewServeMux()
	if cfg.runs(RoleEdge) {
		ecfg := edge.Config{
			Catalog: s.catalog, Signer: signer, Recorder: &ingest.Recorder{Log: events.Log},
			GeoIP: s.geo, DataCenters: s.dataCenterTest(), CountryHeader: cfg.CountryHeader, TrustedProxies: cfg.trusted,
			Conversions: s.convs, Advertisers: s.store,
			Now: cfg.clock, Logger: logger,
		}
		if s.cluster != nil {
			// Several edges: a visitor is unique once across them (docs/architecture.md).
			if ecfg.SharedVisitors, err = s.cluster.visitors(ctx, clickKey); err != nil {
				return nil, err
			}
		}
		e, err := edge.New(ecfg)
		if err != nil {
			return nil, err
		}
		if err := e.Seed(ctx, s.store); err != nil {
			return nil, fmt.Errorf("load recent visitors: %w", err)
		}
		e.Register(mux)
	}
	if cfg.runs(RoleAPI) {
		s.program = s.newProgram(cfg.clock)
		reports := report.New(s.store, s.rates, cfg.clock)
		api.New(api.Config{Program: s.program, Reports: reports, Stream: s.store, AdminKey: cfg.AdminAPIKey, Logger: logger}).Register(mux)
		ui, err := web.New(web.Config{Program: s.program, Accounts: s.accounts, Reports: reports, Stream: s.store, TrustedProxies: cfg.trusted, Logger: logger})
		if err != nil {
			return nil, err
		}
		ui.Register(mux)
	}
	s.registerOps(mux)
	if cfg.Demo {
		mux.HandleFunc("GET /demo/landing", demoLanding)
	}
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// An oversized request is answered in the SPEC's JSON error shape (oversize.go).
	s.ln = jsonErrorListener{s.ln}
	return s, nil
}

// newProgram returns the program service of this process on the clock now: the process's own
// (cfg.clock), or the demo's simulated one.
func (s *server) newProgram(now func() time.Time) *program.Service {
	return program.New(program.Config{
		Store: s.store, PublicURL: s.cfg.PublicURL, OnChange: s.configChanged, Logger: s.log, Now: now,
		Conversions: s.convs, Rules: s.rules, Rates: s.rates, Outbound: s.outbound,
	})
}

// startBackground starts the process's background work: reloading exchange rates (and, with
// NATS, the catalog) now and then, and in the worker role the jobs of payouts (approvals at the
// end of hold periods, the scheduled payout runs), the report rollups of conversion changes, and
// partner postbacks (the outbox over the change feed and the delivery worker). Each works from
// the store's state, so a restart resumes it, and several workers running at once approve, pay,
// count and send nothing twice. jobsDone closes once all of them returned: postbacks in flight
// are then recorded or released.
func (s *server) startBackground(logger *slog.Logger) {
	ctx, stop := context.WithCancel(context.Background())
	s.stopJobs, s.jobsDone = stop, make(chan struct{})
	jobs := &payout.Jobs{Store: s.store, Now: s.cfg.clock, Logger: logger.With("component", "payouts"), Every: s.cfg.JobsEvery}
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(ctx)
		}()
	}
	run(s.refresh)
	if s.cfg.runs(RoleWorker) {
		run(jobs.Run)
		run(s.keepReports)
		run(s.postbacks(logger.With("component", "postbacks")).Run)
		run(func(ctx context.Context) { s.pruneWebhooks(ctx, logger) })
	}
	go func() {
		wg.Wait()
		close(s.jobsDone)
	}()
}

// webhookRetention is how long the webhook log keeps what came in (as the postback log does).
const webhookRetention = 30 * 24 * time.Hour

// pruneWebhooks deletes webhooks older than webhookRetention from the log, at once and then
// hourly, until ctx ends: the log holds customers' orders, kept no longer than useful.
func (s *server) pruneWebhooks(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := s.store.PruneWebhooks(ctx, s.cfg.clock().Add(-webhookRetention))
		if err != nil && ctx.Err() == nil {
			logger.Warn("pruning the webhook log failed; will try again", "err", err)
		} else if n > 0 {
			logger.Info("webhooks older than 30 days pruned from the log", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// postbacks is the outbox and the delivery worker of partner postbacks.
func (s *server) postbacks(logger *slog.Logger) *postback.Runner {
	return &postback.Runner{
		Outbox: &postback.Outbox{Store: s.store, Now: s.cfg.clock, Logger: logger},
		Worker: &postback.Worker{Store: s.store, Now: s.cfg.clock, Logger: logger,
			Sender: &postback.Sender{Client: s.outbound, Now: s.cfg.clock}},
		Logger: logger,
	}
}

// keepReports keeps the report rollups of conversions current from the change feed. A store
// with events but no rollups (one made before reports existed, or restored without them) is
// rebuilt first; reports are complete once that is done.
func (s *server) keepReports(ctx context.Context) {
	log := s.keeper.Logger
	empty, err := s.store.RollupsEmpty(ctx)
	if err == nil && empty {
		if _, _, any, err := s.store.EventSpan(ctx); err == nil && any {
			log.Info("building report rollups from the stored events")
			started := time.Now()
			if err := report.Rebuild(ctx, s.store, nil); err != nil && ctx.Err() == nil {
				log.Error("building report rollups failed; run pactum reports rebuild", "err", err)
			} else if err == nil {
				log.Info("report rollups built", "took", time.Since(started).Round(time.Millisecond))
			}
		}
	}
	s.keeper.Run(ctx)
}

// fxPollEvery is how often a process asks the store whether exchange rates changed
// (pactum.SettingFXVersion, one row): rates that `pactum fx load` or another process stored reach
// it within this and the time to read them (about a second for the ECB's whole history on a
// small machine): within fxReachWithin, as `pactum fx load` tells its user.
const fxPollEvery = 2 * time.Second

// refresh reloads what other processes may have changed until ctx ends: the exchange rates when
// the store's version of them changed, polled every fxPollEvery, and, with NATS, the catalog
// every --config-refresh, in case a change notice was lost (core NATS delivers at most once).
func (s *server) refresh(ctx context.Context) {
	t := time.NewTicker(s.cfg.ConfigRefresh)
	defer t.Stop()
	poll := time.NewTicker(fxPollEvery)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.cluster != nil {
				s.catalog.Invalidate()
			}
			if s.cfg.runs(RoleAPI) {
				if _, err := s.accounts.Sweep(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("deleting expired web sessions failed", "err", err)
				}
			}
		case <-poll.C:
			s.pollRates(ctx)
		}
	}
}

// pollRates reloads the exchange rates if the store's version of them changed since they were
// read. A failed read is tried again at the next poll, and logged at most every
// --config-refresh: a store that is down fails every poll.
func (s *server) pollRates(ctx context.Context) {
	v, err := fxVersion(ctx, s.store)
	if err == nil && v == s.fxVersion {
		return
	}
	if err == nil {
		err = s.rates.Reload(ctx)
	}
	if err != nil {
		if ctx.Err() == nil && time.Since(s.fxWarned) >= s.cfg.ConfigRefresh {
			s.fxWarned = time.Now()
			s.log.Warn("reloading exchange rates failed; keeping the ones loaded", "err", err)
		}
		return
	}
	s.fxVersion = v
}

// fxVersion returns the store's pactum.SettingFXVersion, "" before any rates were stored.
func fxVersion(ctx context.Context, st pactum.Store) (string, error) {
	v, err := st.Setting(ctx, pactum.SettingFXVersion)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return "", nil
	}
	return v, err
}

// configChanged runs after the API changed offers, partners, links, coupons or exchange rates:
// this process reloads what it cached, and with NATS tells every other process to do the same.
func (s *server) configChanged() {
	s.reloadConfig()
	if s.cluster != nil {
		s.cluster.announceChange()
	}
}

// reloadConfig forgets the cached catalog and reloads exchange rates.
func (s *server) reloadConfig() {
	s.catalog.Invalidate()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.rates.Reload(ctx); err != nil {
			s.log.Warn("reloading exchange rates failed; keeping the ones loaded", "err", err)
		}
	}()
}

// openedLog is the event log, set once it is open.
type openedLog struct{ bus.Log }

// clickKey is the key click ids are signed with: the configured secret, or the one kept in the
// store, created on first start so that every process of a deployment, and every restart,
// signs with the same key.
func clickKey(ctx context.Context, st pactum.SettingStore, secret string) ([]byte, error) {
	if secret == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		var err error
		if secret, err = st.SetSettingIfAbsent(ctx, "click_id_key", hex.EncodeToString(b[:])); err != nil {
			return nil, fmt.Errorf("load click id key: %w", err)
		}
	}
	return []byte(secret), nil
}

func (s *server) registerOps(mux *http.ServeMux) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		buildInfoMetric(buildinfo.Read()),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pactum_conversions_waiting", Help: "Reported conversions waiting for the processor's answer.",
		}, func() float64 { return float64(s.convs.Waiting()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "pactum_fx_rate_missing_total",
			Help: "Commissions credited in the offer's currency because no exchange rate into the partner's was loaded.",
		}, func() float64 { return float64(s.convs.MissingRates()) }),
	)
	if s.events != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "pactum_eventlog_written_bytes", Help: "Position up to which the event log is durable.",
			}, func() float64 { return float64(s.events.Written()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "pactum_eventlog_syncs_total", Help: "Batches of events written and synced to the event log.",
			}, func() float64 { return float64(s.events.Syncs()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "pactum_eventlog_applied_bytes", Help: "Position up to which the event log is applied to the store.",
			}, func() float64 { return float64(s.events.Applied()) }),
		)
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", healthz(buildinfo.Read()))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if s.events != nil {
			if err := s.events.Err(); err != nil {
				http.Error(w, "event log unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		if s.cluster != nil && !s.cluster.connected() {
			http.Error(w, "NATS unavailable", http.StatusServiceUnavailable)
			return
		}
		if _, err := s.store.AppliedPosition(r.Context(), ingest.Stream); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
}

// run serves until ctx ends, then shuts down in order: stop accepting and finish the requests
// in flight (each waits for its click to be durable), drain the event log into the store, and
// close the store.
func (s *server) run(ctx context.Context) error {
	events := s.cfg.EventsDir
	if s.cluster != nil {
		events = redactDSN(s.cfg.NATS)
	}
	s.log.Info("pactum serving", "role", s.cfg.Role, "addr", s.ln.Addr().String(), "db", redactDSN(s.cfg.DB), "events", events,
		"version", buildinfo.Read().Version, "revision", buildinfo.Read().Revision)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	if s.cfg.PprofAddr != "" {
		go s.servePprof()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := s.http.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("requests still running at shutdown", "err", err)
	}
	closeErr := s.close(shutdownCtx)
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return closeErr
}

func (s *server) close(ctx context.Context) error {
	var errs []error
	if s.stopJobs != nil {
		s.stopJobs()
		<-s.jobsDone
	}
	if s.events != nil {
		errs = append(errs, s.events.Close(ctx))
	}
	if s.cluster != nil {
		errs = append(errs, s.cluster.close(ctx))
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.asn != nil {
		errs = append(errs, s.asn.Close())
	}
	if s.geo != nil {
		errs = append(errs, s.geo.Close())
	}
	return errors.Join(errs...)
}

// servePprof serves the profiler on its own address, so that it is never reachable through the
// public listener.
func (s *server) servePprof() {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.log.Info("profiler listening", "addr", s.cfg.PprofAddr)
	if err := http.ListenAndServe(s.cfg.PprofAddr, mux); err != nil {
		s.log.Warn("profiler stopped", "err", err)
	}
}

// tuneGC lets the heap grow further between collections than Go's default: the click path
// allocates little that lives long, so collecting less often saves CPU on every click, while the
// soft memory limit keeps the process small. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(96 << 20)
	}
}
