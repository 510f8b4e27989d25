package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	defaultJetStreamStream  = "PACTUM_EVENTS"
	defaultJetStreamSubject = "pactum.events"
	defaultDurable          = "pactum-workers"
	defaultConsumeBatch     = 512
	defaultGather           = 2 * time.Millisecond
	defaultAckWait          = 30 * time.Second

	// maxPendingPublishes bounds the publishes awaiting their PubAck. Above it a publish waits
	// (200ms at most, then fails) rather than queueing without limit while the server is slow.
	maxPendingPublishes = 8192
	// pubAckTimeout forgets a publish whose PubAck never comes (a lost cluster leader), so
	// that such publishes cannot fill maxPendingPublishes for good.
	pubAckTimeout = 10 * time.Second
	// maxAckPending is how many delivered but unacknowledged messages the durable allows across
	// all its workers; the server's default (1000) would leave a second worker idle while the
	// first holds two batches.
	maxAckPending = 20000
	// pooledBody is the largest message body kept for reuse; rare big events should not pin
	// big buffers.
	pooledBody = 16 << 10
	// drainWait bounds how long a stopping consumer waits for the client to pass on the
	// messages it had buffered; whatever is left the server redelivers after AckWait.
	drainWait = 5 * time.Second
)

// JetStreamConfig configures the distributed event log.
type JetStreamConfig struct {
	// Conn is the connection to use; it stays the caller's to close.
	Conn *nats.Conn
	// Stream is the JetStream stream name (default "PACTUM_EVENTS").
	Stream string
	// Subject is the one subject the events are published to (default "pactum.events").
	Subject string
	// Replicas is the stream's replica count (default 1).
	Replicas int
	// MaxAge drops events that no worker acknowledged within it; 0 keeps them until they are.
	MaxAge time.Duration
	Logger *slog.Logger
}

// JetStreamLog is the event log of the distributed mode: a work-queue stream on a NATS
// JetStream server. Unlike FileLog it hands events to any number of workers, in no global
// order and possibly more than once, so handlers deduplicate per event rather than by position.
type JetStreamLog struct {
	js      jetstream.JetStream
	stream  jetstream.Stream
	subject string
	log     *slog.Logger

	// bodies recycles message bodies: Append is the click hot path.
	bodies sync.Pool

	closed atomic.Bool
	// mu orders Consume's registration against Close, so that Close waits for every consumer.
	mu        sync.Mutex
	consumers sync.WaitGroup
	stopAll   context.CancelFunc
	stopCtx   context.Context
}

// OpenJetStream creates the stream, or updates it to cfg, and returns a log that appends to it.
func OpenJetStream(ctx context.Context, cfg JetStreamConfig) (*JetStreamLog, error) {
	if cfg.Conn == nil {
		return nil, errors.New("open jetstream event log: no NATS connection")
	}
	if cfg.Stream == "" {
		cfg.Stream = defaultJetStreamStream
	}
	if cfg.Subject == "" {
		cfg.Subject = defaultJetStreamSubject
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	js, err := jetstream.New(cfg.Conn,
		jetstream.WithPublishAsyncMaxPending(maxPendingPublishes),
		jetstream.WithPublishAsyncTimeout(pubAckTimeout))
	if err != nil {
		return nil, fmt.Errorf("open jetstream event log: %w", err)
	}
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:     cfg.Stream,
		Subjects: []string{cfg.Subject},
		// A work queue deletes each event once a worker acknowledged it, so the stream holds
		// only the backlog and FirstSeq tells which claims can be forgotten.
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.FileStorage,
		Replicas:  cfg.Replicas,
		MaxAge:    cfg.MaxAge,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update stream %s: %w", cfg.Stream, err)
	}
	l := &JetStreamLog{
		js:      js,
		stream:  stream,
		subject: cfg.Subject,
		log:     cfg.Logger.With("component", "eventlog", "stream", cfg.Stream),
	}
	l.bodies.New = func() any { b := make([]byte, 0, 512); return &b }
	l.stopCtx, l.stopAll = context.WithCancel(context.Background())
	return l, nil
}

// Append publishes one event and returns once JetStream acknowledged it as stored. Many
// appends are in flight at once on the one connection, so the server's round trip bounds the
// latency of each, not the rate of all. While the connection is reconnecting an append waits
// for it until ctx ends or pubAckTimeout passes; on a closed connection it fails at once.
func (l *JetStreamLog) Append(ctx context.Context, typ byte, data []byte) error {
	if l.closed.Load() {
		return ErrClosed
	}
	bp := l.bodies.Get().(*[]byte)
	body := append(append((*bp)[:0], typ), data...)
	f, err := l.js.PublishAsync(l.subject, body)
	if err != nil {
		// Nothing kept the body: the publish never got as far as being retried.
		l.recycle(bp, body)
		return fmt.Errorf("publish event: %w", err)
	}
	select {
	case <-f.Ok():
		// Once acknowledged the client has written the body and will not resend it.
		l.recycle(bp, body)
		return nil
	case err := <-f.Err():
		// The body is not recycled on failure: a retry after "no responders" may still be
		// reading it when a timeout is reported.
		return fmt.Errorf("publish event: %w", err)
	case <-ctx.Done():
		// The publish may still go out and be stored: the caller must treat the event as
		// possibly appended. Its body stays with the pending publish.
		return ctx.Err()
	}
}

