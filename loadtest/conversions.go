package loadtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ConversionsPath is where conversions mode reports conversions and lists
// them afterwards (both modes), under the API's base URL.
const ConversionsPath = "/api/v1/conversions"

// PostbackPath is where postbacks mode reports conversions, on the targets.
const PostbackPath = "/postback"

// postbackAmount is the order total of each postback: the three line items
// of conversions mode, which a postback cannot itemise.
const postbackAmount = "143.80"

const (
	// listPageSize is the API's largest page: fewest round trips.
	listPageSize = 1000
	// listMargin widens the listing's "from" filter before the run's start,
	// since the server's clock may run a little behind this one; the
	// conversions of earlier runs it lets in are told apart by order id.
	listMargin = 5 * time.Second
	// maxListPage bounds one page of the listing read into memory; a page
	// of 1,000 conversions with their breakdowns is a few megabytes.
	maxListPage = 64 << 20
)

// Every conversion has the same three line items, as a shop's order with a
// hero product and accessories would: the demo offer pays a fixed amount
// per unit of SHOE-9 and a percentage on the rest, so each conversion runs
// a rule, the default rate and (on every other one) the new-customer bonus.
const lineItems = `"items":[` +
	`{"sku":"SHOE-9","category":"shoes","quantity":1,"unit_price":"99.90"},` +
	`{"sku":"SOCK-1","category":"accessories","quantity":2,"unit_price":"9.95"},` +
	`{"sku":"CAP-3","category":"accessories","quantity":1,"unit_price":"24.00"}]`

// conversions is the state of conversions and postbacks modes shared by the
// workers. The body (or, for a postback, the query) of each request is put
// together from fixed parts around the click id and the order number, so
// that the hot loop neither marshals nor allocates.
type conversions struct {
	postbacks   bool     // postbacks mode
	shopify     bool     // shopify mode
	secret      []byte   // shopify mode: the key of the webhooks' HMAC
	base        int64    // shopify mode: order ids are base + the order number
	auth        string   // Authorization header value
	stride      int64    // number of workers: each numbers its orders from its index by this
	clickIDs    []string // made during set-up: JSON-quoted, or query-escaped for postbacks
	orderPrefix string   // "lt-{runid}-"
	head        string   // up to the click id
	mid         string   // from after the click id up to the order number
	tail        string   // the rest
	tailNew     string   // the rest, with new_customer
}

func newConversions(cfg Config) (*conversions, error) {
	id, err := newRunID()
	if err != nil {
		return nil, fmt.Errorf("loadtest: run id: %w", err)
	}
	event, err := json.Marshal(cfg.Event)
	if err != nil {
		return nil, fmt.Errorf("loadtest: event: %w", err)
	}
	c := &conversions{
		postbacks:   cfg.Mode == ModePostbacks,
		auth:        "Bearer " + cfg.APIKey,
		stride:      int64(cfg.Connections),
		orderPrefix: "lt-" + hex.EncodeToString(id[:]) + "-",
		head:        `{"click_id":`,
	}
	if cfg.Mode == ModeShopify {
		return c, c.newShopify(cfg, id)
	}
	if c.postbacks {
		// The token goes in the query, as an advertiser's postback URL
		// carries it; the order number ends the query.
		c.head = PostbackPath + "?token=" + url.QueryEscape(cfg.PostbackToken) +
			"&event=" + url.QueryEscape(cfg.Event) + "&amount=" + postbackAmount + "&currency=EUR&click_id="
		c.mid = "&order_id=" + url.QueryEscape(c.orderPrefix)
		return c, nil
	}
	c.mid = `,"order_id":"` + c.orderPrefix
	rest := `"currency":"EUR","event":` + string(event) + `,` + lineItems + `}`
	c.tail = `",` + rest
	c.tailNew = `","new_customer":true,` + rest
	return c, nil
}

// encodeClickID returns id as appendBody and appendQuery insert it.
func (c *conversions) encodeClickID(id string) (string, error) {
	if c.postbacks {
		return url.QueryEscape(id), nil
	}
	q, err := json.Marshal(id)
	return string(q), err
}

// appendQuery appends the path and query of postback n to b.
func (c *conversions) appendQuery(b []byte, n int64) []byte {
	b = append(b, c.head...)
	b = append(b, c.clickIDs[n%int64(len(c.clickIDs))]...)
	b = append(b, c.mid...)
	return strconv.AppendInt(b, n, 10)
}

// appendBody appends the JSON of conversion n to b.
func (c *conversions) appendBody(b []byte, n int64) []byte {
	b = append(b, c.head...)
	b = append(b, c.clickIDs[n%int64(len(c.clickIDs))]...)
	b = append(b, c.mid...)
	b = strconv.AppendInt(b, n, 10)
	if n%2 == 1 {
		return append(b, c.tailNew...)
	}
	return append(b, c.tail...)
}

