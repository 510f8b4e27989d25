package export

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// Length limits of the schema's Max70Text and Max140Text. Pactum's own references
// (PACTUM-RUN-<id>, PACTUM-P<id>) stay within Max35Text for any int64 id.
const (
	maxName  = 70
	maxUstrd = 140
)

// sepaMaxAmount is the largest amount the SEPA credit transfer scheme carries in one transfer.
var sepaMaxAmount = decimal.RequireFromString("999999999.99")

// The structs below follow the element order of the pain.001.001.03 schema, which the schema
// enforces; only the elements Pactum fills are declared. The Document element carries the
// schema's namespace, which banks check to know the message and its version.
type painDocument struct {
	XMLName xml.Name       `xml:"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03 Document"`
	Initn   painInitiation `xml:"CstmrCdtTrfInitn"`
}

type painInitiation struct {
	GrpHdr painGroupHeader `xml:"GrpHdr"`
	PmtInf painPaymentInfo `xml:"PmtInf"`
}

type painGroupHeader struct {
	MsgID    string    `xml:"MsgId"`
	CreDtTm  string    `xml:"CreDtTm"`
	NbOfTxs  string    `xml:"NbOfTxs"`
	CtrlSum  string    `xml:"CtrlSum"`
	InitgPty painParty `xml:"InitgPty"`
}