func (l *JetStreamLog) recycle(bp *[]byte, body []byte) {
	if cap(body) > pooledBody {
		return
	}
	*bp = body
	l.bodies.Put(bp)
}

// ConsumeConfig configures one worker of the durable consumer.
type ConsumeConfig struct {
	// Durable names the consumer the workers share (default "pactum-workers").
	Durable string
	// Batch is the most entries per Handler call (default 512).
	Batch int
	// Gather is how long to wait for more entries after the first (default 2ms).
	Gather time.Duration
	// AckWait is how long the server waits for an acknowledgement before it redelivers
	// (default 30s); a Handler call must take well under it.
	AckWait time.Duration
	// Handler applies entries: Pos is the stream sequence, entries of one call may come in
	// any order, and an entry may come again after a failure anywhere.
	Handler Handler
}

// Consume runs one worker on the durable pull consumer until ctx ends or the log is closed,
// and then returns nil. Each batch is acknowledged only after Handler returned nil for it; a
// failed batch is handed back to the server to be delivered again, to this or another worker.
// It returns an error if the consumer cannot be set up or the connection closes for good.
func (l *JetStreamLog) Consume(ctx context.Context, cfg ConsumeConfig) error {
	if cfg.Handler == nil {
		return errors.New("consume events: no handler")
	}
	if cfg.Durable == "" {
		cfg.Durable = defaultDurable
	}
	if cfg.Batch <= 0 {
		cfg.Batch = defaultConsumeBatch
	}
	if cfg.Gather <= 0 {
		cfg.Gather = defaultGather
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = defaultAckWait
	}
	l.mu.Lock()
	if l.closed.Load() {
		l.mu.Unlock()
		return ErrClosed
	}
	l.consumers.Add(1)
	l.mu.Unlock()
	defer l.consumers.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(l.stopCtx, cancel)()

	cons, err := l.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxAckPending: maxAckPending,
		FilterSubject: l.subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("create or update consumer %s: %w", cfg.Durable, err)
	}
	log := l.log.With("consumer", cfg.Durable)

	// The client calls back on its own goroutine; the channel carries messages to the loop
	// below, which gathers them into batches. A full channel blocks the callback, and so the
	// client stops asking the server for more. The loop reads the channel until the client
	// has stopped, unless it gave up waiting (abandon).
	msgs := make(chan jetstream.Msg, cfg.Batch)
	abandon := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-abandon:
			nak(m, 0)
		}
	},
		jetstream.PullMaxMessages(2*cfg.Batch),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			log.Warn("consuming events", "err", err)
		}))
	if err != nil {
		return fmt.Errorf("consume from %s: %w", cfg.Durable, err)
	}
	closed := cc.Closed()

	w := worker{cfg: cfg, log: log, wait: minRetry, cc: cc, msgs: msgs, abandon: abandon}
	timer := time.NewTimer(0)
	<-timer.C
	var batch []jetstream.Msg
	for {
		select {
		case m := <-msgs:
			batch = append(batch[:0], m)
		case <-ctx.Done():
			return w.stop(nil)
		case <-closed:
			if ctx.Err() != nil {
				return nil
			}
			return errors.New("consuming events stopped: the NATS connection is closed")
		}
		timer.Reset(cfg.Gather)
	gather:
		for len(batch) < cfg.Batch {
			select {
			case m := <-msgs:
				batch = append(batch, m)
			case <-timer.C:
				break gather
			case <-ctx.Done():
				break gather
			}
		}
		timer.Stop()
		if ctx.Err() != nil {
			return w.stop(batch)
		}
		if !w.handle(ctx, batch) {
			return w.stop(w.held)
		}
	}
}

const (
	minRetry = 10 * time.Millisecond
	maxRetry = 5 * time.Second
)

// worker is the state of one Consume loop.
type worker struct {
	cfg     ConsumeConfig
	log     *slog.Logger
	cc      jetstream.ConsumeContext
	msgs    chan jetstream.Msg
	abandon chan struct{}
	entries []Entry
	held    []jetstream.Msg // the message of each entry, to acknowledge
	wait    time.Duration   // back-off after a failed batch
}

