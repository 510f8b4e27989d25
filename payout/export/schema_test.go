package export

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The SEPA files are checked against the official ISO 20022 schema with xmllint. Neither is in
// the repository: .ci/run installs them (see its "SEPA schema check tools" step), and these
// tests fail rather than skip without them, so that a machine lacking them cannot pass CI by
// checking nothing.
const schemaHowTo = `to get them, as .ci/run does:
  apt-get update && apt-get install -y libxml2-utils
  d=$(mktemp -d) && (cd "$d" && apt-get download tryton-modules-account-payment-sepa=6.0.4-2) &&
  dpkg-deb -x "$d"/*.deb "$d/x" && mkdir -p .cache/iso20022 &&
  cp "$d"/x/usr/lib/python3/dist-packages/trytond/modules/account_payment_sepa/tests/pain.001.001.03.xsd .cache/iso20022/
(from the repository root), or set PACTUM_PAIN001_XSD to a copy of the official pain.001.001.03.xsd`

// pain001Schema returns the path of the official pain.001.001.03 schema: $PACTUM_PAIN001_XSD,
// else .cache/iso20022/pain.001.001.03.xsd at the module root.
func pain001Schema(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PACTUM_PAIN001_XSD")
	if path == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatalf("no go.mod above the test's directory; set PACTUM_PAIN001_XSD\n%s", schemaHowTo)
			}
			dir = parent
		}
		path = filepath.Join(dir, ".cache", "iso20022", "pain.001.001.03.xsd")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the pain.001.001.03 schema is missing: %v\n%s", err, schemaHowTo)
	}
	if !bytes.Contains(data, []byte(`targetNamespace="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"`)) {
		t.Fatalf("%s is not the ISO 20022 pain.001.001.03 schema\n%s", path, schemaHowTo)
	}
	return path
}

// validatePain checks doc against the schema with xmllint, returning its complaint if any.
func validatePain(t *testing.T, doc []byte) error {
	t.Helper()
	schema := pain001Schema(t)
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is missing: %v\n%s", err, schemaHowTo)
	}
	cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, "-")
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running xmllint: %v", err)
		}
		return fmt.Errorf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "validates") {
		t.Fatalf("xmllint said neither valid nor invalid: %s", out)
	}
	return nil
}

func TestSEPAValidatesAgainstSchema(t *testing.T) {
	long := strings.Repeat("Ünïcödé & <Co> ", 30)
	cases := map[string]func(*Batch){
		"typical run":         func(*Batch) {},
		"debtor without BIC":  func(b *Batch) { b.Debtor.BIC = "" },
		"eight-letter BICs":   func(b *Batch) { b.Debtor.BIC = "COBADEFF"; b.Lines[0].BIC = "GIBAATWW" },
		"one line":            func(b *Batch) { b.Lines = b.Lines[2:] },
		"texts at the limits": func(b *Batch) { b.Debtor.Name = long; b.Lines[0].PartnerName = long; b.Lines[0].Note = long },
		"largest ids": func(b *Batch) {
			b.RunID = 1<<63 - 1
			b.Lines[0].PayoutID = 1<<63 - 1
		},
		"largest amount": func(b *Batch) { b.Lines[0].Amount = dec("999999999.99") },
		"control characters": func(b *Batch) {
			b.Lines[1].PartnerName = "Bob\x00\x1b\u2028 \uFFFE Ltd"
			b.Lines[1].Note = "line\nbreak\ttab"
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			b := euroBatch()
			change(&b)
			doc := writeSEPA(t, b)
			if err := validatePain(t, doc); err != nil {
				t.Fatalf("the SEPA file fails the ISO schema: %v\n%s", err, doc)
			}
		})
	}
}

// TestSchemaCheckRejects makes sure the check can fail: a validator that passes everything
// would make the test above worthless.
func TestSchemaCheckRejects(t *testing.T) {
	good := writeSEPA(t, euroBatch())
	broken := map[string][]byte{
		"MsgId over 35 characters": bytes.Replace(good, []byte("PACTUM-RUN-7<"), []byte(strings.Repeat("X", 36)+"<"), 1),
		"amount with 6 decimals":   bytes.Replace(good, []byte(">0.10<"), []byte(">0.100001<"), 1),
		"no execution date":        bytes.Replace(good, []byte("<ReqdExctnDt>2026-12-01</ReqdExctnDt>"), nil, 1),
		"elements out of order": bytes.Replace(good, []byte("<PmtMtd>TRF</PmtMtd>\n      <BtchBookg>true</BtchBookg>"),
			[]byte("<BtchBookg>true</BtchBookg>\n      <PmtMtd>TRF</PmtMtd>"), 1),
		"wrong namespace": bytes.Replace(good, []byte("pain.001.001.03"), []byte("pain.001.001.09"), 1),
	}
	for name, doc := range broken {
		t.Run(name, func(t *testing.T) {
			if bytes.Equal(doc, good) {
				t.Fatal("the test's edit did not apply")
			}
			if err := validatePain(t, doc); err == nil {
				t.Fatalf("xmllint accepted a broken file:\n%s", doc)
			}
		})
	}
}
