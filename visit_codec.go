package pactum

import (
	"encoding/binary"
	"errors"
	"time"
)

// visitCodecVersion leads every encoded visit so that the format can change without breaking
// logs written by an older binary. Version 1 had no Flags and no Invalid; it is still read, so
// that a log written before an upgrade replays.
const (
	visitCodecVersion   = 2
	visitCodecVersionV1 = 1
)

var errShortVisit = errors.New("visit record is truncated")

// AppendBinary appends the compact binary form of v to b: how visits travel through the event
// log. It is on the click hot path, so it allocates nothing beyond b's growth.
func (v *Visit) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, visitCodecVersion)
	b = binary.AppendVarint(b, v.Time.UnixMicro())
	b = binary.AppendVarint(b, v.OfferID)
	b = binary.AppendVarint(b, v.PartnerID)
	b = binary.AppendVarint(b, v.LinkID)
	var flags byte
	if v.Bot {
		flags |= 1
	}
	if v.Unique {
		flags |= 2
	}
	if v.Invalid {
		flags |= 4
	}
	b = append(b, flags)
	for _, s := range v.strings() {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	return b, nil
}

// UnmarshalBinary decodes what AppendBinary wrote.
func (v *Visit) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || (b[0] != visitCodecVersion && b[0] != visitCodecVersionV1) {
		return errors.New("visit record has an unknown version")
	}
	fields := v.strings()
	texts := fields[:]
	if b[0] == visitCodecVersionV1 {
		texts = fields[:len(fields)-1]
	}
	b = b[1:]
	var ints [4]int64
	for i := range ints {
		n, k := binary.Varint(b)
		if k <= 0 {
			return errShortVisit
		}
		ints[i], b = n, b[k:]
	}
	if len(b) == 0 {
		return errShortVisit
	}
	v.Time = time.UnixMicro(ints[0]).UTC()
	v.OfferID, v.PartnerID, v.LinkID = ints[1], ints[2], ints[3]
	v.Bot, v.Unique, v.Invalid = b[0]&1 != 0, b[0]&2 != 0, b[0]&4 != 0
	b = b[1:]
	// One string holds every text field, so that decoding a visit costs one allocation rather
	// than fifteen: the store applier decodes every click.
	all := string(b)
	off := 0
	for _, s := range texts {
		n, k := binary.Uvarint(b[off:])
		if k <= 0 || uint64(len(b)-off-k) < n {
			return errShortVisit
		}
		off += k
		*s = all[off : off+int(n)]
		off += int(n)
	}
	return nil
}

// strings lists the text fields of a visit in their encoded order (version 1: all but the last).
func (v *Visit) strings() [16]*string {
	return [16]*string{&v.ClickID, &v.Sub[0], &v.Sub[1], &v.Sub[2], &v.Sub[3], &v.Sub[4], &v.Source,
		&v.IP, &v.UserAgent, &v.Referer, &v.Device, &v.OS, &v.Browser, &v.Country, &v.Rejected, &v.Flags}
}
