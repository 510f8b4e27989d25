package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadtestReportsConversions runs `pactum loadtest` in conversions and postbacks modes
// against the real server, briefly: each mode makes click ids on a link, reports conversions for
// them (through the API with three line items, or as postbacks with the advertiser's token),
// and must find every acknowledged one stored once with its commission.
func TestLoadtestReportsConversions(t *testing.T) {
	p := startServer(t, freeAddr(t), "--db", filepath.Join(t.TempDir(), "pactum.db"))
	adv := p.createAdvertiser(map[string]any{"name": "Northwind", "currency": "EUR"})
	var offer struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{
		"advertiser_id": adv.ID, "name": "Spring", "destination_url": "https://shop.example/?click_id={click_id}",
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{
			"default": map[string]any{"percent": "8"},
			"rules":   []any{map[string]any{"id": "hero", "when": map[string]any{"sku": []string{"SHOE-9"}}, "rate": map[string]any{"fixed": "12.00", "per": "unit"}}},
		}}},
	}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	var partner struct{ ID int64 }
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com", "kind": "influencer"}, &partner)
	if code := p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": partner.ID, "code": "ANNA"}, nil); code != 201 {
		t.Fatalf("create link: %d", code)
	}

	// Shopify's order webhooks, attributed by a coupon of the partner.
	if code := p.api("PATCH", fmt.Sprintf("/api/v1/advertisers/%d", adv.ID), map[string]any{"shopify_secret": "shpss_loadtest_secret"}, nil); code != 200 {
		t.Fatalf("set the Shopify secret: %d", code)
	}
	if code := p.api("POST", "/api/v1/coupons", map[string]any{"code": "ANNA10", "partner_id": partner.ID}, nil); code != 201 {
		t.Fatalf("create coupon: %d", code)
	}
	t.Run("shopify", func(t *testing.T) {
		path := fmt.Sprintf("/webhooks/shopify/%d?offer_id=%d", adv.ID, offer.ID)
		cmd := exec.Command(binary, "loadtest", "--mode", "shopify", "--target", p.base, "--path", path,
			"--connections", "4", "--duration", "1s", "--warmup", "200ms", "--quiet",
			"--api-key", testAdminKey, "--shop-secret", "shpss_loadtest_secret", "--coupon", "ANNA10")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("loadtest: %v\n%s", err, out)
		}
		for _, want := range []string{"pactum shopify orders/create webhooks to " + path, "webhooks/s", " 0 errors", "all with commissions (ok)"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	for _, mode := range []string{"conversions", "postbacks"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(binary, "loadtest", "--mode", mode, "--target", p.base, "--path", "/c/ANNA",
				"--connections", "4", "--duration", "1s", "--warmup", "200ms", "--click-ids", "20", "--quiet",
				"--api-key", testAdminKey, "--postback-token", adv.Token)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("loadtest: %v\n%s", err, out)
			}
			unit := map[string]string{"conversions": "conversions/s", "postbacks": "postbacks/s"}[mode]
			for _, want := range []string{"pactum " + mode + " for clicks on /c/ANNA", unit, " 0 errors", "all with commissions (ok)"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
