package export

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// euroBatch is a run of three euro payouts whose sum a float would get wrong (0.1 + 0.2), with
// names that need escaping or transliterating.
func euroBatch() Batch {
	return Batch{
		RunID:     7,
		Date:      time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		CreatedAt: time.Date(2026, 11, 30, 18, 4, 5, 0, time.FixedZone("CET", 3600)),
		Debtor:    Debtor{Name: "Acme Shoes GmbH", IBAN: "DE89 3704 0044 0532 0130 00", BIC: "COBADEFFXXX"},
		Lines: []Line{
			{PayoutID: 12, PartnerID: 3, PartnerName: "Anna Müller", Email: "anna@example.com",
				PayPalEmail: "anna.pp@example.com", IBAN: "AT61 1904 3002 3457 3201",
				Currency: "EUR", Amount: dec("0.10"), Note: "Pactum payout 12 for Nov 2026"},
			{PayoutID: 13, PartnerID: 4, PartnerName: "Bob & <Co>", Email: "bob@example.com",
				PayPalEmail: "bob@example.com", IBAN: "nl91abna0417164300", BIC: "abnanl2a",
				Currency: "EUR", Amount: dec("0.20"), Note: "Pactum payout 13 for Nov 2026"},
			{PayoutID: 14, PartnerID: 5, PartnerName: "Chloé Dubois", Email: "chloe@example.com",
				PayPalEmail: "chloe@example.com", IBAN: "FR1420041010050500013M02606",
				Currency: "EUR", Amount: dec("1234.56")},
		},
	}
}

// wantFieldError fails unless err is a failed_precondition *pactum.Error about field whose
// message holds every one of parts.
func wantFieldError(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one about %s", field)
	}
	if code := pactum.ErrorCode(err); code != pactum.EPRECONDITION {
		t.Fatalf("error %v has code %q, want %q", err, code, pactum.EPRECONDITION)
	}
	if got := pactum.ErrorField(err); got != field {
		t.Fatalf("error %v names field %q, want %q", err, got, field)
	}
	for _, p := range parts {
		if !strings.Contains(pactum.ErrorMessage(err), p) {
			t.Fatalf("error message %q lacks %q", pactum.ErrorMessage(err), p)
		}
	}
}

// writers lists the three exports, for the rules they share.
var writers = map[string]func(io.Writer, Batch) error{"csv": CSV, "paypal": PayPal, "sepa": SEPA}

func TestSharedLineRules(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Batch)
		field  string
		parts  []string
	}{
		{"unknown currency", func(b *Batch) { b.Lines[1].Currency = "XXX" }, "payouts[1].currency", []string{`partner 4 "Bob & <Co>"`, "XXX"}},
		{"zero amount", func(b *Batch) { b.Lines[0].Amount = decimal.Zero }, "payouts[0].amount", []string{"partner 3"}},
		{"negative amount", func(b *Batch) { b.Lines[2].Amount = dec("-5.00") }, "payouts[2].amount", []string{"partner 5"}},
		{"sub-cent amount", func(b *Batch) { b.Lines[2].Amount = dec("10.005") }, "payouts[2].amount", []string{"10.005", "EUR"}},
		{"duplicate payout", func(b *Batch) { b.Lines[2].PayoutID = 12 }, "payouts[2].payout_id", []string{"twice", "payouts[0]"}},
		{"no payout id", func(b *Batch) { b.Lines[1].PayoutID = 0 }, "payouts[1].payout_id", []string{"partner 4"}},
	}
	for _, tt := range tests {
		for name, write := range writers {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				b := euroBatch()
				tt.change(&b)
				var buf bytes.Buffer
				wantFieldError(t, write(&buf, b), tt.field, tt.parts...)
				if buf.Len() != 0 {
					t.Fatalf("wrote %d bytes despite the error", buf.Len())
				}
			})
		}
	}
}

func TestTrailingZerosNeedNoRounding(t *testing.T) {
	b := euroBatch()
	b.Lines[0].Amount = dec("0.1000") // as a decimal column may return it
	for name, write := range writers {
		var buf bytes.Buffer
		if err := write(&buf, b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func TestSplitByCurrency(t *testing.T) {
	b := euroBatch()
	b.Lines = append(b.Lines,
		Line{PayoutID: 20, PartnerID: 9, Currency: "USD", Amount: dec("5.00")},
		Line{PayoutID: 21, PartnerID: 10, Currency: "JPY", Amount: dec("700")},
		Line{PayoutID: 22, PartnerID: 11, Currency: "USD", Amount: dec("6.00")},
	)
	parts := SplitByCurrency(b)
	var got []string
	for _, p := range parts {
		var ids []string
		for _, l := range p.Lines {
			ids = append(ids, l.Currency+":"+decimal.NewFromInt(l.PayoutID).String())
		}
		got = append(got, strings.Join(ids, ","))
		if p.RunID != b.RunID || !p.Date.Equal(b.Date) || p.Debtor != b.Debtor {
			t.Fatalf("part %v lost the batch's header", p)
		}
	}
	want := []string{"EUR:12,EUR:13,EUR:14", "JPY:21", "USD:20,USD:22"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("SplitByCurrency = %v, want %v", got, want)
	}
	if len(SplitByCurrency(Batch{})) != 0 {
		t.Fatal("an empty batch split into parts")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

var errDiskFull = errors.New("disk full")

// TestWriteErrorIsReturned: a failed write is the caller's internal error, not the user's.
func TestWriteErrorIsReturned(t *testing.T) {
	for name, write := range writers {
		err := write(failingWriter{}, euroBatch())
		if !errors.Is(err, errDiskFull) || pactum.ErrorCode(err) != pactum.EINTERNAL {
			t.Errorf("%s to a failing writer = %v, want the write's error", name, err)
		}
	}
}
