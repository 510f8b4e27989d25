package bus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("event log is closed")

const (
	recordHeader        = 9 // length (4), CRC-32C (4), type (1)
	maxRecord           = 1 << 20
	defaultSegmentBytes = 64 << 20
	segmentSuffix       = ".log"
	// applyBatch bounds how many entries one Handler call gets, so that one store transaction
	// stays short while the log is being caught up.
	applyBatch = 4096
	// applyBytes is how much the applier gathers before it stops waiting for more.
	applyBytes = 1 << 20
	// defaultApplyDelay bounds how long an event waits for others before it is applied.
	defaultApplyDelay = 50 * time.Millisecond
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FileLogConfig configures an embedded event log.
type FileLogConfig struct {
	Dir string
	// Start is the position the handler has already applied (from the store): entries up to it
	// are not handed to the handler again.
	Start   uint64
	Handler Handler
	// SegmentBytes is the size at which a new segment file is started (default 64 MiB).
	SegmentBytes int64
	// ApplyDelay is how long the applier waits to gather events into one handler call
	// (default 50ms); the store lags the log by about this much.
	ApplyDelay time.Duration
	// BeforeRelease, if set, is called before segments the handler has applied are deleted; if
	// it fails they are kept until the next time. A store whose commits are not durable at once
	// makes them durable here.
	BeforeRelease func(context.Context) error
	// Urgent lists event types that someone waits on after they are durable (a conversion's
	// answer says what the processor made of it): a batch holding one is applied at once.
	Urgent []byte
	// CommitDelay is how long the flusher lets appends gather before each write and sync. A
	// sync costs about 50µs of CPU wherever it is issued; on two cores shared with the traffic,
	// a short delay that doubles the events per sync buys more throughput than it costs latency.
	CommitDelay time.Duration
	Logger      *slog.Logger
}

// FileLog is a durable append-only log in segment files. Appends are grouped: while one batch is
// being written and fdatasynced, the next one fills, so one fdatasync acknowledges many events
// and durability costs latency in fractions of a millisecond rather than throughput.
// Durable batches are handed in order to the handler on a goroutine of their own; segments are
// deleted once the handler has applied everything in them.
type FileLog struct {
	cfg FileLogConfig
	log *slog.Logger

	mu     sync.Mutex // guards cur, closed
	cur    *batch
	closed bool
	failed atomic.Pointer[error]

	kick      chan struct{}
	stop      chan struct{}
	committed chan *batch
	flushDone chan struct{}
	applyDone chan struct{}
	applyCtx  context.Context
	stopApply context.CancelFunc

	// Owned by the flusher goroutine.
	file     *os.File
	fileBase uint64
	fileSize int64
	written  atomic.Uint64
	syncs    atomic.Uint64

	// spareReady reports once when the zero-filled file for the next segment is ready.
	spareReady chan error

	segMu    sync.Mutex
	segments []uint64 // bases of the segment files, oldest first; the last is being written
	applied  atomic.Uint64

	pool sync.Pool
}

// batch is a group of records committed with one write and one fdatasync.
type batch struct {
	buf    []byte
	urgent bool
	pos    uint64 // log position of buf[0], set when the batch is written
	done   chan struct{}
	err    error
}

// OpenFileLog opens (or creates) the log in cfg.Dir, repairs a torn tail left by a crash,
// replays to the handler every entry after cfg.Start, and starts accepting appends.
func OpenFileLog(ctx context.Context, cfg FileLogConfig) (*FileLog, error) {
	if cfg.SegmentBytes <= 0 {
		cfg.SegmentBytes = defaultSegmentBytes
	}
	if cfg.ApplyDelay <= 0 {
		cfg.ApplyDelay = defaultApplyDelay
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create event log directory: %w", err)
	}
	l := &FileLog{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "eventlog"),
		kick:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		committed: make(chan *batch, 1024),
		flushDone: make(chan struct{}),
		applyDone: make(chan struct{}),
	}
	// Small at first: a batch's buffer grows to what its events need and comes back to the
	// pool that size, so the click path's large batches reuse large buffers while a few
	// conversions a batch keep no 64 KiB each (live heap the collector's memory limit counts).
	l.pool.New = func() any { b := make([]byte, 0, 8<<10); return &b }
	l.applied.Store(cfg.Start)
	l.applyCtx, l.stopApply = context.WithCancel(context.Background())
	if err := l.recover(ctx); err != nil {
		l.stopApply()
		return nil, err
	}
	l.cur = l.newBatch()
	go l.flushLoop()
	go l.applyLoop()
	return l, nil
}

// newBatch takes its buffer from a pool; the batch itself is new each time because waiting
// appenders still read its err after it has been handed on.
func (l *FileLog) newBatch() *batch {
	return &batch{buf: (*l.pool.Get().(*[]byte))[:0], done: make(chan struct{})}
}

