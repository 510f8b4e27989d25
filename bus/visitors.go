package bus

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// VisitorBucketConfig configures the memory of recent visitors that the edges of a deployment
// share.
type VisitorBucketConfig struct {
	// Conn is the connection to use; it stays the caller's to close.
	Conn *nats.Conn
	// Bucket is the key-value bucket's name.
	Bucket string
	// Window is how long a visitor's first click keeps later ones from being unique: the
	// bucket's keys expire that long after they were made.
	Window time.Duration
	// Secret keys the hash that names a visitor: without it, a reader of the bucket could test
	// whether a given IP address and user agent clicked a given offer.
	Secret []byte
	// Replicas is the bucket's replica count (default 1).
	Replicas int
}

// VisitorBucket remembers, in a JetStream key-value bucket, which visitor (IP address and user
// agent) clicked which offer through which partner in the last Window, so that a visitor whom
// the load balancer sends to several edges is unique once, not once per edge. Each key is made
// with a create-if-absent, which JetStream orders: of two edges that see a visitor at once,
// exactly one makes it.
type VisitorBucket struct {
	kv     jetstream.KeyValue
	secret []byte
}

// OpenVisitorBucket creates the bucket, or updates it to cfg.
func OpenVisitorBucket(ctx context.Context, cfg VisitorBucketConfig) (*VisitorBucket, error) {
	switch {
	case cfg.Conn == nil:
		return nil, errors.New("open visitor bucket: no NATS connection")
	case cfg.Window <= 0:
		return nil, errors.New("open visitor bucket: the window must be positive")
	case len(cfg.Secret) < 16:
		return nil, errors.New("open visitor bucket: the secret must be at least 16 bytes")
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("open visitor bucket: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      cfg.Bucket,
		Description: "Pactum: recent visitors, for the unique-click flag",
		History:     1,
		TTL:         cfg.Window,
		Storage:     jetstream.FileStorage,
		Replicas:    max(cfg.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("create or update key-value bucket %s: %w", cfg.Bucket, err)
	}
	return &VisitorBucket{kv: kv, secret: append([]byte(nil), cfg.Secret...)}, nil
}

// First records the visitor's click on the offer through the partner and reports whether it is
// the first within the window on any edge.
func (b *VisitorBucket) First(ctx context.Context, ip, userAgent string, offerID, partnerID int64) (bool, error) {
	_, err := b.kv.Create(ctx, b.key(ip, userAgent, offerID, partnerID), nil)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyExists):
		return false, nil
	}
	return false, fmt.Errorf("visitor bucket: %w", err)
}

// Forget undoes First for a click that was not recorded, so that its retry is unique.
func (b *VisitorBucket) Forget(ctx context.Context, ip, userAgent string, offerID, partnerID int64) error {
	if err := b.kv.Delete(ctx, b.key(ip, userAgent, offerID, partnerID)); err != nil {
		return fmt.Errorf("visitor bucket: %w", err)
	}
	return nil
}

// key names a visitor on an offer through a partner: 16 bytes of an HMAC, in base64url, which
// key-value keys allow.
func (b *VisitorBucket) key(ip, userAgent string, offerID, partnerID int64) string {
	m := hmac.New(sha256.New, b.secret)
	var ids [16]byte
	binary.BigEndian.PutUint64(ids[:8], uint64(offerID))
	binary.BigEndian.PutUint64(ids[8:], uint64(partnerID))
	m.Write(ids[:])
	// The lengths keep ("a", "bc") and ("ab", "c") apart.
	m.Write(binary.AppendUvarint(nil, uint64(len(ip))))
	m.Write([]byte(ip))
	m.Write([]byte(userAgent))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:16])
}
