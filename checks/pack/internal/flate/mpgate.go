package flate

// This file and one line of deflate.go's reset (marked "mpgate:") are
// mpgate's changes to the fork (FORK.md); the rest is Go's compress/flate.

// From inflate.go, which the fork leaves out (it only compresses).
const maxNumLit = 286

// An InternalError reports an error in the flate code itself (inflate.go).
type InternalError string

func (e InternalError) Error() string { return "flate: internal error: " + string(e) }

// forgetHashes makes every entry of hashHead and hashPrev read as empty,
// for a reset. Upstream clears both tables (640 KB) on every reset, which
// costs more than compressing a small file. Instead hashOffset moves past
// every value stored since the tables were last cleared: a stored value
// is a window position plus the hashOffset of its time, below
// hashOffset + windowEnd now (a window slide moves positions and
// hashOffset together). Every stale entry then reads as a negative
// position, and the compressor rejects those (deflate's
// chainHead-hashOffset >= minIndex, findMatch's i < 0) exactly as it
// rejects an empty entry (0 - 1): the output is byte for byte upstream's.
// Once the offset would pass maxHashOffset the tables are cleared as
// upstream does, which then happens once per about 16 MB compressed.
func (d *compressor) forgetHashes() {
	next := d.hashOffset + d.windowEnd + 1
	if next > maxHashOffset {
		clear(d.hashHead[:])
		clear(d.hashPrev[:])
		next = 1
	}
	d.hashOffset = next
}
