package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/report"
)

// pruneEvery is how often a worker forgets the event claims that JetStream can no longer
// redeliver.
const pruneEvery = 5 * time.Minute

// flushWait bounds a round trip to NATS at start and at shutdown.
const flushWait = 5 * time.Second

// cluster is what a process of a deployment over NATS shares with the others: the JetStream
// event log, the subject on which it gets the results of the conversions it submitted, and the
// subject on which the API announces configuration changes.
type cluster struct {
	cfg     Config
	log     *slog.Logger
	nc      *nats.Conn
	events  *bus.JetStreamLog
	replyTo string
	changes string // subject of configuration changes

	subs []*nats.Subscription
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// joinCluster connects to NATS and opens the event stream, creating it on first use.
func joinCluster(ctx context.Context, cfg Config, logger *slog.Logger) (*cluster, error) {
	var node [6]byte
	_, _ = rand.Read(node[:]) // crypto/rand.Read never fails (Go 1.24+)
	c := &cluster{
		cfg: cfg, log: logger,
		replyTo: cfg.NATSPrefix + ".results." + hex.EncodeToString(node[:]),
		changes: cfg.NATSPrefix + ".config",
	}
	nc, err := nats.Connect(cfg.NATS,
		nats.Name("pactum "+cfg.Role),
		nats.MaxReconnects(-1), // a NATS restart must not end the process
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil when the process itself closes the connection at shutdown
				logger.Warn("disconnected from NATS", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { logger.Info("reconnected to NATS") }),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS %s: %w", redactDSN(cfg.NATS), err)
	}
	c.nc = nc
	c.events, err = bus.OpenJetStream(ctx, bus.JetStreamConfig{
		Conn: nc, Stream: c.streamPrefix() + "_EVENTS",
		Subject: cfg.NATSPrefix + ".events", Replicas: cfg.NATSReplicas, Logger: logger,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("open the NATS event stream: %w", err)
	}
	return c, nil
}

// visitors opens the memory of recent visitors that the edges share, in a key-value bucket
// named after the prefix. Its keys are keyed hashes of the visitors, with a secret derived from
// the click-id key, which every process of the deployment has.
func (c *cluster) visitors(ctx context.Context, clickKey []byte) (*bus.VisitorBucket, error) {
	secret := sha256.Sum256(append([]byte("pactum unique visitors\x00"), clickKey...))
	b, err := bus.OpenVisitorBucket(ctx, bus.VisitorBucketConfig{
		Conn: c.nc, Bucket: c.streamPrefix() + "_VISITORS", Window: edge.UniqueWindow,
		Secret: secret[:], Replicas: c.cfg.NATSReplicas,
	})
	if err != nil {
		return nil, fmt.Errorf("open the visitors bucket on NATS: %w", err)
	}
	return b, nil
}

// streamPrefix is the prefix in the form stream and bucket names take.
func (c *cluster) streamPrefix() string {
	return strings.ToUpper(strings.ReplaceAll(c.cfg.NATSPrefix, "-", "_"))
}

// start subscribes to results and configuration changes (calling changed for each; the server
// also reloads now and then in case a notice was lost), and with the worker role consumes the
// event stream into the store.
func (c *cluster) start(ctx context.Context, st pactum.EventStore, p *conversion.Pipeline, changed func()) error {
	results, err := c.nc.Subscribe(c.replyTo, func(m *nats.Msg) { p.Receive(m.Data) })
	if err != nil {
		return fmt.Errorf("subscribe to conversion results: %w", err)
	}
	changes, err := c.nc.Subscribe(c.changes, func(*nats.Msg) { changed() })
	if err != nil {
		results.Unsubscribe()
		return fmt.Errorf("subscribe to configuration changes: %w", err)
	}
	c.subs = append(c.subs, results, changes)
	// Flush so that the subscriptions are in place on the server before the first request.
	if err := c.nc.FlushTimeout(flushWait); err != nil {
		return fmt.Errorf("subscribe on NATS: %w", err)
	}

	runCtx, stop := context.WithCancel(context.Background())
	c.stop = stop
	if !c.cfg.runs(RoleWorker) {
		return nil
	}
	claims, err := c.events.StreamID(ctx)
	if err != nil {
		return err
	}
	handler := ingest.UnorderedHandler(st, p, report.AddVisits, c.log, claims)
	c.wg.Add(2)
	go func() {
		defer c.wg.Done()
		err := c.events.Consume(runCtx, bus.ConsumeConfig{
			Durable: c.cfg.NATSPrefix + "-workers", AckWait: c.cfg.NATSAckWait, Handler: handler,
		})
		if err != nil {
			c.log.Error("the worker stopped consuming events", "err", err)
		}
	}()
	go func() {
		defer c.wg.Done()
		c.pruneClaims(runCtx, st, claims)
	}()
	c.log.Info("worker consuming events", "claims", claims)
	return nil
}

// pruneClaims forgets, now and then, the claims of events below the stream's first sequence:
// the work queue deleted them, so they can never come again.
func (c *cluster) pruneClaims(ctx context.Context, st pactum.EventStore, claims string) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		first, err := c.events.FirstSeq(ctx)
		if err == nil {
			_, err = st.PruneClaims(ctx, claims, first)
		}
		if err != nil && ctx.Err() == nil {
			c.log.Warn("pruning event claims failed; will try again", "err", err)
		}
	}
}

// send publishes a conversion result to the process that waits for it.
func (c *cluster) send(to string, data []byte) error {
	return c.nc.Publish(to, data)
}

// announceChange tells every process to reload its cached configuration.
func (c *cluster) announceChange() {
	if err := c.nc.Publish(c.changes, nil); err != nil {
		c.log.Warn("announcing a configuration change failed; other processes reload within --config-refresh", "err", err)
	}
}

func (c *cluster) connected() bool { return c.nc.IsConnected() }

// close stops the worker after its batch, waits for the events this process published, and
// leaves NATS.
func (c *cluster) close(ctx context.Context) error {
	if c.stop != nil {
		c.stop()
	}
	c.wg.Wait()
	var errs []error
	if c.events != nil {
		errs = append(errs, c.events.Close(ctx))
	}
	for _, s := range c.subs {
		if err := s.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, err)
		}
	}
	if err := c.nc.FlushTimeout(flushWait); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		errs = append(errs, fmt.Errorf("flush NATS: %w", err))
	}
	c.nc.Close()
	return errors.Join(errs...)
}
