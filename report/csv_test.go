package report

import (
	"slices"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// TestCSV: a header row, empty cells for null, text of dimensions defused against formulas,
// and metric values (a loss too) written as the numbers they are.
func TestCSV(t *testing.T) {
	res := &Result{
		Columns: []string{"sub1", "partner_id", "partner", "clicks", "profit", "cr"},
		Rows: [][]any{
			{"=HYPERLINK(\"x\")", int64(3), "-Anna", int64(12), "-5.00", nil},
			{"ig", nil, "(none)", int64(0), "7.10", "1.50"},
		},
		Totals: []any{int64(12), "2.10", "1.50"},
	}
	f, err := CSV(res)
	if err != nil {
		t.Fatal(err)
	}
	want := "sub1,partner_id,partner,clicks,profit,cr\n" +
		"\"'=HYPERLINK(\"\"x\"\")\",3,'-Anna,12,-5.00,\n" +
		"ig,,(none),0,7.10,1.50\n"
	if string(f.Body) != want || f.ContentType != "text/csv; charset=utf-8" || f.Filename != "pactum-report.csv" {
		t.Fatalf("CSV %s %s:\n%s", f.ContentType, f.Filename, f.Body)
	}
	for name, want := range map[string]string{"clicks": "count", "sales": "money", "cr": "percent", "roas": "ratio", "avg_ctct": "seconds", "nope": ""} {
		if got := Kind(name); got != want {
			t.Errorf("Kind(%s) = %q, want %q", name, got, want)
		}
	}
	partner := program.Caller{Role: pactum.RolePartner, PartnerID: 1}
	if m := MetricsOf(partner); slices.Contains(m, "revenue") || slices.Contains(m, "profit") || slices.Contains(m, "margin") || !slices.Contains(m, "payout") {
		t.Errorf("a partner's metrics: %v", m)
	}
	if m := MetricsOf(program.Admin); !slices.Equal(m, Metrics()) {
		t.Errorf("an admin's metrics: %v", m)
	}
}