// handle applies one batch and acknowledges it, or hands it back and backs off. It returns
// false, having kept the batch in w.held, when the handler failed because ctx ended.
func (w *worker) handle(ctx context.Context, batch []jetstream.Msg) bool {
	w.entries, w.held = w.entries[:0], w.held[:0]
	for _, m := range batch {
		md, err := m.Metadata()
		data := m.Data()
		if err == nil && len(data) == 0 {
			err = errors.New("empty message: no event type")
		}
		if err != nil {
			// Not an event this log wrote: delivering it again would not change that.
			w.log.Error("dropping a malformed message", "err", err, "subject", m.Subject())
			if err := m.Term(); err != nil {
				w.log.Warn("terminating a malformed message", "err", err)
			}
			continue
		}
		w.entries = append(w.entries, Entry{Pos: md.Sequence.Stream, Type: data[0], Data: data[1:]})
		w.held = append(w.held, m)
	}
	if len(w.entries) == 0 {
		return true
	}
	if err := w.cfg.Handler(ctx, w.entries); err != nil {
		if ctx.Err() != nil {
			// Stopping, not failing: stop hands the batch back for others to take at once.
			return false
		}
		w.log.Error("applying events failed; handing them back", "err", err, "events", len(w.held), "retry_in", w.wait)
		nakAll(w.held, w.wait, w.log)
		select {
		case <-time.After(w.wait):
		case <-ctx.Done():
		}
		w.wait = min(2*w.wait, maxRetry)
		return true
	}
	w.wait = minRetry
	var failed int
	var first error
	for _, m := range w.held {
		if err := m.Ack(); err != nil {
			if failed == 0 {
				first = err
			}
			failed++
		}
	}
	if failed > 0 {
		// The events were applied: the server delivers them again after AckWait and the
		// handler, which deduplicates, skips them.
		w.log.Warn("acknowledging applied events failed", "err", first, "events", failed)
	}
	return true
}

// stop hands back the messages the worker holds (held) or the client has buffered, so that
// the other workers get them now rather than after AckWait. It does so only once the client
// has unsubscribed: the server redelivers a handed-back message at once, and while this worker
// still had a pull request open it could redeliver it here, where it would be dropped.
func (w *worker) stop(held []jetstream.Msg) error {
	w.cc.Drain()
	closed := w.cc.Closed()
	timeout := time.NewTimer(drainWait)
	defer timeout.Stop()
collect:
	for {
		select {
		case m := <-w.msgs:
			held = append(held, m)
		case <-closed:
			break collect
		case <-timeout.C:
			w.log.Warn("stopping the consumer took too long; the server redelivers what is left after AckWait")
			break collect
		}
	}
	close(w.abandon)
	for {
		select {
		case m := <-w.msgs:
			held = append(held, m)
		default:
			nakAll(held, 0, w.log)
			return nil
		}
	}
}

func nakAll(msgs []jetstream.Msg, delay time.Duration, log *slog.Logger) {
	var failed int
	var first error
	for _, m := range msgs {
		if err := nak(m, delay); err != nil {
			if failed == 0 {
				first = err
			}
			failed++
		}
	}
	if failed > 0 {
		log.Warn("handing back events failed; the server redelivers them after AckWait", "err", first, "events", failed)
	}
}

func nak(m jetstream.Msg, delay time.Duration) error {
	if delay > 0 {
		return m.NakWithDelay(delay)
	}
	return m.Nak()
}

// FirstSeq is the stream's first sequence. Every event below it was acknowledged (or expired
// under MaxAge) and deleted, and can never be delivered again, so claims below it can be
// forgotten.
func (l *JetStreamLog) FirstSeq(ctx context.Context) (uint64, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	return info.State.FirstSeq, nil
}

// StreamID names this incarnation of the stream: its name and creation time. Sequences restart
// at 1 when an operator deletes and recreates the stream, so whatever is keyed by sequence (the
// workers' claims) must be keyed by this too, or new events would pass for old ones.
func (l *JetStreamLog) StreamID(ctx context.Context) (string, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("stream info: %w", err)
	}
	return info.Config.Name + "@" + strconv.FormatInt(info.Created.UnixNano(), 10), nil
}

// Close stops accepting appends, stops the consumers and waits until both the publishes in
// flight are acknowledged and the consumers returned, or ctx ends. The connection is left open.
func (l *JetStreamLog) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed.Load() {
		l.mu.Unlock()
		return nil
	}
	l.closed.Store(true)
	l.mu.Unlock()
	l.stopAll()
	consumersDone := make(chan struct{})
	go func() {
		l.consumers.Wait()
		close(consumersDone)
	}()
	select {
	case <-l.js.PublishAsyncComplete():
	case <-ctx.Done():
		return fmt.Errorf("close event log with %d publishes unacknowledged: %w", l.js.PublishAsyncPending(), ctx.Err())
	}
	select {
	case <-consumersDone:
	case <-ctx.Done():
		return fmt.Errorf("close event log: consumers still stopping: %w", ctx.Err())
	}
	return nil
}
