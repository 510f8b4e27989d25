// Package clickid issues and verifies click ids: short, URL-safe tokens that carry the offer,
// the partner and the click time, signed so that a conversion naming an id Pactum did not issue
// is rejected, and so that attribution can start before the click has reached storage.
//
// An id is 24 bytes written in base64url without padding, so always 32 characters:
//
//	uvarint offer id | uvarint partner id | uvarint seconds since 2025-01-01 UTC | 4-byte counter | MAC
//
// where MAC is HMAC-SHA256(key, everything before it) cut to the bytes left, at least 8.
// Varints keep the numbers of a young program small, which leaves more of the id to the MAC;
// the counter makes two clicks of one second differ. The three varints may take at most 12
// bytes together: that always holds for offer and partner ids below 2^21 (2,097,152) until the
// year 3000, and for larger ids when the other one is small.
package clickid

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pactum/pactum"
)

const (
	idLen      = 32 // characters of an id
	rawLen     = 24 // bytes of an id before base64url: idLen * 6 / 8
	counterLen = 4
	minMACLen  = 8
	// maxVarints is the room the three varints share.
	maxVarints = rawLen - minMACLen - counterLen
	// epoch is 2025-01-01T00:00:00Z: counting from it keeps the time varint at 4 bytes until 2033.
	epoch = 1735689600
	// maxSeconds bounds the time read back from an id so that adding the epoch cannot overflow.
	maxSeconds = 1 << 40
)

// minKeyLen is the shortest signing key accepted: shorter keys make forgery by brute force cheap.
const minKeyLen = 16

// Signer issues and verifies click ids with one key. It is safe for concurrent use.
type Signer struct {
	// counter starts at a random value so that two processes sharing a key are unlikely to issue
	// the same id for the same offer, partner and second.
	counter atomic.Uint32
	// pool keeps a keyed HMAC and scratch buffers per goroutine: keying an HMAC costs two SHA-256
	// blocks and a few allocations, too much for every click.
	pool sync.Pool
}

// scratch is the per-call state of New and Parse, pooled so that New allocates only its result.
type scratch struct {
	mac hash.Hash
	sum [sha256.Size]byte
	raw [rawLen]byte
	txt [idLen]byte
}

// Info is what a click id carries.
type Info struct {
	OfferID   int64
	PartnerID int64
	// Time is the click time, to the second, in UTC.
	Time time.Time
}

// NewSigner returns a Signer that signs with key, which must be at least 16 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < minKeyLen {
		return nil, pactum.Errorf(pactum.EINVALID, "click id key must be at least %d bytes, got %d", minKeyLen, len(key))
	}
	key = append([]byte(nil), key...)
	s := &Signer{}
	s.pool.New = func() any { return &scratch{mac: hmac.New(sha256.New, key)} }
	var seed [4]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, err
	}
	s.counter.Store(binary.BigEndian.Uint32(seed[:]))
	return s, nil
}

// New returns a fresh click id for a click on offerID through partnerID at t.
func (s *Signer) New(offerID, partnerID int64, t time.Time) (string, error) {
	if offerID <= 0 {
		return "", pactum.FieldError("offer_id", "must be a positive id, not %d", offerID)
	}
	if partnerID <= 0 {
		return "", pactum.FieldError("partner_id", "must be a positive id, not %d", partnerID)
	}
	sec := t.Unix() - epoch
	if sec < 0 || sec >= maxSeconds {
		return "", pactum.Errorf(pactum.EINVALID, "click time %s is outside the range of click ids", t.UTC().Format(time.RFC3339))
	}
	if uvarintLen(uint64(offerID))+uvarintLen(uint64(partnerID))+uvarintLen(uint64(sec)) > maxVarints {
		return "", pactum.Errorf(pactum.EINVALID, "offer id %d and partner id %d are too large for a click id", offerID, partnerID)
	}
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	return string(s.encode(sc, uint64(offerID), uint64(partnerID), uint64(sec), s.counter.Add(1))), nil
}

// encode lays out and signs an id in sc and returns its text, which aliases sc. The numbers must
// fit (see the package comment).
func (s *Signer) encode(sc *scratch, offer, partner, sec uint64, counter uint32) []byte {
	n := binary.PutUvarint(sc.raw[:], offer)
	n += binary.PutUvarint(sc.raw[n:], partner)
	n += binary.PutUvarint(sc.raw[n:], sec)
	binary.BigEndian.PutUint32(sc.raw[n:], counter)
	n += counterLen
	copy(sc.raw[n:], sign(sc, sc.raw[:n]))
	base64.RawURLEncoding.Encode(sc.txt[:], sc.raw[:])
	return sc.txt[:]
}

// Parse verifies id and returns what it carries. Any error is an *pactum.Error with code
// EINVALID about the field "click_id".
func (s *Signer) Parse(id string) (Info, error) {
	info, _, err := s.parse(id)
	return info, err
}

// parse is Parse that also returns the counter, so that tests can rebuild the id.
func (s *Signer) parse(id string) (Info, uint32, error) {
	if len(id) != idLen {
		return Info{}, 0, pactum.FieldError("click_id", "must be %d URL-safe characters", idLen)
	}
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	n := copy(sc.txt[:], id)
	// Decode skips line breaks, so a short result means the text was not plain base64url.
	if m, err := base64.RawURLEncoding.Strict().Decode(sc.raw[:], sc.txt[:n]); err != nil || m != rawLen {
		return Info{}, 0, pactum.FieldError("click_id", "must be %d URL-safe characters", idLen)
	}
	var nums [3]uint64
	p := 0
	for i := range nums {
		v, k := binary.Uvarint(sc.raw[p:maxVarints])
		// A non-minimal varint would give one click several ids.
		if k <= 0 || k != uvarintLen(v) {
			return Info{}, 0, forged()
		}
		nums[i] = v
		p += k
	}
	counter := binary.BigEndian.Uint32(sc.raw[p:])
	p += counterLen
	if !hmac.Equal(sign(sc, sc.raw[:p])[:rawLen-p], sc.raw[p:]) {
		return Info{}, 0, forged()
	}
	offer, partner, sec := nums[0], nums[1], nums[2]
	if offer == 0 || offer > math.MaxInt64 || partner == 0 || partner > math.MaxInt64 || sec >= maxSeconds {
		return Info{}, 0, forged()
	}
	return Info{
		OfferID:   int64(offer),
		PartnerID: int64(partner),
		Time:      time.Unix(epoch+int64(sec), 0).UTC(),
	}, counter, nil
}

// forged is the error for an id that is well formed text but was not issued with this key, or
// was altered. It says no more, so as to help no one forge one.
func forged() error {
	return pactum.FieldError("click_id", "is not a click id issued by this server")
}

// sign returns the HMAC of payload, in sc.sum.
func sign(sc *scratch, payload []byte) []byte {
	sc.mac.Reset()
	sc.mac.Write(payload)
	return sc.mac.Sum(sc.sum[:0])
}

// uvarintLen is the length of v as written by binary.PutUvarint.
func uvarintLen(v uint64) int {
	return max(1, (bits.Len64(v)+6)/7)
}
