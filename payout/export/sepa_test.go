package export

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

func writeSEPA(t *testing.T, b Batch) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := SEPA(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readPain parses a SEPA file back with the writer's own structs.
func readPain(t *testing.T, data []byte) painDocument {
	t.Helper()
	var doc painDocument
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("SEPA file does not parse back: %v\n%s", err, data)
	}
	return doc
}

func TestSEPAContent(t *testing.T) {
	data := writeSEPA(t, euroBatch())
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">`)) {
		t.Fatalf("file does not open with the declaration and the pain.001.001.03 namespace:\n%s", data[:120])
	}
	doc := readPain(t, data)
	h, p := doc.Initn.GrpHdr, doc.Initn.PmtInf
	checks := []struct{ name, got, want string }{
		{"MsgId", h.MsgID, "PACTUM-RUN-7"},
		{"CreDtTm", h.CreDtTm, "2026-11-30T17:04:05Z"},
		{"GrpHdr NbOfTxs", h.NbOfTxs, "3"},
		{"GrpHdr CtrlSum", h.CtrlSum, "1234.86"},
		{"InitgPty", h.InitgPty.Nm, "Acme Shoes GmbH"},
		{"PmtInfId", p.PmtInfID, "PACTUM-RUN-7-1"},
		{"PmtMtd", p.PmtMtd, "TRF"},
		{"PmtInf NbOfTxs", p.NbOfTxs, "3"},
		{"PmtInf CtrlSum", p.CtrlSum, "1234.86"},
		{"SvcLvl", p.SvcLvl, "SEPA"},
		{"ReqdExctnDt", p.ReqdExctnDt, "2026-12-01"},
		{"DbtrAcct", p.DbtrIBAN, "DE89370400440532013000"},
		{"DbtrAgt", p.DbtrAgt.FinInstnID.BIC, "COBADEFFXXX"},
		{"ChrgBr", p.ChrgBr, "SLEV"},
		{"tx0 EndToEndId", p.Txs[0].EndToEndID, "PACTUM-P12"},
		{"tx0 amount", p.Txs[0].InstdAmt.Value, "0.10"},
		{"tx0 Ccy", p.Txs[0].InstdAmt.Ccy, "EUR"},
		{"tx0 name", p.Txs[0].Cdtr.Nm, "Anna Mueller"},
		{"tx0 IBAN", p.Txs[0].CdtrIBAN, "AT611904300234573201"},
		{"tx0 Ustrd", p.Txs[0].RmtInf.Ustrd, "Pactum payout 12 for Nov 2026"},
		{"tx1 BIC", p.Txs[1].CdtrAgt.FinInstnID.BIC, "ABNANL2A"},
		{"tx1 name", p.Txs[1].Cdtr.Nm, "Bob + .Co."},
		{"tx2 name", p.Txs[2].Cdtr.Nm, "Chloe Dubois"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !p.BtchBookg {
		t.Error("BtchBookg is false")
	}
	if p.Txs[0].CdtrAgt != nil || p.Txs[2].RmtInf != nil {
		t.Error("optional CdtrAgt or RmtInf written without content")
	}
	if bytes.Contains(data, []byte("<Othr>")) || bytes.Contains(data, []byte("<RmtInf></RmtInf>")) {
		t.Errorf("empty optional elements in:\n%s", data)
	}
}

func TestSEPASameRunSameBytes(t *testing.T) {
	if !bytes.Equal(writeSEPA(t, euroBatch()), writeSEPA(t, euroBatch())) {
		t.Fatal("the same run exported twice gave two different files")
	}
}

func TestSEPADebtorWithoutBIC(t *testing.T) {
	b := euroBatch()
	b.Debtor.BIC = ""
	doc := readPain(t, writeSEPA(t, b))
	agt := doc.Initn.PmtInf.DbtrAgt.FinInstnID
	if agt.BIC != "" || agt.Othr == nil || agt.Othr.ID != "NOTPROVIDED" {
		t.Fatalf("DbtrAgt = %+v, want Othr/Id NOTPROVIDED", agt)
	}
}

// TestSEPAControlSumExact sums amounts a float64 would not: a thousand times 0.10 is 100.00,
// and 0.10 + 0.20 is 0.30, not 0.30000000000000004.
func TestSEPAControlSumExact(t *testing.T) {
	b := euroBatch()
	b.Lines = b.Lines[:2]
	if got := readPain(t, writeSEPA(t, b)).Initn.GrpHdr.CtrlSum; got != "0.30" {
		t.Fatalf("CtrlSum of 0.10 + 0.20 = %s", got)
	}
	b.Lines = nil
	for i := range 1000 {
		b.Lines = append(b.Lines, Line{PayoutID: int64(i + 1), PartnerID: 1, PartnerName: "P",
			IBAN: "DE89370400440532013000", Currency: "EUR", Amount: dec("0.10")})
	}
	doc := readPain(t, writeSEPA(t, b))
	if doc.Initn.GrpHdr.CtrlSum != "100.00" || doc.Initn.PmtInf.CtrlSum != "100.00" || doc.Initn.GrpHdr.NbOfTxs != "1000" {
		t.Fatalf("1000 x 0.10: CtrlSum %s/%s, NbOfTxs %s", doc.Initn.GrpHdr.CtrlSum, doc.Initn.PmtInf.CtrlSum, doc.Initn.GrpHdr.NbOfTxs)
	}
}

func TestSEPAErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Batch)
		field  string
		parts  []string
	}{
		{"non-EUR line", func(b *Batch) { b.Lines[1].Currency = "USD" },
			"payouts[1].currency", []string{`partner 4 "Bob & <Co>" (payout 13)`, "USD", "EUR only"}},
		{"bad IBAN checksum", func(b *Batch) { b.Lines[2].IBAN = "FR1420041010050500013M02607" },
			"payouts[2].iban", []string{`partner 5 "Chloé Dubois"`, "check digits"}},
		{"IBAN with a wrong length", func(b *Batch) { b.Lines[0].IBAN = "AT61 1904 3002 3457 320" },
			"payouts[0].iban", []string{"partner 3", "length"}},
		{"missing IBAN", func(b *Batch) { b.Lines[0].IBAN = "  " },
			"payouts[0].iban", []string{`partner 3 "Anna Müller" (payout 12)`, "no IBAN"}},
		{"bad BIC", func(b *Batch) { b.Lines[1].BIC = "ABN-NL2A" },
			"payouts[1].bic", []string{"partner 4", "BIC"}},
		{"name without Latin letters", func(b *Batch) { b.Lines[2].PartnerName = "山田 太郎" },
			"payouts[2].partner_name", []string{`partner 5 "山田 太郎"`, "Latin letters"}},
		{"no name", func(b *Batch) { b.Lines[2].PartnerName = "  \t" },
			"payouts[2].partner_name", []string{"partner 5"}},
		{"above the SEPA limit", func(b *Batch) { b.Lines[2].Amount = dec("1000000000.00") },
			"payouts[2].amount", []string{"partner 5", "999999999.99"}},
		{"debtor IBAN", func(b *Batch) { b.Debtor.IBAN = "DE89370400440532013001" },
			"debtor.iban", []string{"Acme Shoes GmbH", "check digits"}},
		{"no debtor IBAN", func(b *Batch) { b.Debtor.IBAN = "" }, "debtor.iban", []string{"no IBAN"}},
		{"debtor BIC", func(b *Batch) { b.Debtor.BIC = "COBADEFFXX" }, "debtor.bic", []string{"8 or 11"}},
		{"no debtor name", func(b *Batch) { b.Debtor.Name = "" }, "debtor.name", nil},
		{"debtor name without Latin letters", func(b *Batch) { b.Debtor.Name = "Ωμέγα" }, "debtor.name", nil},
		{"no execution date", func(b *Batch) { b.Date = time.Time{} }, "date", []string{"run 7"}},
		{"no creation time", func(b *Batch) { b.CreatedAt = time.Time{} }, "created_at", []string{"run 7"}},
		{"no run id", func(b *Batch) { b.RunID = 0 }, "run_id", nil},
		{"empty run", func(b *Batch) { b.Lines = nil }, "payouts", []string{"run 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := euroBatch()
			tt.change(&b)
			var buf bytes.Buffer
			wantFieldError(t, SEPA(&buf, b), tt.field, tt.parts...)
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestSEPATextsAreCleanedAndCut(t *testing.T) {
	b := euroBatch()
	b.Debtor.Name = "Ärzte & Söhne <Holding> " + strings.Repeat("x", 100)
	b.Lines[0].PartnerName = "Ωmega \"Ltd\" & Straße ÆØÅ <script>alert(1)</script>"
	b.Lines[0].Note = strings.Repeat("Grüße ", 40)
	data := writeSEPA(t, b)
	doc := readPain(t, data)
	tx := doc.Initn.PmtInf.Txs[0]
	if want := "Aerzte + Soehne .Holding. xxx"; !strings.HasPrefix(doc.Initn.GrpHdr.InitgPty.Nm, want) {
		t.Errorf("debtor name %q, want it to start %q", doc.Initn.GrpHdr.InitgPty.Nm, want)
	}
	if n := len(doc.Initn.PmtInf.Dbtr.Nm); n != maxName {
		t.Errorf("debtor name has %d characters, want %d", n, maxName)
	}
	if want := ".mega 'Ltd' + Strasse AEOA .script.alert(1)./script."; tx.Cdtr.Nm != want {
		t.Errorf("partner name %q, want %q", tx.Cdtr.Nm, want)
	}
	if n := len(tx.RmtInf.Ustrd); n > maxUstrd || !strings.HasPrefix(tx.RmtInf.Ustrd, "Gruesse Gruesse") {
		t.Errorf("Ustrd %q (%d characters)", tx.RmtInf.Ustrd, n)
	}
	// Names and notes reach the file already in the SEPA set: no '&' or '<' is left to escape
	// (encoding/xml still writes the apostrophe as &#39;, which is in the set).
	for _, raw := range []string{"&amp;", "&lt;", "<script", "ä", "Ω", "Straße"} {
		if bytes.Contains(data, []byte(raw)) {
			t.Errorf("file holds %q", raw)
		}
	}
}

// FuzzSEPANames feeds partner-typed text into a SEPA file: it either is refused on the name's
// field, or the file parses back with every text in the SEPA set and within its length.
func FuzzSEPANames(f *testing.F) {
	f.Add("Anna Müller", "Pactum payout 12")
	f.Add("Bob & <Co> ]]> --> <!--", "\x00\x1b\uFFFE")
	f.Add("山田 太郎", "")
	f.Fuzz(func(t *testing.T, name, note string) {
		b := euroBatch()
		b.Lines[1].PartnerName, b.Lines[1].Note = name, note
		b.Debtor.Name = name + " Debtor"
		var buf bytes.Buffer
		if err := SEPA(&buf, b); err != nil {
			if field := pactum.ErrorField(err); field != "payouts[1].partner_name" {
				t.Fatalf("name %q: error on %q: %v", name, field, err)
			}
			return
		}
		tx := readPain(t, buf.Bytes()).Initn.PmtInf.Txs[1]
		texts := []string{tx.Cdtr.Nm}
		if tx.RmtInf != nil {
			texts = append(texts, tx.RmtInf.Ustrd)
		}
		for i, s := range texts {
			if limit := []int{maxName, maxUstrd}[i]; len(s) > limit || s == "" {
				t.Fatalf("text %q has length %d (limit %d)", s, len(s), limit)
			}
			for _, c := range s {
				if !sepaLatin(c) {
					t.Fatalf("text %q holds %q", s, c)
				}
			}
		}
	})
}
