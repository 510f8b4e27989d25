package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestPayPalLayout(t *testing.T) {
	b := euroBatch()
	b.Lines[1].Note = "Thanks, \"Bob\"\r\nsee you"
	var buf bytes.Buffer
	if err := PayPal(&buf, b); err != nil {
		t.Fatal(err)
	}
	// No header and no BOM: PayPal reads the first row as the first payment.
	want := "anna.pp@example.com,0.10,EUR,PACTUM-P12,Pactum payout 12 for Nov 2026,PAYPAL\r\n" +
		"bob@example.com,0.20,EUR,PACTUM-P13,\"Thanks, \"\"Bob\"\" see you\",PAYPAL\r\n" +
		"chloe@example.com,1234.56,EUR,PACTUM-P14,,PAYPAL\r\n"
	if buf.String() != want {
		t.Fatalf("PayPal file:\n%s\nwant:\n%s", buf.String(), want)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) != 6 || len(r[3]) > 30 || strings.Contains(r[3], " ") {
			t.Fatalf("row %q breaks PayPal's layout", r)
		}
	}
}

func TestPayPalWholeUnitCurrencies(t *testing.T) {
	b := Batch{RunID: 2, Lines: []Line{
		{PayoutID: 1, PartnerID: 1, PayPalEmail: "a@example.hu", Currency: "HUF", Amount: dec("15000.00")},
		{PayoutID: 2, PartnerID: 2, PayPalEmail: "b@example.hu", Currency: "HUF", Amount: dec("250")},
	}}
	var buf bytes.Buffer
	if err := PayPal(&buf, b); err != nil {
		t.Fatal(err)
	}
	if want := "a@example.hu,15000,HUF,PACTUM-P1,,PAYPAL\r\nb@example.hu,250,HUF,PACTUM-P2,,PAYPAL\r\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}

	b.Lines[1].Amount = dec("250.50")
	buf.Reset()
	wantFieldError(t, PayPal(&buf, b), "payouts[1].amount", "partner 2", "whole units")
	if buf.Len() != 0 {
		t.Fatal("wrote a partial file")
	}

	var yen bytes.Buffer
	jpy := Batch{RunID: 3, Lines: []Line{{PayoutID: 9, PartnerID: 9, PayPalEmail: "y@example.jp", Currency: "JPY", Amount: dec("1500")}}}
	if err := PayPal(&yen, jpy); err != nil || !strings.HasPrefix(yen.String(), "y@example.jp,1500,JPY,") {
		t.Fatalf("JPY: %q, %v", yen.String(), err)
	}
}

func TestPayPalErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Batch)
		field  string
		parts  []string
	}{
		{"no PayPal email, even with an account email", func(b *Batch) { b.Lines[1].PayPalEmail = " " },
			"payouts[1].paypal_email", []string{`partner 4 "Bob & <Co>" (payout 13)`, "no PayPal email"}},
		{"not an email", func(b *Batch) { b.Lines[2].PayPalEmail = "chloe at example.com" },
			"payouts[2].paypal_email", []string{"partner 5"}},
		{"two addresses", func(b *Batch) { b.Lines[0].PayPalEmail = "a@example.com,b@example.com" },
			"payouts[0].paypal_email", []string{"partner 3"}},
		{"mixed currencies", func(b *Batch) { b.Lines[2].Currency = "USD" },
			"payouts[2].currency", []string{"partner 5", "USD", "EUR", "one currency per file"}},
		{"empty run", func(b *Batch) { b.Lines = nil }, "payouts", []string{"run 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := euroBatch()
			tt.change(&b)
			var buf bytes.Buffer
			wantFieldError(t, PayPal(&buf, b), tt.field, tt.parts...)
			if buf.Len() != 0 {
				t.Fatalf("wrote %q despite the error", buf.String())
			}
		})
	}
}

func TestPayPalNoteLimit(t *testing.T) {
	b := euroBatch()
	b.Lines[0].Note = strings.Repeat("ü", 500)
	var buf bytes.Buffer
	if err := PayPal(&buf, b); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	if n := len([]rune(rows[0][4])); n != 400 {
		t.Fatalf("note has %d characters, want PayPal's 400", n)
	}
}
