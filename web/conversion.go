package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// A conversion's page: what was reported, how it was attributed, its commission in words, and
// (for who may change it) approve, reject and refund.

type conversionData struct {
	Form       *form
	Conversion pactum.Conversion
	Payout     *breakdownWords
	Revenue    *breakdownWords // nil for partners
	CanChange  bool
	Partner    string // the partner's name, where the viewer may see it
	// Reasons are why it was rejected, held or capped, and Flagged the fraud rules that only
	// marked it, in words (review.go).
	Reasons, Flagged []reasonWords
	Held             bool // held for review (pactum.Conversion.Held)
}

// conversionPage shows one conversion.
func (s *Server) conversionPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	cv, err := s.pathConversion(r, v)
	if err != nil {
		return err
	}
	return s.renderConversion(w, r, v, newForm(nil), cv)
}

func (s *Server) renderConversion(w http.ResponseWriter, r *http.Request, v *viewer, f *form, cv pactum.Conversion) error {
	d := conversionData{Form: f, Conversion: cv, Payout: describeBreakdown(cv.PayoutBreakdown), CanChange: v.Caller.CanChangeConversion(cv),
		Reasons: reasonsOf(cv.Reason), Flagged: reasonsOf(cv.Flags, cv.Reason), Held: cv.Held()}
	if v.Caller.SeesRevenue() {
		d.Revenue = describeBreakdown(cv.RevenueBreakdown)
	}
	if cv.PartnerID != 0 {
		if p, err := s.program.Partner(r.Context(), v.Caller, cv.PartnerID); err == nil {
			d.Partner = p.Name
		}
	}
	s.render(w, r, v, f.Status, "conversion", fmt.Sprintf("Conversion #%d", cv.ID), d)
	return nil
}

// pathConversion is the conversion of the path's {id}, if the viewer may see it: a partner
// its own only.
func (s *Server) pathConversion(r *http.Request, v *viewer) (pactum.Conversion, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return pactum.Conversion{}, err
	}
	return s.program.Conversion(r.Context(), v.Caller, id)
}

// decideConversion approves, rejects or refunds a conversion, as the API's POSTs do.
func (s *Server) decideConversion(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, f, err := postedID(r)
	if err != nil {
		return err
	}
	var cv pactum.Conversion
	var done string
	switch r.PathValue("action") {
	case "approve":
		cv, err = s.program.ApproveConversion(r.Context(), v.Caller, id)
		done = "approved: it becomes payable after the program's net days"
	case "reject":
		cv, err = s.program.RejectConversion(r.Context(), v.Caller, id, strings.TrimSpace(f.Get("reason")))
		done = "rejected: it earns nothing"
	case "refund":
		in := program.RefundInput{}
		if amount := strings.TrimSpace(f.Get("amount")); amount != "" {
			in.Amount = &amount
		} else {
			in.Items, err = refundItems(f)
		}
		if err == nil {
			cv, err = s.program.RefundConversion(r.Context(), v.Caller, id, in)
		}
		done = "refunded: its commission shrank by what was refunded"
	default:
		return pactum.Errorf(pactum.ENOTFOUND, "not found")
	}
	if err != nil {
		if err := f.fail(err, refundInput); err != nil {
			return err
		}
		cv, err := s.program.Conversion(r.Context(), v.Caller, id)
		if err != nil {
			return err
		}
		return s.renderConversion(w, r, v, f, cv)
	}
	s.redirect(w, r, fmt.Sprintf("/console/conversions/%d", cv.ID), fmt.Sprintf("Conversion #%d is %s.", cv.ID, done))
	return nil
}

// refundItems reads the units to refund of each line: inputs qty.{sku}.
func refundItems(f *form) (*[]pactum.RefundItem, error) {
	items := []pactum.RefundItem{}
	for _, sku := range f.Values["sku"] {
		n, err := f.number("qty." + sku)
		if err != nil {
			return nil, pactum.FieldError("items", "%s: units to refund must be a whole number", sku)
		}
		if n != nil && *n > 0 {
			items = append(items, pactum.RefundItem{SKU: sku, Quantity: int64(*n)})
		}
	}
	if len(items) == 0 {
		return nil, pactum.FieldError("amount", "give an amount to refund, or the units of some lines")
	}
	return &items, nil
}

// refundInput shows an error about a refund's items at the items' table.
func refundInput(field string) string {
	if strings.HasPrefix(field, "items") {
		return "items"
	}
	return field
}
