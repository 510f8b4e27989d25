package program

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/shop"
)

// WebhookInput is a shop's webhook as it came (SPEC section 12): the advertiser and offer its
// URL names, what its headers say, and its body, which is what the signature covers.
type WebhookInput struct {
	Platform     string
	AdvertiserID int64
	OfferID      int64  // ?offer_id=, 0 when the URL has none
	Topic        string // X-Shopify-Topic, X-WC-Webhook-Topic
	DeliveryID   string // X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID
	Signature    string // X-Shopify-Hmac-Sha256, X-WC-Webhook-Signature
	Body         []byte
}

// WebhookResult is what a webhook did: the log's record of it (ID 0 for a ping), whether it is
// a delivery received before, and whether it is WooCommerce's ping.
type WebhookResult struct {
	Webhook   pactum.Webhook
	Duplicate bool
	Ping      bool
}

// badSignature is the answer to every webhook that fails verification, whatever failed (no such
// advertiser, no secret, a wrong signature), so that the answer tells nothing about which.
var badSignature = pactum.Errorf(pactum.EUNAUTHORIZED, "the webhook's signature does not verify with the advertiser's secret")

// ReceiveWebhook verifies a shop's webhook and acts on it as its advertiser: an order becomes a
// conversion, a refund refunds it, a cancelled order rejects it. A webhook that fails
// verification is unauthenticated and changes nothing, not even the log. A delivery received
// before (its delivery id) that did not fail changes nothing either and is answered as a
// duplicate. Every other one is kept in the webhook log with what it did; one that cannot be
// mapped returns a failed_precondition error (422) with the reason, and is kept with its body so
// that the advertiser can replay it.
func (s *Service) ReceiveWebhook(ctx context.Context, in WebhookInput) (WebhookResult, error) {
	if in.Platform == pactum.PlatformWooCommerce && in.Signature == "" && shop.IsWooPing(in.Body) {
		return WebhookResult{Ping: true}, nil
	}
	secret, err := s.store.ShopSecret(ctx, in.AdvertiserID, in.Platform)
	if isNotFound(err) {
		return WebhookResult{}, badSignature
	} else if err != nil {
		return WebhookResult{}, err
	}
	if !shop.Verify(in.Body, secret, in.Signature) {
		return WebhookResult{}, badSignature
	}
	now := s.now().UTC()
	w := pactum.Webhook{AdvertiserID: in.AdvertiserID, Platform: in.Platform, Topic: in.Topic, DeliveryID: in.DeliveryID,
		OfferID: in.OfferID, ReceivedAt: now}
	if in.DeliveryID != "" {
		seen, err := s.store.WebhookByDelivery(ctx, in.AdvertiserID, in.Platform, in.DeliveryID)
		switch {
		case err == nil && seen.Outcome != pactum.WebhookFailed:
			return WebhookResult{Webhook: seen, Duplicate: true}, nil
		case err == nil:
			w = seen // the shop sends a failed one again: it is tried again, in its row
			w.Topic, w.OfferID = in.Topic, in.OfferID
		case !isNotFound(err):
			return WebhookResult{}, err
		}
	}
	failure := s.apply(ctx, &w, in.Body)
	if err := s.store.SaveWebhook(ctx, &w); pactum.ErrorCode(err) == pactum.ECONFLICT {
		// The same delivery came twice at once and the other one was logged first: what this
		// one did (a duplicate conversion, a refund applied once) changed nothing more.
		seen, err := s.store.WebhookByDelivery(ctx, in.AdvertiserID, in.Platform, in.DeliveryID)
		if err != nil {
			return WebhookResult{}, err
		}
		return WebhookResult{Webhook: seen, Duplicate: true}, nil
	} else if err != nil {
		return WebhookResult{}, err
	}
	if failure != nil {
		s.logger.InfoContext(ctx, "shop webhook failed", "platform", w.Platform, "advertiser", w.AdvertiserID,
			"topic", w.Topic, "webhook", w.ID, "status", w.Status, "reason", w.Reason)
	}
	return WebhookResult{Webhook: w}, failure
}

