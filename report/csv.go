package report

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// CSV writes a report's rows as a file a spreadsheet opens (RFC 4180): a header row of its
// columns, empty cells for null, and text defused against formulas. Metric cells are the
// service's own numbers and are written as they are, so that a loss (-5.00) stays a number;
// dimension cells hold text from partners and visitors (sub ids, names) and are defused. The
// API's format=csv and the web UI's download both answer this.
func CSV(res *Result) (program.Export, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(res.Columns)
	dims := len(res.Columns) - len(res.Totals)
	for _, row := range res.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case nil:
			case string:
				if i < dims {
					v = pactum.SpreadsheetText(v)
				}
				cells[i] = v
			case int64:
				cells[i] = strconv.FormatInt(v, 10)
			}
		}
		_ = cw.Write(cells)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return program.Export{}, err
	}
	return program.Export{ContentType: "text/csv; charset=utf-8", Filename: "pactum-report.csv", Body: b.Bytes()}, nil
}
