package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The partner's money: balance per program and currency, what becomes payable when, the next
// payout, and the payouts so far.

type balanceData struct {
	Balance program.Balance
	Payouts []pactum.Payout
	Next    string
	// Programs names each program by the offers of it the partner may see: partners do not
	// read advertisers' records.
	Programs map[int64]string
}

// balancePage shows the partner's balance and payout history.
func (s *Server) balancePage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	b, err := s.program.Balance(r.Context(), v.Caller, program.Owners{})
	if err != nil {
		return err
	}
	payouts, err := s.program.ListPayouts(r.Context(), v.Caller, program.PayoutQuery{}, listPage(r))
	if err != nil {
		return err
	}
	names, err := s.programNames(r, v)
	if err != nil {
		return err
	}
	s.render(w, r, v, http.StatusOK, "balance", "Balance and payouts",
		balanceData{Balance: b, Payouts: payouts.Items, Next: nextURL(r, payouts.Next), Programs: names})
	return nil
}

// programNames names each program (advertiser) by the offers of it the partner may see.
func (s *Server) programNames(r *http.Request, v *viewer) (map[int64]string, error) {
	offers, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, o := range offers.Items {
		if names[o.AdvertiserID] != "" {
			names[o.AdvertiserID] += ", "
		}
		names[o.AdvertiserID] += o.Name
	}
	return names, nil
}