// apply acts on a verified webhook's body and records in w what it did (outcome, the HTTP status
// to answer, reason, order, conversion, and the body while it can be replayed). It returns the
// error of a webhook that failed: a failed_precondition (422) for one that cannot be mapped, or
// what went wrong inside (5xx, and the shop sends it again).
func (s *Service) apply(ctx context.Context, w *pactum.Webhook, body []byte) error {
	w.UpdatedAt = s.now().UTC()
	o, err := s.act(ctx, w, body)
	w.Outcome, w.Reason, w.Body = o.outcome, o.reason, nil
	if o.conversion != 0 {
		w.ConversionID = o.conversion
	}
	if o.order != "" {
		w.OrderID = o.order
	}
	switch {
	case errors.Is(err, pactum.ErrQueued):
		// Durable in the event log, and processed when a processor is back: a 2xx, so that the
		// shop does not send it again.
		w.Outcome, w.Status, w.Reason = pactum.WebhookQueued, http.StatusAccepted, "the conversion is recorded and waits to be processed"
		return nil
	case err != nil:
		if code := pactum.ErrorCode(err); code == pactum.EINVALID || code == pactum.EFORBIDDEN || code == pactum.ECONFLICT {
			// The intake refused what the webhook carries (a currency the offer is not in, a
			// refund of more than remains): the webhook cannot be mapped.
			err = &pactum.Error{Code: pactum.EPRECONDITION, Field: pactum.ErrorField(err), Message: pactum.ErrorMessage(err)}
		}
		f := answer.Of(ctx, err)
		w.Outcome, w.Status, w.Reason, w.Body = pactum.WebhookFailed, f.Status, describeFailure(f.Err), body
		return err
	}
	w.Status = http.StatusOK
	return nil
}

// describeFailure is a failed webhook's reason in the log: the message and the place in the
// shop's JSON it is about.
func describeFailure(err error) string {
	if f := pactum.ErrorField(err); f != "" {
		return f + ": " + pactum.ErrorMessage(err)
	}
	return pactum.ErrorMessage(err)
}

// outcome is what acting on a webhook did.
type outcome struct {
	outcome    string
	reason     string
	order      string
	conversion int64
}

func ignored(format string, args ...any) outcome {
	return outcome{outcome: pactum.WebhookIgnored, reason: fmt.Sprintf(format, args...)}
}

// act maps the webhook to what it asks for and does it as the advertiser.
func (s *Service) act(ctx context.Context, w *pactum.Webhook, body []byte) (outcome, error) {
	c := Caller{Role: pactum.RoleAdvertiser, AdvertiserID: w.AdvertiserID}
	switch {
	case w.Platform == pactum.PlatformShopify && (w.Topic == shop.ShopifyOrdersCreate || w.Topic == shop.ShopifyOrdersPaid):
		o, test, err := shop.ParseShopifyOrder(body)
		if err != nil {
			return outcome{}, err
		}
		if test {
			return outcome{outcome: pactum.WebhookIgnored, order: o.ID,
				reason: "a test order (test: true): the webhook works, and test orders earn no commission"}, nil
		}
		offer, err := s.webhookOffer(ctx, c, w.OfferID)
		if err != nil {
			return outcome{order: o.ID}, err
		}
		return s.reportOrder(ctx, c, offer, o)
	case w.Platform == pactum.PlatformShopify && w.Topic == shop.ShopifyRefundsCreate:
		r, err := shop.ParseShopifyRefund(body)
		if err != nil {
			return outcome{}, err
		}
		if len(r.Items) == 0 {
			return outcome{outcome: pactum.WebhookIgnored, order: r.OrderID,
				reason: "a refund of no line (shipping or an amount): commissions are paid on lines and stay as they are"}, nil
		}
		offer, err := s.webhookOffer(ctx, c, w.OfferID)
		if err != nil {
			return outcome{order: r.OrderID}, err
		}
		cv, err := s.orderConversion(ctx, offer, r.OrderID)
		if err != nil {
			return outcome{order: r.OrderID}, err
		}
		items := r.Items
		return s.refundOrder(ctx, c, cv, RefundInput{Items: &items, RefundID: &r.ID})
	case w.Platform == pactum.PlatformWooCommerce && (w.Topic == shop.WooOrderCreated || w.Topic == shop.WooOrderUpdated):
		o, err := shop.ParseWooOrder(body)
		if err != nil {
			return outcome{}, err
		}
		offer, err := s.webhookOffer(ctx, c, w.OfferID)
		if err != nil {
			return outcome{order: o.ID}, err
		}
		return s.wooOrder(ctx, c, offer, o)
	}
	return ignored("topic %q is not one Pactum acts on", w.Topic), nil
}

