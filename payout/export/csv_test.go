package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(utf8BOM)) {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", data[:min(len(data), 10)])
	}
	rows, err := csv.NewReader(bytes.NewReader(data[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v\n%s", err, data)
	}
	return rows
}

func TestCSVParsesBackExactly(t *testing.T) {
	b := euroBatch()
	b.Lines = append(b.Lines,
		Line{PayoutID: 15, PartnerID: 6, PartnerName: "山田 太郎, \"Taro\"", Email: "taro@example.jp",
			Currency: "JPY", Amount: dec("1500"), Note: "two\nlines"},
		Line{PayoutID: 16, PartnerID: 7, PartnerName: "Kuwait Co", Currency: "KWD", Amount: dec("12.5")},
	)
	var buf bytes.Buffer
	if err := CSV(&buf, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		t.Fatal("rows do not end in CRLF as RFC 4180 has them")
	}
	rows := readCSV(t, buf.Bytes())
	want := [][]string{
		{"payout_id", "partner_id", "partner_name", "email", "currency", "amount", "paypal_email", "iban", "bic", "note"},
		{"12", "3", "Anna Müller", "anna@example.com", "EUR", "0.10", "anna.pp@example.com", "AT611904300234573201", "", "Pactum payout 12 for Nov 2026"},
		{"13", "4", "Bob & <Co>", "bob@example.com", "EUR", "0.20", "bob@example.com", "NL91ABNA0417164300", "ABNANL2A", "Pactum payout 13 for Nov 2026"},
		{"14", "5", "Chloé Dubois", "chloe@example.com", "EUR", "1234.56", "chloe@example.com", "FR1420041010050500013M02606", "", ""},
		{"15", "6", "山田 太郎, \"Taro\"", "taro@example.jp", "JPY", "1500", "", "", "", "two\nlines"},
		{"16", "7", "Kuwait Co", "", "KWD", "12.500", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(rows), len(want), buf.String())
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q\nwant      %q", i, rows[i], want[i])
		}
	}
}

func TestCSVEmptyRunIsHeaderOnly(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, Batch{RunID: 1}); err != nil {
		t.Fatal(err)
	}
	if rows := readCSV(t, buf.Bytes()); len(rows) != 1 {
		t.Fatalf("got %d rows, want the header alone", len(rows))
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	b := euroBatch()
	b.Lines[0].PartnerName = `=HYPERLINK("http://evil.example","x")`
	b.Lines[1].Note = "+1 bonus"
	b.Lines[2].Email = "@attacker"
	var buf bytes.Buffer
	if err := CSV(&buf, b); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	for _, cell := range []string{rows[1][2], rows[2][9], rows[3][3]} {
		if !strings.HasPrefix(cell, "'") {
			t.Errorf("cell %q would run as a formula", cell)
		}
	}
	if rows[1][5] != "0.10" {
		t.Errorf("amount cell %q was altered", rows[1][5])
	}
}
