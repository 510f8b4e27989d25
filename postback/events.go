// Package postback sends partners' postbacks (SPEC section 11): an outbox over the change feed
// that records, for each change of a conversion, the deliveries of the partner's postbacks that
// want it, in the transaction that moves the feed's consumer (so a crash loses none and repeats
// none); a worker that sends them through the address guard (package outbound), signed, with
// an Idempotency-Key, retried with exponential backoff and jitter for a day, and that disables a
// postback after 10 failed deliveries in a row within 72 hours; and the signature, the URL
// templates and the JSON body they share with the API's test sends.
package postback

import (
	"slices"

	"github.com/pactum/pactum"
)

// Events are the events a postback may fire on, in the SPEC's order.
var Events = []string{
	pactum.EventConversionCreated, pactum.EventConversionApproved,
	pactum.EventConversionReversed, pactum.EventConversionRejected,
}

// ValidEvent reports whether name is one of Events.
func ValidEvent(name string) bool { return slices.Contains(Events, name) }

// EventsOf returns the postback events a change fires, in order:
//   - created: conversion.created, whatever the conversion's status (pending, capped), with
//     {status} saying which; created already approved (a shop that reports approved sales)
//     fires conversion.approved as well, since no later change will; created rejected (too soon
//     after its click, after the attribution window, or declined by the shop) fires only
//     conversion.rejected: it was never a sale the partner earns from, and a tracker that
//     counts conversion.created as one would count it;
//   - approved, rejected, reversed: the event of that name;
//   - refunded in part and paid: none (the SPEC names no event for them; the next event
//     carries the commission as it is then).
func EventsOf(c pactum.Change) []string {
	switch c.Kind {
	case pactum.ChangeCreated:
		switch c.Status {
		case pactum.ConversionRejected:
			return []string{pactum.EventConversionRejected}
		case pactum.ConversionApproved:
			return []string{pactum.EventConversionCreated, pactum.EventConversionApproved}
		}
		return []string{pactum.EventConversionCreated}
	case pactum.ChangeApproved:
		return []string{pactum.EventConversionApproved}
	case pactum.ChangeRejected:
		return []string{pactum.EventConversionRejected}
	case pactum.ChangeReversed:
		return []string{pactum.EventConversionReversed}
	}
	return nil
}

// Wants reports whether postback p fires event for a conversion of offer.
func Wants(p pactum.Postback, offerID int64, event string) bool {
	return p.Enabled && (p.OfferID == 0 || p.OfferID == offerID) && slices.Contains(p.Events, event)
}
