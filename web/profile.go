package web

import (
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The partner's profile and payment details, as program.Partner shows them to the partner
// itself (bank details included). program.Service lets a partner change none of them (only an
// admin changes a partner: UpdatePartner), so the page shows them, says what is missing for
// the partner to be paid, and who changes them; it has no form of its own.

type profileData struct {
	Partner pactum.Partner
	Account string // the signed-in user's email
	IBAN    string // in groups of four, as printed on cards and statements
	Missing string // what the payout method needs and the program lacks
}

// profilePage shows the partner's record.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.program.Partner(r.Context(), v.Caller, v.Caller.PartnerID)
	if err != nil {
		return err
	}
	d := profileData{Partner: p, Account: v.User.Email, IBAN: groupsOfFour(p.IBAN)}
	switch {
	case p.PayoutMethod == program.PayoutSEPA && p.IBAN == "":
		d.Missing = "You are paid by bank transfer, but the program has no IBAN of yours: it cannot pay you until it has one."
	case p.PayoutMethod == program.PayoutPayPal && p.PayPalEmail == "":
		d.Missing = "You are paid by PayPal, but the program has no PayPal email of yours: it cannot pay you until it has one."
	}
	s.render(w, r, v, http.StatusOK, "profile", "Profile and payment details", d)
	return nil
}

// groupsOfFour writes s in groups of four characters: "FR14 2004 1010 ...".
func groupsOfFour(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