// webhookOffer is the offer a webhook's conversions go to: the URL's ?offer_id=, which must be
// one of the advertiser's, else the advertiser's one active offer.
func (s *Service) webhookOffer(ctx context.Context, c Caller, id int64) (pactum.Offer, error) {
	if id != 0 {
		o, err := s.Offer(ctx, c, id)
		if isNotFound(err) {
			return o, pactum.PreconditionError("offer_id", "offer %d is not an offer of this advertiser: fix ?offer_id= in the webhook's URL", id)
		}
		return o, err
	}
	offers, err := s.store.ListOffers(ctx, pactum.OfferFilter{AdvertiserID: c.AdvertiserID, Status: pactum.OfferActive}, pactum.Page{Limit: 2})
	switch {
	case err != nil:
		return pactum.Offer{}, err
	case len(offers) == 0:
		return pactum.Offer{}, pactum.PreconditionError("offer_id", "the advertiser has no active offer for the shop's orders")
	case len(offers) > 1:
		return pactum.Offer{}, pactum.PreconditionError("offer_id",
			"the advertiser has several active offers: add ?offer_id= to the webhook's URL to say which one the shop's orders go to")
	}
	return offers[0], nil
}

// reportOrder reports a shop's order as a conversion of offer. The first of its discount codes
// that is a coupon attributes it; a click id Pactum did not issue (a stale or foreign cookie) is
// dropped rather than losing the order, and the log says so.
func (s *Service) reportOrder(ctx context.Context, c Caller, offer pactum.Offer, o shop.Order) (outcome, error) {
	in := pactum.ConversionInput{OfferID: offer.ID, OrderID: o.ID, Currency: o.Currency, Items: o.Items,
		ClickID: o.ClickID, CustomerID: o.CustomerID, NewCustomer: o.NewCustomer, Country: o.Country,
		Source: pactum.SourceWebhook, Coupon: s.orderCoupon(ctx, offer, o.Coupons)}
	if pactum.CountryCode(in.Country) == "" {
		in.Country = "" // a shop's country that is not a code changes no rule: not a reason to refuse the order
	}
	res, err := s.ReportConversion(ctx, c, in)
	note := ""
	if pactum.ErrorField(err) == "click_id" {
		note = fmt.Sprintf("click id %q ignored (%s); ", o.ClickID, pactum.ErrorMessage(err))
		in.ClickID = ""
		res, err = s.ReportConversion(ctx, c, in)
	}
	out := outcome{order: o.ID, conversion: res.Conversion.ID}
	if err != nil {
		return out, err
	}
	cv := res.Conversion
	out.outcome, out.reason = pactum.WebhookApplied, note+fmt.Sprintf("conversion %d, %s, payout %s %s", cv.ID, cv.Status,
		pactum.FormatAmount(cv.Payout, cv.Currency), cv.Currency)
	if answer.Rejected(&cv) {
		out.reason = note + fmt.Sprintf("conversion %d stored %s", cv.ID, answer.RejectedMessage(cv.Reason))
	}
	if res.Duplicate {
		out.outcome, out.reason = pactum.WebhookDuplicate, note+fmt.Sprintf("order %s is conversion %d already", o.ID, cv.ID)
	}
	return out, nil
}

// orderCoupon picks the order's coupon: the first code bound to a partner for offer (codes are
// case-insensitive), else the first code, which rules by coupon may still match.
func (s *Service) orderCoupon(ctx context.Context, offer pactum.Offer, codes []string) string {
	for _, code := range codes {
		cp, err := s.store.Coupon(ctx, code)
		if err == nil && (cp.OfferID == 0 || cp.OfferID == offer.ID) {
			return code
		}
	}
	if len(codes) > 0 {
		return codes[0]
	}
	return ""
}

// orderConversion finds the conversion of a shop's order in offer.
func (s *Service) orderConversion(ctx context.Context, offer pactum.Offer, orderID string) (pactum.Conversion, error) {
	ev, err := conversion.DefaultEvent(offer)
	if err != nil {
		return pactum.Conversion{}, err
	}
	found, err := s.store.ListConversions(ctx, pactum.ConversionFilter{DedupKey: pactum.OrderKey(offer.ID, ev.Name, orderID)}, pactum.Page{Limit: 1})
	if err != nil {
		return pactum.Conversion{}, err
	}
	if len(found) == 0 {
		return pactum.Conversion{}, pactum.PreconditionError("order_id",
			"order %s has no conversion in offer %d (yet): its order webhook has not come, or it was placed before the webhook was set up", orderID, offer.ID)
	}
	return found[0], nil
}