// Append adds one event and returns once it is durable on disk.
func (l *FileLog) Append(ctx context.Context, typ byte, data []byte) error {
	if len(data)+1 > maxRecord {
		return fmt.Errorf("event of %d bytes exceeds the %d byte limit", len(data), maxRecord)
	}
	if err := l.failed.Load(); err != nil {
		return *err
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	b := l.cur
	b.buf = appendRecord(b.buf, typ, data)
	if slices.Contains(l.cfg.Urgent, typ) {
		b.urgent = true
	}
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func appendRecord(b []byte, typ byte, data []byte) []byte {
	var h [recordHeader]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(data)+1))
	crc := crc32.Update(crc32.Update(0, castagnoli, []byte{typ}), castagnoli, data)
	binary.LittleEndian.PutUint32(h[4:8], crc)
	h[8] = typ
	b = append(b, h[:]...)
	return append(b, data...)
}

// flushLoop writes and syncs batches one after another until Close.
func (l *FileLog) flushLoop() {
	defer close(l.flushDone)
	defer close(l.committed)
	for {
		select {
		case <-l.kick:
		case <-l.stop:
		}
		for {
			if d := l.cfg.CommitDelay; d > 0 {
				time.Sleep(d)
			}
			l.mu.Lock()
			b := l.cur
			if len(b.buf) == 0 {
				closed := l.closed
				l.mu.Unlock()
				if closed {
					return
				}
				break
			}
			l.cur = l.newBatch()
			l.mu.Unlock()
			l.commit(b)
		}
	}
}

func (l *FileLog) commit(b *batch) {
	if err := l.failed.Load(); err != nil {
		b.err = *err
		close(b.done)
		return
	}
	err := l.write(b)
	if err != nil {
		// After a failed write or fdatasync the kernel may have dropped the dirty pages, so a
		// retry could report success for data that is gone: stop acknowledging until restart,
		// when recovery trims the log back to its last intact record.
		err = fmt.Errorf("event log write failed, refusing further events until restart: %w", err)
		l.failed.Store(&err)
		l.log.Error("event log failed", "err", err)
		b.err = err
		close(b.done)
		return
	}
	close(b.done)
	l.committed <- b
}

func (l *FileLog) write(b *batch) error {
	if l.fileSize > 0 && l.fileSize+int64(len(b.buf)) > l.cfg.SegmentBytes {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	b.pos = l.fileBase + uint64(l.fileSize)
	if _, err := l.file.WriteAt(b.buf, l.fileSize); err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	l.fileSize += int64(len(b.buf))
	if err := datasync(l.file); err != nil {
		return fmt.Errorf("sync segment: %w", err)
	}
	l.written.Store(b.pos + uint64(len(b.buf)))
	l.syncs.Add(1)
	return nil
}

// applyLoop hands committed batches to the handler, several at a time when the handler falls
// behind, and releases the segments it has fully applied.
func (l *FileLog) applyLoop() {
	defer close(l.applyDone)
	var batches []*batch
	var entries []Entry
	timer := time.NewTimer(0)
	<-timer.C
	for b := range l.committed {
		batches = append(batches[:0], b)
		// Wait a little for more, so that one store transaction carries many events: a
		// transaction's fixed cost (journal writes of every page it touched) is what an
		// applier running batch by batch would spend its time on.
		size, urgent := len(b.buf), b.urgent
		timer.Reset(l.cfg.ApplyDelay)
	gather:
		for size < applyBytes {
			var more *batch
			var ok bool
			if urgent {
				// Someone waits for what the handler makes of an urgent batch: take only the
				// batches committed already. Under load that is many, and one transaction for
				// them all costs one commit instead of one each.
				select {
				case more, ok = <-l.committed:
				default:
					break gather
				}
			} else {
				select {
				case more, ok = <-l.committed:
				case <-timer.C:
					break gather
				}
			}
			if !ok {
				break gather
			}
			batches = append(batches, more)
			size += len(more.buf)
			urgent = urgent || more.urgent
		}
		timer.Stop()
		entries = entries[:0]
		for _, b := range batches {
			entries = decodeBatch(entries, b.buf, b.pos)
		}
		for start := 0; start < len(entries); start += applyBatch {
			end := min(start+applyBatch, len(entries))
			if !l.handle(entries[start:end]) {
				// Closing with the handler failing: the entries are durable in the log and
				// are replayed at the next start.
				l.drain()
				return
			}
		}
		for _, b := range batches {
			l.pool.Put(&b.buf)
		}
	}
}

// handle calls the handler until it succeeds, backing off; it gives up only when the log is
// closing, and reports whether the entries were applied.
func (l *FileLog) handle(entries []Entry) bool {
	for wait := 10 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		err := l.cfg.Handler(l.applyCtx, entries)
		if err == nil {
			last := entries[len(entries)-1].Pos
			l.applied.Store(last)
			l.release(last)
			return true
		}
		l.log.Error("applying events failed; retrying", "err", err, "retry_in", wait)
		select {
		case <-time.After(wait):
		case <-l.applyCtx.Done():
			return false
		}
	}
}

