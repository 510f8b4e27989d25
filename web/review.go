package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/program"
)

// The review queue (SPEC sections 10 and 13, docs/fraud.md): the conversions a fraud rule holds
// for review, from program.Service.ReviewQueue (admins every one, an advertiser its offers'),
// filtered by offer, partner and reason, each with its reasons in words; ticked ones are
// approved, rejected or released in one request through program.Service.DecideReview, which
// checks the whole request and then decides each conversion on its own.

type reviewData struct {
	Form     *form // the filters
	Decide   *form // the decisions: ticked ids, the reason of a rejection, with their errors
	Rows     []reviewRow
	Next     string
	Offers   []pactum.Offer
	Reasons  []reasonWords // the codes a conversion can be held for, to filter by
	Filtered bool
	Back     string // the queue's filters, to come back to after deciding
}

// reviewRow is one held conversion as the queue shows it.
type reviewRow struct {
	Conversion pactum.Conversion
	Offer      string // its name, where the viewer may see it
	Partner    string // likewise
	Held       []reasonWords
	Flagged    []reasonWords // rules that fired without holding it
	ClickAge   string        // from click to conversion; "" without a click
	Score      *partnerScore // the partner's fraud score; nil without a partner or a score
}

// partnerScore is a partner's fraud score (0 to 100) with its band, as the queue shows it.
type partnerScore struct {
	Score int
	Band  scoreBand
}

// reasonWords is a reason code with its name and what it means.
type reasonWords struct {
	Code, Title, Words string
}

// reasonTitles name the reason codes of the fraud rules (and bots) for people.
var reasonTitles = map[string]string{
	pactum.ReasonBot:              "Bot",
	pactum.ReasonBlockedIP:        "Blocked address",
	pactum.ReasonDuplicateClick:   "Duplicate click",
	pactum.ReasonDataCenter:       "Data-centre network",
	pactum.ReasonTooFast:          "Sale too soon after its click",
	pactum.ReasonTooSlow:          "Sale too long after its click",
	pactum.ReasonSelfReferral:     "Self-referral",
	pactum.ReasonFlaggedClick:     "Click from a flagged source",
	pactum.ReasonRepeatedIP:       "Repeated address",
	pactum.ReasonRepeatedCustomer: "Repeated customer",
	pactum.ReasonVelocity:         "Sudden burst of sales",
}

// wordsOf is code with its name and meaning; a code that is no rule's (a rejection by hand, a
// cap) is its own name.
func wordsOf(code string) reasonWords {
	title, ok := reasonTitles[code]
	if !ok {
		return reasonWords{Code: code, Title: code}
	}
	return reasonWords{Code: code, Title: title, Words: fraud.Describe(code)}
}

// reasonsOf says each code of joined reason texts once, in words, leaving out those in skip.
func reasonsOf(text string, skip ...string) []reasonWords {
	var out []reasonWords
	seen := map[string]bool{}
	for _, s := range skip {
		for _, code := range strings.Split(s, pactum.ReasonSep) {
			seen[code] = true
		}
	}
	codes := strings.Split(text, pactum.ReasonSep)
	for _, code := range codes {
		if _, ok := reasonTitles[code]; !ok && len(codes) > 1 {
			codes = []string{text} // a person's words that hold the separator
			break
		}
	}
	for _, code := range codes {
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, wordsOf(code))
	}
	return out
}

