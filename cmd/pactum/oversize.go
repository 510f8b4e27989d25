package main

import (
	"net"
	"strconv"
)

// net/http answers a request whose request line and headers exceed http.Server.MaxHeaderBytes
// before any handler runs, by writing this plain-text answer straight to the connection, in one
// Write (net/http server.go, conn.serve). The SPEC's clients expect every answer in its JSON
// error shape, so the listener's connections put that shape in its place. The limit itself stays
// net/http's: a client cannot make the server buffer more than MaxHeaderBytes (and 4 KiB) of a
// request head, and the server reads no further.
const plainTooLarge = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large"

// jsonTooLarge is the same answer in the SPEC's error shape. It keeps "Connection: close":
// net/http closes the connection after it.
var jsonTooLarge = func() string {
	body := `{"error":{"code":"invalid_argument","message":"the request line and headers are larger than ` +
		strconv.Itoa(maxHeaderBytes>>20) + ` MiB: send a postback's parameters in a POST body"}}` + "\n"
	return "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body
}()

// jsonErrorListener hands out connections that answer an oversized request in JSON.
type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return jsonErrorTCPConn{tc}, nil
	}
	return jsonErrorConn{c}, nil
}

type jsonErrorConn struct{ net.Conn }

func (c jsonErrorConn) Write(b []byte) (int, error) { return writeJSONErrors(c.Conn, b) }

// jsonErrorTCPConn keeps CloseWrite, which net/http calls after its 431 so that the client
// reads the answer before the connection is reset.
type jsonErrorTCPConn struct{ *net.TCPConn }

func (c jsonErrorTCPConn) Write(b []byte) (int, error) { return writeJSONErrors(c.TCPConn, b) }

// writeJSONErrors writes b to c, or the JSON answer in place of net/http's plain 431. Any other
// write, a handler's answer among them, is never exactly that text (it has a Date header).
func writeJSONErrors(c net.Conn, b []byte) (int, error) {
	if len(b) == len(plainTooLarge) && string(b) == plainTooLarge {
		if _, err := c.Write([]byte(jsonTooLarge)); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Write(b)
}
