package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// One postback's page: its settings to change, its actions (send a test, turn off or on, a new
// secret, delete) and its delivery log, filtered by status. A test's attempt and a new secret
// are shown on the page that answers the POST, since neither can be shown again.

type postbackData struct {
	Postback   postbackView
	Form       *form // the settings
	Choices    postbackChoices
	Secret     *secret
	Test       *deliveryView // the test just sent
	Filter     *form         // the log's ?status=
	Statuses   []option
	Deliveries []deliveryView
	Next       string
}

// postbackExtras is what a POST shows once on the postback's page.
type postbackExtras struct {
	Form   *form
	Secret *secret
	Test   *deliveryView
}

// deliveryView is a delivery as the log shows it.
type deliveryView struct {
	pactum.PostbackDelivery
	Attempts []attemptView // newest first
}

type attemptView struct {
	pactum.PostbackAttempt
	Latency string // "84 ms"
}

// postbackPage shows the postback of the path, with its log.
func (s *Server) postbackPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	return s.renderPostback(w, r, v, p, postbackExtras{})
}

// pathPostback is the postback of the path's {id}, if it is the viewer's: another partner's is
// not found, as a missing one.
func (s *Server) pathPostback(r *http.Request, v *viewer) (pactum.Postback, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return pactum.Postback{}, err
	}
	return s.program.Postback(r.Context(), v.Caller, id)
}

func (s *Server) renderPostback(w http.ResponseWriter, r *http.Request, v *viewer, p pactum.Postback, x postbackExtras) error {
	choices, names, err := s.postbackChoices(r, v, p.OfferID)
	if err != nil {
		return err
	}
	d := postbackData{Postback: viewPostback(p, names), Form: x.Form, Choices: choices, Secret: x.Secret, Test: x.Test,
		Filter: newForm(r.URL.Query()), Statuses: []option{{"", "any"}, {pactum.DeliveryPending, "pending"},
			{pactum.DeliveryDelivered, "delivered"}, {pactum.DeliveryFailed, "failed"}}}
	if d.Form == nil {
		d.Form = newForm(nil)
		d.Form.Values.Set("url", p.URL)
		d.Form.Values.Set("method", p.Method)
		d.Form.Values["events"] = p.Events
		if p.OfferID != 0 {
			d.Form.Values.Set("offer_id", strconv.FormatInt(p.OfferID, 10))
		}
	}
	log, err := s.program.PostbackDeliveries(r.Context(), v.Caller, p.ID, d.Filter.Get("status"), listPage(r))
	if err != nil {
		if err := d.Filter.fail(err, nil); err != nil {
			return err
		}
	}
	for _, dl := range log.Items {
		d.Deliveries = append(d.Deliveries, viewDelivery(dl))
	}
	if log.Next != 0 {
		// Built from the postback's URL, not the request's: a POST's page (a test) shows the log too.
		q := url.Values{"after": {strconv.FormatInt(log.Next, 10)}}
		if st := d.Filter.Get("status"); st != "" {
			q.Set("status", st)
		}
		d.Next = postbackURL(p.ID) + "?" + q.Encode()
	}
	s.render(w, r, v, max(d.Form.Status, d.Filter.Status), "postback", fmt.Sprintf("Postback %d", p.ID), d)
	return nil
}

func viewDelivery(d pactum.PostbackDelivery) deliveryView {
	out := deliveryView{PostbackDelivery: d}
	for i := len(d.Log) - 1; i >= 0; i-- {
		at := d.Log[i]
		out.Attempts = append(out.Attempts, attemptView{PostbackAttempt: at,
			Latency: strconv.FormatInt(at.Latency.Round(time.Millisecond).Milliseconds(), 10) + " ms"})
	}
	return out
}

// updatePostback saves the postback's settings.
func (s *Server) updatePostback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, err := postbackInput(f)
	if err == nil {
		_, err = s.program.UpdatePostback(r.Context(), v.Caller, p.ID, in)
	}
	if err != nil {
		if err := f.fail(err, postbackField); err != nil {
			return err
		}
		return s.renderPostback(w, r, v, p, postbackExtras{Form: f})
	}
	s.redirect(w, r, postbackURL(p.ID), "The postback is saved. Send a test to see what your tracker answers.")
	return nil
}

// enablePostback turns the postback on (failures before now no longer count) or off.
func (s *Server) enablePostback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	on := r.PostFormValue("enabled") == "true"
	if _, err := s.program.UpdatePostback(r.Context(), v.Caller, p.ID, program.PostbackInput{Enabled: &on}); err != nil {
		return err
	}
	notice := "The postback is off: it sends nothing until you turn it on again."
	if on {
		notice = "The postback is on: the next change of one of your conversions is sent."
	}
	s.redirect(w, r, postbackURL(p.ID), notice)
	return nil
}

// testPostback sends a made-up sale now and shows the attempt.
func (s *Server) testPostback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	d, err := s.program.TestPostback(r.Context(), v.Caller, p.ID)
	if err != nil {
		return err
	}
	test := viewDelivery(d)
	return s.renderPostback(w, r, v, p, postbackExtras{Test: &test})
}

// rotatePostbackSecret makes a new secret and shows it once; the old one signs too for a day.
func (s *Server) rotatePostbackSecret(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	if p, err = s.program.RotatePostbackSecret(r.Context(), v.Caller, p.ID); err != nil {
		return err
	}
	return s.renderPostback(w, r, v, p, postbackExtras{Secret: &secret{
		What:  fmt.Sprintf("The new signing secret of postback %d:", p.ID),
		Value: p.Secret,
		Hint: fmt.Sprintf("Until %s both secrets sign every postback (two v1= in Pactum-Signature): put the new one in your tracker before then. It is shown only now.",
			p.PreviousUntil.UTC().Format("2 Jan 2006 15:04 UTC")),
	}})
}

// deletePostback deletes the postback with its log.
func (s *Server) deletePostback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.pathPostback(r, v)
	if err != nil {
		return err
	}
	if err := s.program.DeletePostback(r.Context(), v.Caller, p.ID); err != nil {
		return err
	}
	s.redirect(w, r, "/portal/postbacks", fmt.Sprintf("Postback %d is deleted, with its delivery log.", p.ID))
	return nil
}

func postbackURL(id int64) string { return "/portal/postbacks/" + strconv.FormatInt(id, 10) }