// refundOrder refunds cv as in says, and says whether the refund was applied before.
func (s *Service) refundOrder(ctx context.Context, c Caller, cv pactum.Conversion, in RefundInput) (outcome, error) {
	out := outcome{order: cv.OrderID, conversion: cv.ID}
	for _, r := range cv.Refunds {
		if in.RefundID != nil && r.ID == *in.RefundID {
			out.outcome, out.reason = pactum.WebhookDuplicate, fmt.Sprintf("refund %s of conversion %d is applied already", r.ID, cv.ID)
			return out, nil
		}
	}
	after, err := s.RefundConversion(ctx, c, cv.ID, in)
	if err != nil {
		return out, err
	}
	out.outcome = pactum.WebhookApplied
	out.reason = fmt.Sprintf("conversion %d refunded: payout %s -> %s %s", cv.ID, pactum.FormatAmount(cv.Payout, cv.Currency),
		pactum.FormatAmount(after.Payout, after.Currency), after.Currency)
	return out, nil
}

// wooOrder acts on a WooCommerce order by its status: a paid one (processing, completed) is a
// conversion, and its refunds refund it; a refunded one is refunded in full; a cancelled or
// failed one rejects it; others (pending payment, on hold) are not sales yet.
func (s *Service) wooOrder(ctx context.Context, c Caller, offer pactum.Offer, o shop.WooOrder) (outcome, error) {
	switch o.Status {
	case shop.WooProcessing, shop.WooCompleted:
		out, err := s.reportOrder(ctx, c, offer, o.Order)
		if err != nil || len(o.Refunds) == 0 {
			return out, err
		}
		return s.wooRefunds(ctx, c, offer, o, out, false)
	case shop.WooRefunded:
		return s.wooRefunds(ctx, c, offer, o, outcome{order: o.ID}, true)
	case shop.WooCancelled, shop.WooFailed:
		cv, err := s.orderConversion(ctx, offer, o.ID)
		if pactum.ErrorCode(err) == pactum.EPRECONDITION {
			return outcome{outcome: pactum.WebhookIgnored, order: o.ID, reason: "the order is " + o.Status + " and has no conversion"}, nil
		} else if err != nil {
			return outcome{order: o.ID}, err
		}
		out := outcome{order: o.ID, conversion: cv.ID}
		if cv.Status != pactum.ConversionPending && cv.Status != pactum.ConversionApproved {
			out.outcome, out.reason = pactum.WebhookDuplicate, fmt.Sprintf("conversion %d is %s already", cv.ID, cv.Status)
			return out, nil
		}
		if _, err := s.RejectConversion(ctx, c, cv.ID, "order "+o.Status+" in WooCommerce"); err != nil {
			return out, err
		}
		out.outcome, out.reason = pactum.WebhookApplied, fmt.Sprintf("conversion %d rejected: the order is %s", cv.ID, o.Status)
		return out, nil
	}
	return ignored("the order is %q: not paid yet, so not a sale", o.Status), nil
}

