//go:build !linux

package bus

import "os"

func datasync(f *os.File) error { return f.Sync() }
