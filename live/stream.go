// Package live streams what happens as it happens: clicks, conversions and changes of their
// commissions, as server-sent events (GET /api/v1/stream), scoped to what the caller may see.
//
// Each stream reads the store itself, a poll every half second: the change feed (by position,
// which grows in commit order) and the stored clicks (by their sequence). So every API process
// streams what every edge and worker stored, and a client that reconnects with Last-Event-ID
// resumes where it was. A client too slow to take its events is dropped: it waits on its own
// connection only, never on anyone else's.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Store is what a stream reads.
type Store interface {
	Changes(ctx context.Context, after int64, limit int) ([]pactum.Change, error)
	LastChange(ctx context.Context) (int64, error)
	Clicks(ctx context.Context, f pactum.ClickFilter, p pactum.Page) ([]pactum.StoredClick, error)
	LastClickSeq(ctx context.Context) (int64, error)
}

// Timing of a stream.
const (
	pollEvery = 500 * time.Millisecond
	heartbeat = 15 * time.Second
	// writeTimeout drops a client that does not take an event in this time.
	writeTimeout = 10 * time.Second
	batch        = 200
	// lateClicks is how far behind the newest click sequence a stream looks again: in a
	// deployment of several workers a click can commit after one with a higher sequence.
	lateClicks = 1000
)

// Cursor is where a stream is: the change feed's position and the clicks' sequence. An event's
// id is its cursor, so a client that reconnects names where to resume.
type Cursor struct {
	Change int64
	Click  int64
}

func (c Cursor) String() string {
	return strconv.FormatInt(c.Change, 10) + "." + strconv.FormatInt(c.Click, 10)
}

// ParseCursor reads a Last-Event-ID; "" starts at the present.
func ParseCursor(s string) (Cursor, bool, error) {
	if s == "" {
		return Cursor{}, false, nil
	}
	a, b, ok := strings.Cut(s, ".")
	c1, err1 := strconv.ParseInt(a, 10, 64)
	c2, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || c1 < 0 || c2 < 0 {
		return Cursor{}, false, pactum.FieldError("Last-Event-ID", "%q is not an event id of this stream", s)
	}
	return Cursor{Change: c1, Click: c2}, true, nil
}

// Serve streams events to w for c until the client goes or ctx ends. from is where to resume
// (resume false: from now on).
func Serve(ctx context.Context, w http.ResponseWriter, st Store, c program.Caller, from Cursor, resume bool) error {
	rc := http.NewResponseController(w)
	cur := from
	if !resume {
		var err error
		if cur.Change, err = st.LastChange(ctx); err != nil {
			return err
		}
		if cur.Click, err = st.LastClickSeq(ctx); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies must not hold events back
	w.WriteHeader(http.StatusOK)
	s := &stream{w: w, rc: rc, st: st, c: c, cur: cur, floor: cur.Click, sent: map[int64]bool{}}
	if err := s.write(": stream of " + c.Name() + "\n\n"); err != nil {
		return nil
	}
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		if err := s.pull(ctx); err != nil {
			if ctx.Err() != nil || isGone(err) {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			if err := s.write(": ping\n\n"); err != nil {
				return nil
			}
		case <-poll.C:
		}
	}
}

func scopeClicks(c program.Caller) pactum.ClickFilter {
	o, _ := c.Scope(program.Owners{})
	return pactum.ClickFilter{PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID}
}

type stream struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	st  Store
	c   program.Caller
	cur Cursor
	// floor is the click sequence the stream started after: clicks up to it are the client's
	// already (or it did not ask for them).
	floor int64
	// sent holds the clicks of the last lateClicks sequences that were sent, so that a click
	// that commits after one with a higher sequence is sent once, when it shows.
	sent map[int64]bool
}

// errGone is a client that stopped taking events.
type errGone struct{ error }

func isGone(err error) bool {
	_, ok := err.(errGone)
	return ok
}

func (s *stream) write(text string) error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := s.w.Write([]byte(text)); err != nil {
		return errGone{err}
	}
	if err := s.rc.Flush(); err != nil {
		return errGone{err}
	}
	return nil
}

// pull sends what was stored since the cursor.
func (s *stream) pull(ctx context.Context) error {
	for {
		changes, err := s.st.Changes(ctx, s.cur.Change, batch)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			s.cur.Change = ch.Position
			if !s.sees(ch) {
				continue
			}
			kind := "commission"
			if ch.Kind == pactum.ChangeCreated {
				kind = "conversion"
			}
			if err := s.send(kind, s.changeJSON(ch)); err != nil {
				return err
			}
		}
		if len(changes) < batch {
			break
		}
	}
	from := max(0, s.cur.Click-lateClicks)
	for {
		clicks, err := s.st.Clicks(ctx, scopeClicks(s.c), pactum.Page{Limit: batch, After: from})
		if err != nil {
			return err
		}
		for _, k := range clicks {
			from = k.Seq
			if k.Seq <= s.floor || s.sent[k.Seq] {
				continue
			}
			s.sent[k.Seq] = true
			s.cur.Click = max(s.cur.Click, k.Seq)
			if err := s.send("click", clickJSON(k, s.c.SeesVisitors())); err != nil {
				return err
			}
		}
		if len(clicks) < batch {
			break
		}
	}
	for seq := range s.sent {
		if seq <= s.cur.Click-lateClicks {
			delete(s.sent, seq)
		}
	}
	return nil
}

// sees reports whether the caller may see a change: the conversion's partner or advertiser.
func (s *stream) sees(ch pactum.Change) bool {
	cv := pactum.Conversion{AdvertiserID: ch.AdvertiserID, PartnerID: ch.PartnerID}
	return s.c.CanSeeConversion(cv)
}

func (s *stream) send(event string, data []byte) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %s\nevent: %s\ndata: ", s.cur, event)
	b.Write(data)
	b.WriteString("\n\n")
	return s.write(b.String())
}

func (s *stream) changeJSON(ch pactum.Change) []byte {
	cur := ch.Currency
	v := map[string]any{
		"conversion_id": ch.ConversionID, "change": ch.Kind, "time": ch.Time.UTC(), "offer_id": ch.OfferID,
		"partner_id": nullID(ch.PartnerID), "status": ch.Status, "reason": ch.Reason, "currency": cur,
		"amount": pactum.FormatAmount(ch.Amount, cur), "payout": pactum.FormatAmount(ch.Payout, cur),
		"refunded_amount": pactum.FormatAmount(ch.RefundedAmount, cur),
	}
	if s.c.SeesRevenue() {
		v["revenue"] = pactum.FormatAmount(ch.Revenue, cur)
	}
	b, _ := json.Marshal(v)
	return b
}

func clickJSON(k pactum.StoredClick, visitors bool) []byte {
	v := map[string]any{
		"click_id": k.ClickID, "time": k.Time.UTC(), "offer_id": k.OfferID, "partner_id": k.PartnerID,
		"sub1": k.Sub[0], "source": k.Source, "country": k.Country, "device": k.Device, "os": k.OS,
		"browser": k.Browser, "unique": k.Unique, "bot": k.Bot, "rejected": k.Rejected,
	}
	if visitors {
		v["ip"] = k.IP
	}
	b, _ := json.Marshal(v)
	return b
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