type painPaymentInfo struct {
	PmtInfID    string            `xml:"PmtInfId"`
	PmtMtd      string            `xml:"PmtMtd"`
	BtchBookg   bool              `xml:"BtchBookg"`
	NbOfTxs     string            `xml:"NbOfTxs"`
	CtrlSum     string            `xml:"CtrlSum"`
	SvcLvl      string            `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string            `xml:"ReqdExctnDt"`
	Dbtr        painParty         `xml:"Dbtr"`
	DbtrIBAN    string            `xml:"DbtrAcct>Id>IBAN"`
	DbtrAgt     painAgent         `xml:"DbtrAgt"`
	ChrgBr      string            `xml:"ChrgBr"`
	Txs         []painTransaction `xml:"CdtTrfTxInf"`
}

type painParty struct {
	Nm string `xml:"Nm"`
}

type painAgent struct {
	FinInstnID painInstitution `xml:"FinInstnId"`
}

// painInstitution names a bank by BIC, or by Othr/Id "NOTPROVIDED" when the debtor gave none:
// SEPA lets the bank derive it from the IBAN, and the schema needs something inside FinInstnId.
// Optional parents are pointers: a path tag ("Othr>Id,omitempty") would still write an empty
// <Othr/>, which the schema rejects.
type painInstitution struct {
	BIC  string     `xml:"BIC,omitempty"`
	Othr *painOther `xml:"Othr,omitempty"`
}

type painOther struct {
	ID string `xml:"Id"`
}

type painRemittance struct {
	Ustrd string `xml:"Ustrd"`
}

type painTransaction struct {
	EndToEndID string          `xml:"PmtId>EndToEndId"`
	InstdAmt   painAmount      `xml:"Amt>InstdAmt"`
	CdtrAgt    *painAgent      `xml:"CdtrAgt,omitempty"`
	Cdtr       painParty       `xml:"Cdtr"`
	CdtrIBAN   string          `xml:"CdtrAcct>Id>IBAN"`
	RmtInf     *painRemittance `xml:"RmtInf,omitempty"`
}

type painAmount struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

// SEPA writes b as one SEPA credit transfer message (ISO 20022 pain.001.001.03) with one
// payment information block: the debtor's account pays every line, as one batch booking, on
// b.Date. References are PACTUM-RUN-<run id> for the message, which banks refuse to take twice
// and so stops a run being paid twice, and PACTUM-P<payout id> for each transfer's EndToEndId,
// which the partner's bank passes on to them.
//
// SEPA pays euros only: a line in another currency is an error (see SplitByCurrency), as is a
// missing or invalid IBAN or BIC, of a partner or of the debtor. Names and remittance texts are
// put into the SEPA Latin character set and cut to the schema's lengths (names 70, remittance
// 140); a name left with no letters at all is an error rather than a guess.
func SEPA(w io.Writer, b Batch) error {
	doc, err := buildPain(b)
	if err != nil {
		return err
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.Write(out)
	buf.WriteByte('\n')
	return writeAll(w, buf.Bytes())
}

func buildPain(b Batch) (*painDocument, error) {
	if b.RunID <= 0 {
		return nil, pactum.PreconditionError("run_id", "a SEPA file needs the run's id")
	}
	if b.Date.IsZero() {
		return nil, pactum.PreconditionError("date", "run %d has no execution date", b.RunID)
	}
	if b.CreatedAt.IsZero() {
		return nil, pactum.PreconditionError("created_at", "run %d has no creation time", b.RunID)
	}
	if len(b.Lines) == 0 {
		return nil, pactum.PreconditionError("payouts", "run %d has no payouts to send by SEPA", b.RunID)
	}
	debtorName := sepaText(b.Debtor.Name, maxName)
	if !hasLetterOrDigit(debtorName) {
		return nil, pactum.PreconditionError("debtor.name", "the paying program needs a name in Latin letters for SEPA")
	}
	debtorIBAN := compact(b.Debtor.IBAN)
	if debtorIBAN == "" {
		return nil, pactum.PreconditionError("debtor.iban", "the paying program %q has no IBAN", debtorName)
	}
	if err := checkIBAN(debtorIBAN); err != nil {
		return nil, pactum.PreconditionError("debtor.iban", "the paying program %q has an IBAN that %v", debtorName, err)
	}
	debtorAgent := painAgent{FinInstnID: painInstitution{Othr: &painOther{ID: "NOTPROVIDED"}}}
	if bic := compact(b.Debtor.BIC); bic != "" {
		if err := checkBIC(bic); err != nil {
			return nil, pactum.PreconditionError("debtor.bic", "the paying program %q has a BIC that %v", debtorName, err)
		}
		debtorAgent = painAgent{FinInstnID: painInstitution{BIC: bic}}
	}
	if err := checkLines(b.Lines); err != nil {
		return nil, err
	}

	txs := make([]painTransaction, 0, len(b.Lines))
	sum := decimal.Zero
	for i, l := range b.Lines {
		if l.Currency != "EUR" {
			return nil, pactum.PreconditionError(lineField(i, "currency"), "%s is paid in %s; SEPA credit transfers are in EUR only", who(l), l.Currency)
		}
		if l.Amount.GreaterThan(sepaMaxAmount) {
			return nil, pactum.PreconditionError(lineField(i, "amount"), "%s has amount %s, above the SEPA limit of %s per transfer",
				who(l), pactum.FormatAmount(l.Amount, "EUR"), sepaMaxAmount.StringFixed(2))
		}
		iban := compact(l.IBAN)
		if iban == "" {
			return nil, pactum.PreconditionError(lineField(i, "iban"), "%s has no IBAN", who(l))
		}
		if err := checkIBAN(iban); err != nil {
			return nil, pactum.PreconditionError(lineField(i, "iban"), "%s has an IBAN that %v", who(l), err)
		}
		var agent *painAgent
		if bic := compact(l.BIC); bic != "" {
			if err := checkBIC(bic); err != nil {
				return nil, pactum.PreconditionError(lineField(i, "bic"), "%s has a BIC that %v", who(l), err)
			}
			agent = &painAgent{FinInstnID: painInstitution{BIC: bic}}
		}
		name := sepaText(l.PartnerName, maxName)
		if !hasLetterOrDigit(name) {
			return nil, pactum.PreconditionError(lineField(i, "partner_name"),
				"%s needs a name in Latin letters as the account holder for SEPA", who(l))
		}
		var rmt *painRemittance
		if note := sepaText(l.Note, maxUstrd); note != "" {
			rmt = &painRemittance{Ustrd: note}
		}
		txs = append(txs, painTransaction{
			EndToEndID: "PACTUM-P" + strconv.FormatInt(l.PayoutID, 10),
			InstdAmt:   painAmount{Ccy: "EUR", Value: pactum.FormatAmount(l.Amount, "EUR")},
			CdtrAgt:    agent,
			Cdtr:       painParty{Nm: name},
			CdtrIBAN:   iban,
			RmtInf:     rmt,
		})
		sum = sum.Add(l.Amount)
	}

	count := strconv.Itoa(len(txs))
	ctrlSum := sum.StringFixed(2)
	msgID := "PACTUM-RUN-" + strconv.FormatInt(b.RunID, 10)
	return &painDocument{Initn: painInitiation{
		GrpHdr: painGroupHeader{
			MsgID: msgID,
			// UTC with its "Z": a bank reading local time without an offset could shift it.
			CreDtTm:  b.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
			NbOfTxs:  count,
			CtrlSum:  ctrlSum,
			InitgPty: painParty{Nm: debtorName},
		},
		PmtInf: painPaymentInfo{
			PmtInfID:    msgID + "-1",
			PmtMtd:      "TRF",
			BtchBookg:   true,
			NbOfTxs:     count,
			CtrlSum:     ctrlSum,
			SvcLvl:      "SEPA",
			ReqdExctnDt: b.Date.Format("2006-01-02"),
			Dbtr:        painParty{Nm: debtorName},
			DbtrIBAN:    debtorIBAN,
			DbtrAgt:     debtorAgent,
			ChrgBr:      "SLEV",
			Txs:         txs,
		},
	}}, nil
}

// hasLetterOrDigit tells a name that survived transliteration from one that became only dots
// (a name in Cyrillic or Chinese, say): paying ".." would fail the payee's bank's name check.
func hasLetterOrDigit(s string) bool {
	return strings.ContainsFunc(s, func(c rune) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	})
}