// orderNumber is n for an order id of this run, "lt-{runid}-{n}" (shopify mode: a number).
func (c *conversions) orderNumber(orderID string) (int64, bool) {
	if c.shopify {
		return c.shopifyNumber(orderID)
	}
	s, ok := strings.CutPrefix(orderID, c.orderPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// requestBody is a worker's reusable request body. The transport closes a
// request's body once it has written it, which is how the worker knows the
// buffer behind it is free again; one still open (the server answered
// before reading all of it) is left to the transport and replaced.
type requestBody struct {
	bytes.Reader
	closed atomic.Bool
}

func (b *requestBody) Close() error {
	b.closed.Store(true)
	return nil
}

// conversion returns the worker's request, with the body of its next
// conversion. Like request, it allocates nothing once warmed up.
func (w *worker) conversion() *http.Request {
	r, c := w.r, w.r.conv
	if w.req == nil {
		u, _ := url.Parse(r.api.prefix) // validated in withDefaults
		u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
		u.Opaque = r.api.basePath + ConversionsPath
		h := make(http.Header, 2)
		h.Set("Authorization", c.auth)
		h.Set("Content-Type", "application/json")
		w.req = (&http.Request{
			Method:     http.MethodPost,
			URL:        u,
			Proto:      "HTTP/1.1",
			ProtoMajor: 1,
			ProtoMinor: 1,
			Header:     h,
			Host:       u.Host,
		}).WithContext(r.ctx)
	}
	if w.body == nil || !w.body.closed.Load() {
		w.body, w.buf = new(requestBody), nil
	}
	w.order = w.nextOrder
	w.nextOrder += c.stride
	w.buf = c.appendBody(w.buf[:0], w.order)
	w.body.Reset(w.buf)
	w.body.closed.Store(false)
	w.req.Body = w.body
	w.req.ContentLength = int64(len(w.buf))
	return w.req
}

// postback returns the worker's request with the path and query of its next
// postback, sent to its target. The query string is its one allocation.
func (w *worker) postback() *http.Request {
	c, ep := w.r.conv, w.ep
	if w.req == nil {
		w.req = w.r.newGet(ep)
	}
	w.order = w.nextOrder
	w.nextOrder += c.stride
	w.buf = c.appendQuery(append(w.buf[:0], ep.basePath...), w.order)
	w.req.URL.Opaque = string(w.buf)
	return w.req
}

// makeClickIDs requests the click path n times over up to conns connections,
// spread over the targets as in clicks mode, and keeps the click id of each
// answer. The first click without one ends the set-up with an error: the
// conversions would all fail.
func (r *run) makeClickIDs(n, conns int) error {
	ids := make([]string, n)
	var (
		next     atomic.Int64
		failed   atomic.Bool
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	for i := range min(conns, n) {
		w := &worker{r: r, ep: r.target(i)}
		wg.Go(func() {
			for !failed.Load() {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				id, err := w.clickID()
				if err == nil {
					id, err = r.conv.encodeClickID(id)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	r.conv.clickIDs = ids
	return nil
}

// clickID makes one click and returns its click id: from the click_id
// parameter of the redirect's Location, which the demo offer's destination
// carries, else from the pc_{offer} cookie.
func (w *worker) clickID() (string, error) {
	req := w.request()
	resp, err := w.r.transport.RoundTrip(req)
	if err != nil {
		w.req = nil
		return "", err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
	}()
	loc := resp.Header.Get("Location")
	id := ""
	if u, err := url.Parse(loc); err == nil && loc != "" {
		id = u.Query().Get("click_id")
	}
	if id == "" {
		for _, c := range resp.Cookies() {
			if strings.HasPrefix(c.Name, "pc_") && c.Value != "" {
				id = c.Value
				break
			}
		}
	}
	if id == "" {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		msg := fmt.Sprintf("GET %s://%s%s answered %s with neither a click_id in its Location (%q) nor a pc_ cookie",
			req.URL.Scheme, req.URL.Host, req.URL.Opaque, resp.Status, loc)
		if s := snippet(body); s != "" {
			msg += ": " + s
		}
		return "", fmt.Errorf("%s", msg)
	}
	return id, nil
}

// What the listing learns about each order number of the run.
const (
	orderAcked    uint8 = 1 << iota // answered 201
	orderListed                     // listed at least once
	orderTwice                      // listed more than once
	orderNoPayout                   // listed without a commission
)

// conversionPage is the part of a page of GET /api/v1/conversions the
// check reads.
type conversionPage struct {
	Data []struct {
		OrderID    string `json:"order_id"`
		Commission *struct {
			// Raw, so that a payout sent as a number is seen as a
			// payout rather than failing the whole listing.
			Payout json.RawMessage `json:"payout"`
			// The API renders a conversion without a commission with
			// payout "0.00" and a null breakdown: the breakdown is what
			// says a commission was computed.
			PayoutBreakdown json.RawMessage `json:"payout_breakdown"`
		} `json:"commission"`
	} `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// checkConversions lists the conversions received since the run started and
// compares them with the order numbers the workers saw acknowledged: each
// must be listed exactly once, with a commission: a payout and its
// breakdown.
func (r *run) checkConversions(ctx context.Context, client *http.Client, base, apiKey string, workers []*worker, res *Result) error {
	var top int64
	for _, w := range workers {
		if k := len(w.orders); k > 0 {
			top = max(top, w.orders[k-1])
		}
	}
	// One byte per order number rather than a set of strings: the numbers
	// are dense, so this is the smallest and quickest way to look them up.
	state := make([]uint8, top+1)
	for _, w := range workers {
		for _, n := range w.orders {
			state[n] |= orderAcked
		}
	}

	q := url.Values{}
	q.Set("limit", strconv.Itoa(listPageSize))
	q.Set("from", r.start.Add(-listMargin).UTC().Truncate(time.Second).Format(time.RFC3339))
	cursor := ""
	for {
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		page, err := readConversions(ctx, client, base+ConversionsPath+"?"+q.Encode(), apiKey)
		if err != nil {
			return fmt.Errorf("loadtest: listing the run's conversions: %w", err)
		}
		for _, c := range page.Data {
			n, ok := r.conv.orderNumber(c.OrderID)
			if !ok || n > top || state[n]&orderAcked == 0 {
				continue
			}
			if state[n]&orderListed != 0 {
				state[n] |= orderTwice
			}
			state[n] |= orderListed
			if c.Commission == nil || !present(c.Commission.Payout) || !present(c.Commission.PayoutBreakdown) {
				state[n] |= orderNoPayout
			}
		}
		// A server that repeats its cursor would otherwise be listed forever.
		if page.NextCursor == "" || page.NextCursor == cursor {
			break
		}
		cursor = page.NextCursor
	}

	res.Found, res.Missing, res.NoCommission, res.Duplicates = 0, 0, 0, 0
	for _, s := range state {
		switch {
		case s&orderAcked == 0:
			continue
		case s&orderListed == 0:
			res.Missing++
			continue
		}
		res.Found++
		if s&orderTwice != 0 {
			res.Duplicates++
		}
		if s&orderNoPayout != 0 {
			res.NoCommission++
		}
	}
	res.Listed = true
	res.Verified = res.Verified && res.Missing == 0 && res.NoCommission == 0 && res.Duplicates == 0
	return nil
}

// present says whether a JSON value is there and not null or empty.
func present(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	return s != "" && s != "null" && s != `""`
}

func readConversions(ctx context.Context, client *http.Client, u, apiKey string) (conversionPage, error) {
	var page conversionPage
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return page, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := client.Do(req)
	if err != nil {
		return page, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return page, fmt.Errorf("GET %s: %s: %s", u, resp.Status, snippet(body))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxListPage)).Decode(&page); err != nil {
		return page, fmt.Errorf("GET %s: want {\"data\": [...], \"next_cursor\": ...}: %w", u, err)
	}
	return page, nil
}

// printStoredConversions writes the stored line of conversions and postbacks modes.
func (r Result) printStoredConversions(w io.Writer) {
	switch {
	case !r.Checked:
		fmt.Fprintf(w, "  stored: not checked (no API key)\n")
	case !r.Listed:
		fmt.Fprintf(w, "  stored: count +%d for %d acknowledged conversions, not listed\n", r.Stored(), r.AckedTotal)
	case r.Verified:
		fmt.Fprintf(w, "  stored: %d of %d acknowledged conversions, all with commissions (ok)\n", r.Found, r.AckedTotal)
	default:
		var problems []string
		if r.Missing > 0 {
			problems = append(problems, fmt.Sprintf("MISSING %d", r.Missing))
		}
		if r.NoCommission > 0 {
			problems = append(problems, fmt.Sprintf("NO COMMISSION %d", r.NoCommission))
		}
		if r.Duplicates > 0 {
			problems = append(problems, fmt.Sprintf("DUPLICATE %d", r.Duplicates))
		}
		if r.Stored() < r.AckedTotal {
			problems = append(problems, fmt.Sprintf("COUNT ONLY +%d", r.Stored()))
		}
		fmt.Fprintf(w, "  stored: %d of %d acknowledged conversions (%s)\n",
			r.Found, r.AckedTotal, strings.Join(problems, ", "))
	}
}
