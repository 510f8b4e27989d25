package bus

import (
	"os"
	"syscall"
)

// datasync flushes a segment's data and the metadata needed to read it back (its size), which
// is all a power cut could take from an append; it skips the timestamps that fsync also writes.
func datasync(f *os.File) error {
	return syscall.Fdatasync(int(f.Fd()))
}
