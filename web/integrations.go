package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Settings of how sales reach a program (SPEC sections 10 and 12), per program the viewer may
// change (an admin every one, an advertiser its own): the postback URL and its token, the
// addresses whose postbacks need no token, and the secrets that Shopify and WooCommerce sign
// their webhooks with (set or removed, shown only as set or not set), with each shop's webhook
// URL. Every change is program.UpdateAdvertiser, the API's PATCH.
//
// The postback token is shown once, when its program is made (program.CreateAdvertiser), and
// program.Service has no operation that makes a new one; the page says so.

type integrationsData struct {
	Programs []programIntegration
	Origin   string // the base of webhook URLs: where the viewer reached this page
	Postback string // the base of postback URLs: the tracking domain
}

// programIntegration is one program's settings, with the form each of its inputs posts.
type programIntegration struct {
	pactum.Advertiser
	Form  *form // its postback_ips.{id}, shopify_secret.{id}, woocommerce_secret.{id}
	Shops []shopView
}

// shopView is one shop platform's webhooks of a program.
type shopView struct {
	Platform, Name string
	Set            bool   // its secret is set
	URL            string // where the shop sends its webhooks
	Input          string // the secret's input
}

// integrationsPage shows every program's settings.
func (s *Server) integrationsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.renderIntegrations(w, r, v, 0, nil)
}

// renderIntegrations renders the page with form f (its errors) for program id, or none.
func (s *Server) renderIntegrations(w http.ResponseWriter, r *http.Request, v *viewer, id int64, f *form) error {
	progs, err := s.program.ListAdvertisers(r.Context(), v.Caller, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return err
	}
	d := integrationsData{Origin: s.origin(r), Postback: s.trackingBase()}
	status := http.StatusOK
	for _, a := range progs.Items {
		p := programIntegration{Advertiser: a, Form: newForm(nil)}
		for _, platform := range pactum.Platforms {
			p.Shops = append(p.Shops, shopView{Platform: platform, Name: platformNames[platform], Set: slices.Contains(a.ShopSecrets, platform),
				URL: fmt.Sprintf("%s/webhooks/%s/%d", d.Origin, platform, a.ID), Input: secretInput(platform, a.ID)})
		}
		if a.ID == id && f != nil {
			p.Form, status = f, f.Status
		} else {
			p.Form.Values.Set(ipsInput(a.ID), strings.Join(a.PostbackIPs, "\n"))
		}
		d.Programs = append(d.Programs, p)
	}
	s.render(w, r, v, status, "integrations", "Postbacks and shop webhooks", d)
	return nil
}

// trackingBase is where the tracking edge is reached: the base of every link's URL.
func (s *Server) trackingBase() string {
	return strings.TrimSuffix(s.program.TrackingURL(pactum.Link{Code: "x"}), "/c/x")
}

func ipsInput(id int64) string { return "postback_ips." + strconv.FormatInt(id, 10) }

// secretInput is the input of a platform's secret of program id.
func secretInput(platform string, id int64) string {
	return platform + "_secret." + strconv.FormatInt(id, 10)
}

// programInput maps the fields of program id's errors to its inputs: every address of the
// allow-list to its one text area.
func programInput(id int64) func(string) string {
	return func(field string) string {
		if strings.HasPrefix(field, "postback_ips") {
			return ipsInput(id)
		}
		return field + "." + strconv.FormatInt(id, 10)
	}
}

// savePostbackIPs stores the addresses whose postbacks need no token: one a line, or separated
// by commas or spaces.
func (s *Server) savePostbackIPs(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, f, err := postedID(r)
	if err != nil {
		return err
	}
	ips := strings.FieldsFunc(f.Get(ipsInput(id)), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	adv, err := s.program.UpdateAdvertiser(r.Context(), v.Caller, id, program.AdvertiserInput{PostbackIPs: &ips})
	if err != nil {
		if err := f.fail(err, programInput(id)); err != nil {
			return err
		}
		return s.renderIntegrations(w, r, v, id, f)
	}
	notice := fmt.Sprintf("%s takes postbacks with its token only.", adv.Name)
	if n := len(adv.PostbackIPs); n > 0 {
		notice = fmt.Sprintf("%s takes postbacks without its token from %s.", adv.Name, count(int64(n), "address"))
	}
	s.redirect(w, r, "/console/settings/integrations#program-"+strconv.FormatInt(id, 10), notice)
	return nil
}

// platformNames are the shops' names, by platform.
var platformNames = map[string]string{pactum.PlatformShopify: "Shopify", pactum.PlatformWooCommerce: "WooCommerce"}

// setShopSecret stores (action "set") or removes (action "remove") the secret a shop platform
// signs a program's webhooks with. The secret is never shown back, even with an error.
func (s *Server) setShopSecret(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, f, err := postedID(r)
	if err != nil {
		return err
	}
	platform := f.Get("platform")
	if !slices.Contains(pactum.Platforms, platform) {
		return pactum.Errorf(pactum.ENOTFOUND, "not found")
	}
	input := secretInput(platform, id)
	secret := f.Get(input)
	f.Values.Del(input)
	in := program.AdvertiserInput{}
	remove := f.Get("action") == "remove"
	switch {
	case remove:
		secret = ""
	case secret == "":
		// An empty secret removes it in the API; here it is a form sent without one.
		err = pactum.FieldError(platform+"_secret", "paste the secret %s shows for its webhooks", platformNames[platform])
	}
	if platform == pactum.PlatformShopify {
		in.ShopifySecret = &secret
	} else {
		in.WooCommerceSecret = &secret
	}
	var adv pactum.Advertiser
	if err == nil {
		adv, err = s.program.UpdateAdvertiser(r.Context(), v.Caller, id, in)
	}
	if err != nil {
		if err := f.fail(err, programInput(id)); err != nil {
			return err
		}
		return s.renderIntegrations(w, r, v, id, f)
	}
	notice := fmt.Sprintf("%s's %s secret is set: webhooks signed with it are taken; others are refused.", adv.Name, platformNames[platform])
	if remove {
		notice = fmt.Sprintf("%s's %s secret is removed: every %s webhook is refused until one is set.", adv.Name, platformNames[platform], platformNames[platform])
	}
	s.redirect(w, r, "/console/settings/integrations#program-"+strconv.FormatInt(id, 10), notice)
	return nil
}