func (l *FileLog) drain() {
	for range l.committed {
	}
}

func decodeBatch(entries []Entry, buf []byte, pos uint64) []Entry {
	for off := 0; off < len(buf); {
		n := int(binary.LittleEndian.Uint32(buf[off:]))
		end := off + 8 + n
		entries = append(entries, Entry{Pos: pos + uint64(end), Type: buf[off+8], Data: buf[off+recordHeader : end]})
		off = end
	}
	return entries
}

// release deletes the segments whose every entry is at or before pos, except the one being
// written.
func (l *FileLog) release(pos uint64) {
	l.segMu.Lock()
	var drop []uint64
	for len(l.segments) > 1 && l.segments[1] <= pos {
		drop = append(drop, l.segments[0])
		l.segments = l.segments[1:]
	}
	l.segMu.Unlock()
	if len(drop) > 0 && l.cfg.BeforeRelease != nil {
		if err := l.cfg.BeforeRelease(l.applyCtx); err != nil {
			l.log.Warn("keeping applied segments: the store could not make them durable", "err", err)
			l.segMu.Lock()
			l.segments = append(drop, l.segments...)
			l.segMu.Unlock()
			return
		}
	}
	for _, base := range drop {
		if err := os.Remove(l.segmentPath(base)); err != nil {
			l.log.Warn("removing applied segment failed", "err", err)
		}
	}
}

// Written is the position up to which the log is durable.
func (l *FileLog) Written() uint64 { return l.written.Load() }

// Syncs counts the batches written and synced: events per sync is how well appends group.
func (l *FileLog) Syncs() uint64 { return l.syncs.Load() }

// Applied is the position up to which the handler has applied the log.
func (l *FileLog) Applied() uint64 { return l.applied.Load() }

// Err reports why the log stopped accepting events, if it did.
func (l *FileLog) Err() error {
	if err := l.failed.Load(); err != nil {
		return *err
	}
	return nil
}

// Close stops accepting appends, commits what was appended, and waits until the handler has
// applied everything or ctx ends (what is left is replayed at the next start).
func (l *FileLog) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.flushDone
	select {
	case <-l.applyDone:
	case <-ctx.Done():
		l.stopApply()
		<-l.applyDone
	}
	l.stopApply()
	if err := <-l.spareReady; err != nil {
		l.log.Warn("preparing the next event log segment failed", "err", err)
	}
	if l.file == nil { // a rotation failed half way
		return nil
	}
	if err := l.file.Close(); err != nil {
		return fmt.Errorf("close segment: %w", err)
	}
	return nil
}

// recover scans the segments, trims a torn tail, replays what the handler has not applied and
// opens the last segment for appending.
func (l *FileLog) recover(ctx context.Context) error {
	bases, err := listSegments(l.cfg.Dir)
	if err != nil {
		return err
	}
	next := l.cfg.Start
	var pending []Entry
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := l.cfg.Handler(ctx, pending); err != nil {
			return fmt.Errorf("replay event log: %w", err)
		}
		l.applied.Store(pending[len(pending)-1].Pos)
		pending = pending[:0]
		return nil
	}
	lastSize := int64(0)
	for i, base := range bases {
		last := i == len(bases)-1
		size, err := scanSegment(l.segmentPath(base), base, last, func(e Entry) error {
			if e.Pos <= l.cfg.Start {
				return nil
			}
			e.Data = append([]byte(nil), e.Data...)
			pending = append(pending, e)
			if len(pending) >= applyBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		lastSize = size
		next = max(next, base+uint64(size))
	}
	l.segments = bases
	l.prepareSpare()
	if n := len(bases); n > 0 && bases[n-1]+uint64(lastSize) == next {
		if err := l.openSegment(bases[n-1], lastSize); err != nil {
			return err
		}
	} else {
		// The segment being written is never deleted, so the log ends before the store's
		// position only if the log directory was replaced or lost.
		if l.cfg.Start > 0 {
			l.log.Warn("the event log ends before the position the store has applied; was the log directory replaced?", "store_position", l.cfg.Start)
		}
		if err := l.newSegment(next); err != nil {
			return err
		}
	}
	l.written.Store(next)
	l.release(l.applied.Load())
	return nil
}

func listSegments(dir string) ([]uint64, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list event log: %w", err)
	}
	var bases []uint64
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), segmentSuffix)
		if !ok {
			continue
		}
		base, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		bases = append(bases, base)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	return bases, nil
}
