package outbound

import (
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// refusedURLs must all be refused with the address rule on: every spelling of a loopback,
// private, link-local, unique-local, CGNAT, multicast, unspecified, reserved or metadata
// address, loopback names, user names, other schemes and encoded hosts.
var refusedURLs = []string{
	// loopback, in every spelling inet_aton and browsers read
	"http://127.0.0.1/",
	"http://127.0.0.1:8080/pb?x=1",
	"http://127.1/",
	"http://127.0.1/",
	"http://2130706433/",
	"http://0177.0.0.1/",
	"http://0177.0.0.01/",
	"http://0x7f.0.0.1/",
	"http://0x7f.1/",
	"http://0x7F.1/",
	"http://0x7f000001/",
	"http://017700000001/",
	"http://127.000.000.001/",
	"http://0x7f.0x0.0x0.0x1/",
	"http://127.0.0.1./",
	"http://127.255.255.254/",
	"http://[::1]/",
	"http://[0:0:0:0:0:0:0:1]/",
	"http://[::ffff:127.0.0.1]/",
	"http://[::ffff:7f00:1]/",
	"http://[0:0:0:0:0:ffff:127.0.0.1]/",
	"http://[::127.0.0.1]/",
	"http://[64:ff9b::7f00:1]/",
	"http://[2002:7f00:1::]/",
	"http://localhost/",
	"http://LOCALHOST:8080/",
	"http://localhost./",
	"http://api.localhost/",
	// unspecified
	"http://0.0.0.0/",
	"http://0/",
	"http://0x0/",
	"http://[::]/",
	"http://[::ffff:0.0.0.0]/",
	// private
	"http://10.0.0.1/",
	"http://10.255.255.255/",
	"http://012.0.0.1/",
	"http://167772161/",
	"http://[0:0:0:0:0:ffff:0a00:0001]/",
	"http://172.16.0.1/",
	"http://172.31.255.255/",
	"http://192.168.0.1/",
	"https://192.168.1.1:443/",
	"http://3232235777/",
	"http://0xc0.0xa8.0x01.0x01/",
	"http://0300.0250.0.1/",
	// CGNAT
	"http://100.64.0.1/",
	"http://100.127.255.254/",
	// link-local and cloud metadata
	"http://169.254.169.254/latest/meta-data/",
	"http://2852039166/",
	"http://0xa9fea9fe/",
	"http://0251.0376.0251.0376/",
	"http://169.254.1.1/",
	"http://[::ffff:a9fe:a9fe]/",
	"http://[64:ff9b::a9fe:a9fe]/",
	"http://[fd00:ec2::254]/",
	"http://[fe80::1]/",
	// unique-local
	"http://[fc00::1]/",
	"http://[fdff:ffff::1]/",
	// multicast, broadcast, reserved, documentation, benchmarking
	"http://224.0.0.1/",
	"http://239.255.255.250/",
	"http://[ff02::1]/",
	"http://255.255.255.255/",
	"http://240.0.0.1/",
	"http://192.0.2.1/",
	"http://198.18.0.1/",
	"http://[2001:db8::1]/",
	"http://[100::1]/",
	"http://[2001::1]/",
	// user names, schemes, encodings, malformed hosts and ports
	"https://user:pass@example.com/",
	"https://example.com@127.0.0.1/",
	"http://127.0.0.1%2f@example.com/",
	"http://%31%32%37.0.0.1/",
	"http://[fe80::1%25eth0]/",
	"ftp://example.com/",
	"file:///etc/passwd",
	"gopher://127.0.0.1:6379/_",
	"dict://127.0.0.1:11211/",
	"javascript:alert(1)",
	"http:///path",
	"http://1.2.3.4.5/",
	"http://example.256/",
	"http://127.0.0.1:0/",
}

func TestCheckURLRefuses(t *testing.T) {
	if len(refusedURLs) < 60 {
		t.Fatalf("only %d spellings", len(refusedURLs))
	}
	for _, u := range refusedURLs {
		err := CheckURL(u, false)
		if err == nil || !IsRefused(err) {
			t.Errorf("CheckURL(%q) = %v, want it refused", u, err)
		}
	}
}

func TestCheckURLAllows(t *testing.T) {
	for _, u := range []string{
		"https://example.com/pb?cid={click_id}",
		"http://93.184.215.14/",
		"http://8.8.8.8:8080/x",
		"http://0x08080808/",
		"http://1.1.1.1./",
		"https://[2606:4700:4700::1111]/",
		"http://[64:ff9b::808:808]/",
		"http://[2002:808:808::]/",
		"https://t.example:8443/p?a=1#f",
		"HTTPS://Example.COM/",
	} {
		if err := CheckURL(u, false); err != nil {
			t.Errorf("CheckURL(%q) = %v, want allowed", u, err)
		}
	}
}

// TestAllowPrivate: the flag lifts the address rule, and only it.
func TestAllowPrivate(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:9/", "http://localhost/", "http://[::1]/", "http://10.0.0.1/", "http://2130706433/"} {
		if err := CheckURL(u, true); err != nil {
			t.Errorf("CheckURL(%q, allowPrivate) = %v", u, err)
		}
	}
	for _, u := range []string{"ftp://127.0.0.1/", "http://a:b@127.0.0.1/", "http://1.2.3.4.5/", "http://%31.0.0.1/", "http://[fe80::1%25lo]/"} {
		if err := CheckURL(u, true); err == nil {
			t.Errorf("CheckURL(%q, allowPrivate) passed", u)
		}
	}
}

