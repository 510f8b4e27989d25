package conversion

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

var errTruncated = errors.New("record is truncated")

func (r *record) encode() ([]byte, error) {
	r.Version = recordVersion
	b := make([]byte, 0, 256+96*len(r.Items))
	b = append(b, byte(recordVersion))
	b = binary.AppendUvarint(b, r.Request)
	b = binary.AppendVarint(b, r.OfferID)
	b = appendString(b, r.Event)
	b = appendString(b, r.ClickID)
	b = binary.AppendVarint(b, r.ClickPartnerID)
	b = appendTime(b, r.ClickTime)
	b = appendString(b, r.OrderID)
	b = appendString(b, r.Currency)
	b = appendString(b, r.Amount.String())
	b = binary.AppendUvarint(b, uint64(len(r.Items)))
	for _, it := range r.Items {
		b = appendString(b, it.SKU)
		b = appendString(b, it.Category)
		b = binary.AppendVarint(b, it.Quantity)
		b = appendString(b, it.UnitPrice.String())
		b = appendString(b, it.Discount.String())
		b = binary.AppendVarint(b, it.RefundedQuantity)
	}
	b = appendString(b, r.Coupon)
	b = appendString(b, r.CustomerID)
	if r.NewCustomer {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, r.Country)
	b = appendString(b, r.Status)
	b = binary.AppendVarint(b, r.AdvertiserID)
	b = appendString(b, r.Source)
	b = appendTime(b, r.Time)
	b = appendString(b, r.ReplyTo)
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime writes a time as Unix nanoseconds, the zero time as 0.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

// recordReader reads what encode wrote, remembering the first error.
type recordReader struct {
	b   []byte
	err error
}

func (d *recordReader) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordReader) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordReader) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errTruncated
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *recordReader) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = errTruncated
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *recordReader) decimal() decimal.Decimal {
	s := d.string()
	if d.err != nil {
		return decimal.Zero
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		d.err = err
	}
	return v
}

func (d *recordReader) time() time.Time {
	n := d.varint()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func unmarshalRecord(data []byte) (record, error) {
	d := &recordReader{b: data}
	r := record{Version: int(d.byte())}
	if d.err == nil && r.Version != recordVersion && r.Version != recordVersionNoReply {
		return record{Version: r.Version}, nil // decodeRecord reports the version
	}
	r.Request = d.uvarint()
	r.OfferID = d.varint()
	r.Event = d.string()
	r.ClickID = d.string()
	r.ClickPartnerID = d.varint()
	r.ClickTime = d.time()
	r.OrderID = d.string()
	r.Currency = d.string()
	r.Amount = d.decimal()
	n := d.uvarint()
	// Each item takes at least six bytes, so a count beyond that is a damaged record, not an
	// allocation to make.
	if d.err == nil && n > uint64(len(d.b))/6 {
		d.err = errTruncated
	}
	if d.err == nil && n > 0 {
		r.Items = make([]pactum.LineItem, n)
		for i := range r.Items {
			it := &r.Items[i]
			it.SKU = d.string()
			it.Category = d.string()
			it.Quantity = d.varint()
			it.UnitPrice = d.decimal()
			it.Discount = d.decimal()
			it.RefundedQuantity = d.varint()
		}
	}
	r.Coupon = d.string()
	r.CustomerID = d.string()
	r.NewCustomer = d.byte() == 1
	r.Country = d.string()
	r.Status = d.string()
	r.AdvertiserID = d.varint()
	r.Source = d.string()
	r.Time = d.time()
	if r.Version >= recordVersion {
		r.ReplyTo = d.string()
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("record has trailing bytes")
	}
	return r, d.err
}
