package sqldb

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE id = ? AND b > ?", "SELECT a FROM t WHERE id = $1 AND b > $2"},
		{"VALUES (?, ?), (?, ?)", "VALUES ($1, $2), ($3, $4)"},
		{"SELECT '?' || ? FROM \"a?b\" WHERE c = ?", "SELECT '?' || $1 FROM \"a?b\" WHERE c = $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
	}
	for _, tt := range tests {
		if got := Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestInChunks: every value reaches an IN list once per chunk of at most 512, each chunk padded
// to a power of two with its last value, so that the lists come in ten sizes.
func TestInChunks(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 5, 64, 65, 500, 512, 513, 1100} {
		list := make([]int, n)
		for i := range list {
			list[i] = i
		}
		var got []int
		err := inChunks(list, func(args []any) error {
			if len(args) > 512 || len(args)&(len(args)-1) != 0 {
				t.Errorf("n=%d: a chunk of %d values", n, len(args))
			}
			seen := map[int]bool{}
			for i, a := range args {
				v := a.(int)
				if seen[v] && v != args[i-1].(int) {
					t.Errorf("n=%d: %d repeated other than as padding", n, v)
				}
				if !seen[v] {
					got = append(got, v)
				}
				seen[v] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("n=%d: %d distinct values reached fn, want all", n, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("n=%d: value %d at %d, want in order", n, v, i)
			}
		}
	}
}
