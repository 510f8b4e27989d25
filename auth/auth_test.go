package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// cheap keeps the tests fast; DefaultParams is checked once.
var cheap = Hasher{Params: Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

func TestHashVerify(t *testing.T) {
	h := cheap.Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q does not carry its parameters", h)
	}
	if h2 := cheap.Hash("correct horse battery"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name       string
		hasher     Hasher
		pw         string
		ok, rehash bool
	}{
		{"right", cheap, "correct horse battery", true, false},
		{"wrong", cheap, "correct horse batterY", false, false},
		{"empty", cheap, "", false, false},
		{"right, parameters raised since", Hasher{Params: Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}, "correct horse battery", true, true},
		{"wrong, parameters raised since", Hasher{}, "nope", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := tt.hasher.Verify(h, tt.pw)
			if err != nil || ok != tt.ok || rehash != tt.rehash {
				t.Fatalf("Verify = %v, %v, %v; want %v, %v", ok, rehash, err, tt.ok, tt.rehash)
			}
		})
	}
}

func TestDefaultParams(t *testing.T) {
	h := Hasher{}.Hash("a password of mine")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default hash %q: want OWASP's m=19456,t=2,p=1", h)
	}
	if ok, rehash, err := (Hasher{}).Verify(h, "a password of mine"); !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v", ok, rehash, err)
	}
}

func TestMalformedHash(t *testing.T) {
	good := cheap.Hash("x")
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5], // a corrupt row asking for 95 GiB
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$short",
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4],
	} {
		if _, _, err := cheap.Verify(bad, "x"); err != ErrMalformedHash {
			t.Errorf("Verify(%q) error = %v, want ErrMalformedHash", bad, err)
		}
	}
}

func TestVerifyNothingTakesAVerify(t *testing.T) {
	// Not a timing measurement (too noisy under -race): that it runs a real verification with
	// the hasher's own parameters, once made.
	cheap.VerifyNothing("guess")
	d, ok := dummies.Load(cheap.params())
	if !ok {
		t.Fatal("no dummy hash for the hasher's parameters")
	}
	if _, _, err := cheap.Verify(d.(string), "guess"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		pw, want string
	}{
		{"short", "at least 10"},
		{"ninechars", "at least 10"},
		{"tencharsok", ""},
		{"äöüäöüäöüä", ""}, // characters, not bytes
		{strings.Repeat("x", 257), "at most 256"},
		{"bad \xff utf8 here", "UTF-8"},
	}
	for _, tt := range tests {
		err := CheckNewPassword("password", tt.pw)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckNewPassword(%q) = %v, want %q", tt.pw, err, tt.want)
		}
		if err != nil && pactum.ErrorField(err) != "password" {
			t.Errorf("error %v does not name the field", err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 || strings.ContainsAny(a, "+/=") {
		t.Fatalf("tokens %q, %q: want distinct URL-safe 43-character tokens", a, b)
	}
	if string(HashToken(a)) != string(ha) || len(ha) != 32 {
		t.Fatal("HashToken does not give the token's hash")
	}
	f := FormToken(a)
	if !CheckFormToken(a, f) || CheckFormToken(b, f) || CheckFormToken(a, "") || CheckFormToken("", FormToken("")) || CheckFormToken(a, f+"x") {
		t.Fatal("CheckFormToken accepts what it should not, or refuses the right token")
	}
}

func TestThrottle(t *testing.T) {
	th := &Throttle{Free: 3, Base: time.Second, Max: 10 * time.Second, Forget: time.Minute, MaxKeys: 100}
	t0 := time.Unix(1_800_000_000, 0)
	steps := []struct {
		at   time.Duration // since t0
		fail bool
		wait time.Duration // Wait after the step
	}{
		{0, true, 0}, {1, true, 0}, {2, true, 0}, // three free failures
		{3, true, time.Second},                       // the 4th waits 1 s
		{3 + time.Second, true, 2 * time.Second},     // then 2 s
		{4 * time.Second, true, 4 * time.Second},     // 4 s
		{8 * time.Second, true, 8 * time.Second},     // 8 s
		{16 * time.Second, true, 10 * time.Second},   // capped
		{26 * time.Second, false, 0},                 // waited it out
		{26*time.Second + time.Minute + 1, false, 0}, // and then forgotten
	}
	for i, s := range steps {
		now := t0.Add(s.at)
		if s.fail {
			th.Fail("anna@example.com", now)
		}
		if got := th.Wait("anna@example.com", now); got != s.wait {
			t.Fatalf("step %d: Wait = %v, want %v", i, got, s.wait)
		}
	}
	// Forgotten: the next failure is a free one again.
	th.Fail("anna@example.com", t0.Add(time.Hour))
	if got := th.Wait("anna@example.com", t0.Add(time.Hour)); got != 0 {
		t.Fatalf("after forgetting, Wait = %v", got)
	}
	// Reset forgets at once; other keys are untouched.
	for range 5 {
		th.Fail("a", t0)
		th.Fail("b", t0)
	}
	th.Reset("a")
	if th.Wait("a", t0) != 0 || th.Wait("b", t0) == 0 {
		t.Fatal("Reset forgot the wrong key")
	}
}

func TestThrottleBoundsMemory(t *testing.T) {
	th := &Throttle{Free: 1, Base: time.Second, Max: time.Minute, Forget: time.Minute, MaxKeys: 10}
	t0 := time.Unix(1_800_000_000, 0)
	for i := range 1000 {
		th.Fail(string(rune('a'+i%26))+string(rune(i)), t0)
	}
	if n := len(th.keys); n > 10 {
		t.Fatalf("%d keys kept, want at most 10", n)
	}
}