// clickAge says how long after its click a conversion came: "4 s", "12 min", "3 h 5 min",
// "2 days 4 h"; "" for a conversion without a click (a coupon's).
func clickAge(cv pactum.Conversion) string {
	if cv.ClickTime.IsZero() || cv.ClickID == "" {
		return ""
	}
	d := max(cv.Time.Sub(cv.ClickTime), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	days := int(d / (24 * time.Hour))
	return fmt.Sprintf("%s %d h", count(int64(days), "day"), int(d%(24*time.Hour)/time.Hour))
}

// reviewFilters are the query parameters of the queue, kept across a decision.
var reviewFilters = []string{"offer_id", "partner_id", "reason", "after"}

// reviewPage lists the held conversions the viewer may decide.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.renderReview(w, r, v, newForm(r.URL.Query()), newForm(nil))
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, v *viewer, f, decide *form) error {
	ctx, c := r.Context(), v.Caller
	d := reviewData{Form: f, Decide: decide}
	for _, code := range fraud.ConversionCodes() {
		d.Reasons = append(d.Reasons, wordsOf(code))
	}
	back := url.Values{}
	for _, k := range reviewFilters {
		if v := f.Get(k); v != "" {
			back.Set(k, v)
		}
	}
	d.Back = back.Encode()
	var q program.ConversionQuery
	var err error
	if q.OfferID, err = f.id("offer_id"); err == nil {
		if q.PartnerID, err = f.id("partner_id"); err == nil {
			q.Reason = strings.TrimSpace(f.Get("reason"))
		}
	}
	d.Filtered = q != (program.ConversionQuery{})
	var page program.Page[pactum.Conversion]
	if err == nil {
		page, err = s.program.ReviewQueue(ctx, c, q, reviewPageOf(f))
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
	}
	offers, err := s.program.ListOffers(ctx, c, program.OfferQuery{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return err
	}
	d.Offers = offers.Items
	offerNames := map[int64]string{}
	for _, o := range offers.Items {
		offerNames[o.ID] = o.Name
	}
	partners, scores := s.partnerNames(r, v), s.partnerScores(r, v)
	for _, cv := range page.Items {
		d.Rows = append(d.Rows, reviewRow{Conversion: cv, Offer: offerNames[cv.OfferID], Partner: partners(cv.PartnerID),
			Held: reasonsOf(cv.Reason), Flagged: reasonsOf(cv.Flags, cv.Reason), ClickAge: clickAge(cv), Score: scores(cv.PartnerID)})
	}
	d.Next = nextURL(r, page.Next)
	s.render(w, r, v, max(f.Status, decide.Status), "review", "Review queue", d)
	return nil
}

// reviewPageOf is the page the queue's ?after= asks for (the form's, so that a decision's
// answer shows the page it came from).
func reviewPageOf(f *form) pactum.Page {
	after, _ := strconv.ParseInt(f.Get("after"), 10, 64)
	return pactum.Page{Limit: pageSize, After: max(after, 0)}
}

// partnerNames returns a lookup of partners' names for the viewer, each read once: admins
// read partners; an advertiser may not (docs/api.md), and sees ids.
func (s *Server) partnerNames(r *http.Request, v *viewer) func(id int64) string {
	names := map[int64]string{}
	return func(id int64) string {
		if id == 0 || !v.Caller.IsAdmin() {
			return ""
		}
		if name, ok := names[id]; ok {
			return name
		}
		p, err := s.program.Partner(r.Context(), v.Caller, id)
		if err != nil {
			s.logger.WarnContext(r.Context(), "web: a partner's name", "partner", id, "err", err)
		}
		names[id] = p.Name
		return p.Name
	}
}

// partnerScores returns a lookup of partners' fraud scores (report.Service.FraudScore, in the
// viewer's scope), each computed once however many of the page's rows are the partner's. A
// score that cannot be had (an advertiser's partner without traffic on its offers) is nil: the
// row shows none.
func (s *Server) partnerScores(r *http.Request, v *viewer) func(id int64) *partnerScore {
	scores := map[int64]*partnerScore{}
	return func(id int64) *partnerScore {
		if id == 0 {
			return nil
		}
		if sc, ok := scores[id]; ok {
			return sc
		}
		var sc *partnerScore
		score, err := s.reports.FraudScore(r.Context(), v.Caller, id)
		switch {
		case err == nil:
			sc = &partnerScore{Score: score.Score, Band: bandOf(score.Score)}
		case pactum.ErrorCode(err) != pactum.ENOTFOUND:
			s.logger.WarnContext(r.Context(), "web: a partner's fraud score", "partner", id, "err", err)
		}
		scores[id] = sc
		return sc
	}
}

// decideReview takes the decision of the pressed button (approve, reject, release) on every
// ticked conversion, through program.Service.DecideReview, and comes back with what it did. A
// request the program refuses as a whole is shown with its error at its input; from a
// conversion's page (return=conversion), the answer is that page.
func (s *Server) decideReview(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	fromConversion := f.Get("return") == "conversion"
	decision, reason := f.Get("decision"), strings.TrimSpace(f.Get("reason"))
	var decisions []program.ReviewDecision
	for _, raw := range f.Values["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return pactum.Errorf(pactum.ENOTFOUND, "not found")
		}
		d := program.ReviewDecision{ID: id, Decision: decision}
		if decision == program.DecisionReject {
			d.Reason = reason // the reason's input belongs to the reject button
		}
		decisions = append(decisions, d)
	}
	outcomes, err := s.program.DecideReview(r.Context(), v.Caller, decisions)
	if fromConversion && len(decisions) == 1 {
		if err == nil {
			err = outcomes[0].Err
		}
		return s.decidedConversion(w, r, v, f, decisions[0], err)
	}
	back, _ := url.ParseQuery(f.Get("back"))
	filters := url.Values{}
	for _, k := range reviewFilters {
		if v := back.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	if err != nil {
		if err := f.fail(err, reviewInput); err != nil {
			return err
		}
		return s.renderReview(w, r, v, newForm(filters), f)
	}
	to := "/console/review"
	if len(filters) > 0 {
		to += "?" + filters.Encode()
	}
	s.redirect(w, r, to, s.reviewSummary(r, outcomes, decision))
	return nil
}

// decidedConversion answers a decision taken on a conversion's page: back to the page with what
// was done, or with the error at its input.
func (s *Server) decidedConversion(w http.ResponseWriter, r *http.Request, v *viewer, f *form, d program.ReviewDecision, err error) error {
	if err != nil {
		if err := f.fail(err, reviewInput); err != nil {
			return err
		}
		cv, err := s.program.Conversion(r.Context(), v.Caller, d.ID)
		if err != nil {
			return err
		}
		return s.renderConversion(w, r, v, f, cv)
	}
	s.redirect(w, r, fmt.Sprintf("/console/conversions/%d", d.ID), fmt.Sprintf("Conversion #%d is %s.", d.ID, decidedWords[d.Decision]))
	return nil
}

var decidedWords = map[string]string{
	program.DecisionApprove: "approved: it becomes payable after the program's net days",
	program.DecisionReject:  "rejected: it earns nothing",
	program.DecisionRelease: "released: it is approved at the end of its hold period, as any other",
}

var decisionPath = regexp.MustCompile(`^decisions(?:\[\d+\]\.(\w+))?$`)

// reviewInput shows an error about the decisions at its input: the ticked conversions, the
// reason, or the buttons (the form's problem).
func reviewInput(field string) string {
	m := decisionPath.FindStringSubmatch(field)
	switch {
	case m == nil:
		return field
	case m[1] == "reason":
		return "reason"
	case m[1] == "decision":
		return ""
	}
	return "decisions"
}

// maxListed bounds the conversions a summary names one by one.
const maxListed = 12

// reviewSummary says what a bulk decision did: how many were decided, and each that was not,
// with why.
func (s *Server) reviewSummary(r *http.Request, outcomes []program.ReviewOutcome, decision string) string {
	var done, failed []string
	for _, o := range outcomes {
		if o.Err == nil {
			done = append(done, fmt.Sprintf("#%d", o.ID))
			continue
		}
		f := answer.Of(r.Context(), o.Err)
		why := pactum.ErrorMessage(f.Err)
		switch {
		case f.Internal:
			s.logger.ErrorContext(r.Context(), "web: a review decision failed", "conversion", o.ID, "err", o.Err)
			why = "it could not be decided just now; try again"
		case f.Status == http.StatusNotFound:
			why = "there is no such conversion, or it is not yours to decide"
		}
		failed = append(failed, fmt.Sprintf("#%d (%s)", o.ID, why))
	}
	var b strings.Builder
	if len(done) > 0 {
		what := count(int64(len(done)), "conversion")
		switch decision {
		case program.DecisionApprove:
			fmt.Fprintf(&b, "Approved %s: %s.", what, listed(done))
		case program.DecisionReject:
			fmt.Fprintf(&b, "Rejected %s: %s; they earn nothing.", what, listed(done))
		default:
			fmt.Fprintf(&b, "Released %s to their hold period: %s.", what, listed(done))
		}
	}
	if len(failed) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "Not decided: %s.", listed(failed))
	}
	return b.String()
}

// listed joins items, naming at most maxListed of them.
func listed(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(items)-maxListed)
}
