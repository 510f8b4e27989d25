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
	s.render(w, r, v, http.StatusOK, "balance", "Balance and payouts", balanceData{Balance: b, Payouts: payouts.Items, Next: nextURL(r, payouts.Next)})
	return nil
}
