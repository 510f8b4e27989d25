package conversion_test

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/conversion"
)

// TestResultsReachTheSubmittingProcess: in a deployment over NATS the process that takes a
// conversion is not the one that applies it. Here the harness's pipeline is the worker, and a
// second pipeline on the same log is the edge: the worker sends each result to the edge's reply
// address, and the edge's Submit answers with it, duplicates included.
func TestResultsReachTheSubmittingProcess(t *testing.T) {
	var edge atomic.Pointer[conversion.Pipeline]
	var sent atomic.Int64
	h := newHarness(t, func(c *conversion.Config) {
		c.ReplyTo = "worker-1"
		c.Send = func(to string, data []byte) error {
			if to != "edge-1" {
				t.Errorf("result sent to %q, want edge-1", to)
			}
			sent.Add(1)
			edge.Load().Receive(data)
			return nil
		}
	})
	edge.Store(conversion.New(conversion.Config{
		Store: h.store, Signer: h.signer, Log: h.log, ReplyTo: "edge-1", Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return start },
	}))
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	in := pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "R-1", Items: basket()}
	first, err := edge.Load().Submit(h.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Conversion.ID == 0 || first.Duplicate || first.Conversion.PartnerID != anna.ID {
		t.Fatalf("first result %+v", first)
	}
	stored, err := h.store.Conversion(h.ctx, first.Conversion.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Payout.Equal(first.Conversion.Payout) || string(stored.PayoutBreakdown) != string(first.Conversion.PayoutBreakdown) {
		t.Errorf("result payout %s %s, stored %s %s", first.Conversion.Payout, first.Conversion.PayoutBreakdown, stored.Payout, stored.PayoutBreakdown)
	}
	again, err := edge.Load().Submit(h.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Conversion.ID != first.Conversion.ID {
		t.Errorf("second result %+v, want a duplicate of %d", again, first.Conversion.ID)
	}
	if sent.Load() != 2 {
		t.Errorf("%d results sent, want 2", sent.Load())
	}
	// The worker's own requests are answered in process.
	if res := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "R-2", Items: basket()}); res.Conversion.ID == 0 {
		t.Errorf("worker's own submit: %+v", res)
	}
	if sent.Load() != 2 {
		t.Errorf("the worker's own result went out: %d sent", sent.Load())
	}
}

// TestSubmitAnswersQueuedWhenNoProcessorAnswers: a conversion the log holds but no processor
// answers for in time is reported as queued, and is still processed.
func TestSubmitAnswersQueuedWhenNoProcessorAnswers(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	release := make(chan struct{})
	h.hold.Store(&release)
	p := conversion.New(conversion.Config{
		Store: h.store, Signer: h.signer, Log: h.log, AnswerWait: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return start },
	})
	_, err := p.Submit(h.ctx, pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "Q-1", Items: basket()})
	if !errors.Is(err, pactum.ErrQueued) {
		t.Fatalf("Submit while the processor is held: %v, want ErrQueued", err)
	}
	if p.Waiting() != 0 {
		t.Errorf("%d requests still waiting", p.Waiting())
	}
	h.hold.Store(nil)
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for h.count(pactum.ConversionFilter{OfferID: o.ID}) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the queued conversion was never stored")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
