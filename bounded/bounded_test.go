package bounded

import "testing"

func TestMapStaysBounded(t *testing.T) {
	m := New[int, int](10)
	for i := range 25 {
		m.Store(i, i)
	}
	n := 0
	m.cur.Load().m.Range(func(any, any) bool { n++; return true })
	if n > 10 {
		t.Errorf("%d entries, bound 10", n)
	}
	if v, ok := m.Load(24); !ok || v != 24 {
		t.Errorf("Load(24) = %d, %v; want the newest entry", v, ok)
	}
	m.Delete(24)
	if _, ok := m.Load(24); ok {
		t.Error("Load after Delete found it")
	}
}
