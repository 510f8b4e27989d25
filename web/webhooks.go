package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The webhook log (SPEC section 12): what the programs' shops sent, as program.ListWebhooks
// gives it to the viewer (an admin every program's, an advertiser its own), filtered by outcome
// and program; a webhook's page with what it did and, while it failed, its body and a replay
// (program.ReplayWebhook), optionally to an offer the URL did not name.

type webhooksData struct {
	Filter   *form
	Webhooks []pactum.Webhook
	Next     string
	Outcomes []option
	Programs []option // an admin's choice; nil for an advertiser
	Filtered bool
}

// webhookOutcomes are the outcomes a log can be filtered by, in words.
var webhookOutcomes = []option{{"", "any"}, {pactum.WebhookFailed, "failed"}, {pactum.WebhookApplied, "applied"},
	{pactum.WebhookDuplicate, "duplicate"}, {pactum.WebhookIgnored, "ignored"}, {pactum.WebhookQueued, "queued"}}

// webhooksPage lists the log, oldest first as the API does.
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(r.URL.Query())
	q := program.WebhookQuery{Outcome: f.Get("outcome")}
	var err error
	q.AdvertiserID, err = f.id("advertiser_id")
	var page program.Page[pactum.Webhook]
	if err == nil {
		page, err = s.program.ListWebhooks(r.Context(), v.Caller, q, listPage(r))
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
	}
	d := webhooksData{Filter: f, Webhooks: page.Items, Next: nextURL(r, page.Next), Outcomes: webhookOutcomes,
		Filtered: q != program.WebhookQuery{}}
	if v.Caller.IsAdmin() {
		progs, err := s.program.ListAdvertisers(r.Context(), v.Caller, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		d.Programs = optionsOf("any program", "advertiser", progs.Items, func(a pactum.Advertiser) (int64, string) { return a.ID, a.Name })
	}
	s.render(w, r, v, f.Status, "webhooks", "Webhook log", d)
	return nil
}

type webhookData struct {
	Webhook pactum.Webhook
	Form    *form // the replay's
	Offers  []option
}

// webhookPage shows one webhook of the log; another program's is not found.
func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wh, err := s.program.Webhook(r.Context(), v.Caller, id)
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, v, wh, newForm(nil))
}

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, v *viewer, wh pactum.Webhook, f *form) error {
	d := webhookData{Webhook: wh, Form: f}
	if wh.Outcome == pactum.WebhookFailed {
		offers, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{AdvertiserID: wh.AdvertiserID}, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		first := "as it came (no offer named)"
		if wh.OfferID != 0 {
			first = fmt.Sprintf("as it came (offer %d)", wh.OfferID)
		}
		d.Offers = optionsOf(first, "offer", offers.Items, func(o pactum.Offer) (int64, string) { return o.ID, o.Name })
	}
	s.render(w, r, v, f.Status, "webhook", fmt.Sprintf("Webhook %d", wh.ID), d)
	return nil
}

// replayWebhook acts on a failed webhook again, after what made it fail was fixed.
func (s *Server) replayWebhook(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, f, err := postedID(r)
	if err != nil {
		return err
	}
	// Found first, so that another program's webhook is a 404 whatever the form says.
	if _, err := s.program.Webhook(r.Context(), v.Caller, id); err != nil {
		return err
	}
	offerID, err := f.id("offer_id")
	var wh pactum.Webhook
	if err == nil {
		wh, err = s.program.ReplayWebhook(r.Context(), v.Caller, id, offerID)
	}
	if err != nil {
		// The offer's error is at its select; others are about the shop's JSON (a line's
		// price): the form's problem, with the place in the JSON.
		onlyOffer := func(field string) string {
			if field == "offer_id" {
				return field
			}
			return ""
		}
		if err := f.fail(err, onlyOffer); err != nil {
			return err
		}
		// The replay is logged whatever became of it: show the webhook as it is now.
		if wh, err = s.program.Webhook(r.Context(), v.Caller, id); err != nil {
			return err
		}
		return s.renderWebhook(w, r, v, wh, f)
	}
	s.redirect(w, r, "/console/settings/webhooks/"+strconv.FormatInt(id, 10), fmt.Sprintf("Replayed: %s. %s", wh.Outcome, wh.Reason))
	return nil
}