func TestRefusedAddresses(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "::1", "::ffff:10.1.2.3", "169.254.169.254", "fd00:ec2::254", "100.64.0.0", "0.0.0.0", "::", "ff05::2"} {
		if Refused(netip.MustParseAddr(s)) == "" {
			t.Errorf("%s allowed", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "2606:4700::1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "169.253.0.1", "64:ff9b::808:808"} {
		if why := Refused(netip.MustParseAddr(s)); why != "" {
			t.Errorf("%s refused: %s", s, why)
		}
	}
}

// counting is a loopback server that counts the requests it got.
func counting(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	n := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, n
}

// TestConnectTimeNameResolvingToLoopback: a name the URL check cannot judge (it is not an
// address) that resolves to 127.0.0.1 is refused when the connection is made, and the server
// never hears of it. The name is answered by a DNS server of the test's own, as a rebinding
// attacker's would answer.
func TestConnectTimeNameResolvingToLoopback(t *testing.T) {
	srv, hits := counting(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := New(Config{Resolver: fakeDNS(t, "rebind.pactum.test", "127.0.0.1")})
	u := "http://rebind.pactum.test:" + port + "/pb"
	if err := c.CheckURL(u); err != nil {
		t.Fatalf("CheckURL(%q) = %v: a name is judged at connect time", u, err)
	}
	req, _ := http.NewRequest("GET", u, nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("request to a name resolving to 127.0.0.1 answered %d", resp.StatusCode)
	}
	if !IsRefused(err) || !strings.Contains(err.Error(), "127.0.0.1 is a loopback address") {
		t.Fatalf("error = %v, want the guard's refusal", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the loopback server got the request")
	}
}

// TestConnectTimeLocalhost: localhost (from /etc/hosts) through the dialer itself, past the URL
// check that refuses the name by itself.
func TestConnectTimeLocalhost(t *testing.T) {
	srv, hits := counting(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := New(Config{})
	req, _ := http.NewRequest("GET", "http://localhost:"+port+"/", nil)
	resp, err := c.http.Do(req) // the client without the URL check: the dialer alone decides
	if err == nil {
		resp.Body.Close()
		t.Fatal("localhost answered")
	}
	if !IsRefused(err) {
		t.Fatalf("error = %v, want the guard's refusal", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the loopback server got the request")
	}
}

func TestAllowPrivateSends(t *testing.T) {
	srv, hits := counting(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	c := New(Config{AllowPrivate: true, Resolver: fakeDNS(t, "receiver.pactum.test", "127.0.0.1")})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "receiver.pactum.test", 1)} {
		req, _ := http.NewRequest("GET", u, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		resp.Body.Close()
	}
	if hits.Load() != 2 {
		t.Fatalf("server got %d requests, want 2", hits.Load())
	}
}

func TestNoRedirects(t *testing.T) {
	var followed atomic.Bool
	srv, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	c := New(Config{AllowPrivate: true})
	req, _ := http.NewRequest("POST", srv.URL+"/pb", strings.NewReader("{}"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed.Load() {
		t.Fatalf("status %d, followed %v: want the 302 itself", resp.StatusCode, followed.Load())
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := New(Config{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	req, _ := http.NewRequest("GET", srv.URL, nil)
	start := time.Now()
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a server that never answers answered")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %v", d)
	}
}

// fakeDNS returns a resolver whose every question is answered by a DNS server of the test's
// own: name has the IPv4 address addr (and no IPv6 address); other names do not exist.
func fakeDNS(t *testing.T, name, addr string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	ip := netip.MustParseAddr(addr).As4()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply := dnsAnswer(buf[:n], name, ip); reply != nil {
				pc.WriteTo(reply, from)
			}
		}
	}()
	server := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", server)
	}}
}

// dnsAnswer answers one DNS query (RFC 1035): an A record for name, nothing for other types,
// NXDOMAIN for other names.
func dnsAnswer(q []byte, name string, ip [4]byte) []byte {
	if len(q) < 12 {
		return nil
	}
	// The question: labels up to a zero byte, then type and class.
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	end := i + 5
	out := append([]byte(nil), q[:end]...)
	binary.BigEndian.PutUint16(out[2:], 0x8180) // a response, recursion available, no error
	binary.BigEndian.PutUint16(out[4:], 1)      // one question
	binary.BigEndian.PutUint16(out[8:], 0)      // no authority records
	binary.BigEndian.PutUint16(out[10:], 0)     // no additional records
	binary.BigEndian.PutUint16(out[6:], 0)      // no answers yet
	if !strings.EqualFold(strings.Join(labels, "."), name) {
		out[3] |= 3 // NXDOMAIN
		return out
	}
	if qtype != 1 { // not A: an empty answer
		return out
	}
	binary.BigEndian.PutUint16(out[6:], 1)
	out = append(out, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4) // name (pointer to the question), A, IN, TTL 0, 4 bytes
	return append(out, ip[:]...)
}