// wooRefunds applies the refunds a WooCommerce order lists, each once (by its id), and with all
// the rest of the order when it is refunded in full. WooCommerce's order gives a refund's total
// only, which may hold shipping and taxes the commission was not paid on: each refunds the same
// share of the conversion's amount as of the order's total.
func (s *Service) wooRefunds(ctx context.Context, c Caller, offer pactum.Offer, o shop.WooOrder, out outcome, all bool) (outcome, error) {
	cv, err := s.orderConversion(ctx, offer, o.ID)
	if pactum.ErrorCode(err) == pactum.EPRECONDITION && all {
		return outcome{outcome: pactum.WebhookIgnored, order: o.ID, reason: "the order is refunded and has no conversion"}, nil
	} else if err != nil {
		return out, err
	}
	out.order, out.conversion = o.ID, cv.ID
	applied := 0
	refund := func(id string, amount decimal.Decimal) error {
		left := cv.Amount.Sub(cv.RefundedAmount)
		amount = decimal.Min(amount, left)
		if !amount.IsPositive() {
			return nil
		}
		a := pactum.FormatAmount(amount, cv.Currency)
		r, err := s.refundOrder(ctx, c, cv, RefundInput{Amount: &a, RefundID: &id})
		if err != nil {
			return err
		}
		if r.outcome == pactum.WebhookApplied {
			applied++
		}
		cv, err = s.store.Conversion(ctx, cv.ID)
		return err
	}
	for _, r := range o.Refunds {
		if !o.Total.IsPositive() {
			break
		}
		share := pactum.Round(cv.Amount.Mul(r.Amount).Div(o.Total), cv.Currency)
		if err := refund(r.ID, share); err != nil {
			return out, err
		}
	}
	if all {
		if err := refund("woocommerce-"+o.ID+"-refunded", cv.Amount); err != nil {
			return out, err
		}
	}
	if applied > 0 {
		out.outcome = pactum.WebhookApplied
		out.reason = strings.TrimPrefix(fmt.Sprintf("%s; %d refund(s) applied: conversion %d is %s, payout %s %s", out.reason, applied,
			cv.ID, cv.Status, pactum.FormatAmount(cv.Payout, cv.Currency), cv.Currency), "; ")
	} else if out.outcome == "" {
		out.outcome, out.reason = pactum.WebhookDuplicate, fmt.Sprintf("the refunds of conversion %d are applied already", cv.ID)
	}
	return out, nil
}

// ReplayWebhook acts again on a failed webhook of the log (after the advertiser fixed what made
// it fail: an offer, a coupon) as when it came, and records the outcome in its row; offerID, if
// not 0, replaces the ?offer_id= it came with (the URL was missing one). Only a failed webhook
// has its body, so only a failed one can be replayed.
func (s *Service) ReplayWebhook(ctx context.Context, c Caller, id, offerID int64) (pactum.Webhook, error) {
	w, err := s.Webhook(ctx, c, id)
	if err != nil {
		return w, err
	}
	if w.Outcome != pactum.WebhookFailed || w.Body == nil {
		return w, pactum.Errorf(pactum.ECONFLICT, "webhook %d is %s: only a failed webhook can be replayed", id, w.Outcome)
	}
	if offerID != 0 {
		w.OfferID = offerID
	}
	failure := s.apply(ctx, &w, w.Body)
	w.Replays++
	if err := s.store.SaveWebhook(ctx, &w); err != nil {
		return w, err
	}
	return w, failure
}

// Webhook returns webhook id of the log, with its body, if the caller may see it: an admin any,
// an advertiser its own.
func (s *Service) Webhook(ctx context.Context, c Caller, id int64) (pactum.Webhook, error) {
	if err := c.Allow("read the webhook log", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Webhook{}, err
	}
	w, err := s.store.Webhook(ctx, id)
	if err != nil {
		return w, orNotFound(err, "webhook", id)
	}
	if !c.CanSeeAdvertiser(w.AdvertiserID) {
		return pactum.Webhook{}, NotFound("webhook", id)
	}
	return w, nil
}

// WebhookQuery filters the webhook log.
type WebhookQuery struct {
	AdvertiserID int64
	Outcome      string
}

// ListWebhooks lists the webhook log the caller may see: an admin everyone's (or one
// advertiser's), an advertiser its own.
func (s *Service) ListWebhooks(ctx context.Context, c Caller, q WebhookQuery, p pactum.Page) (Page[pactum.Webhook], error) {
	if err := c.Allow("read the webhook log", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return Page[pactum.Webhook]{}, err
	}
	if q.Outcome != "" {
		if err := CheckOneOf("outcome", q.Outcome, pactum.WebhookApplied, pactum.WebhookDuplicate, pactum.WebhookIgnored,
			pactum.WebhookFailed, pactum.WebhookQueued); err != nil {
			return Page[pactum.Webhook]{}, err
		}
	}
	o, ok := c.Scope(Owners{AdvertiserID: q.AdvertiserID})
	if !ok {
		return Page[pactum.Webhook]{Items: []pactum.Webhook{}}, nil
	}
	f := pactum.WebhookFilter{AdvertiserID: o.AdvertiserID, Outcome: q.Outcome}
	fetch := func(pg pactum.Page) ([]pactum.Webhook, error) { return s.store.ListWebhooks(ctx, f, pg) }
	return collect(p, fetch, func(w pactum.Webhook) int64 { return w.ID }, nil)
}
