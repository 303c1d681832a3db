package webhooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/semaphore"
)

// DefaultMaxPending caps, when a config leaves MaxPending zero, the bytes of
// bodies held in memory at once before their signature is checked, across
// all requests of one handler. It is at least the handler's MaxBody.
const DefaultMaxPending int64 = 64 << 20

// maxDeliveryID caps a delivery id (GitHub and GitLab send a 36-character
// UUID; GitLab's fallback pairs two of them): a longer one is refused before
// the body is read, so that no request can store an arbitrary key.
const maxDeliveryID = 200

// pendingWait is how long a request waits for room in the budget of
// unauthenticated bodies before it is answered 503.
const pendingWait = 10 * time.Second

// chunkSize is the unit bodies are read in before they are authenticated.
const chunkSize = 64 << 10

// errBudget: the budget of unauthenticated bodies stayed full for
// pendingWait.
var errBudget = errors.New("too many deliveries being read at once")

// bodyBudget bounds the memory of bodies read before they are
// authenticated. A request reserves room for its whole body (its
// Content-Length, or the handler's maximum when the length is not sent)
// before reading a byte, waiting in line when the room is taken, and reads
// into chunks of a fixed-size free list: whatever the number of requests
// and whether their signatures hold, these bodies never hold more than the
// budget, and a rejected body's chunks are reused by the next one instead
// of left to the garbage collector.
type bodyBudget struct {
	chunks int64 // the budget, in chunks
	sem    *semaphore.Weighted
	free   chan []byte
}

func newBodyBudget(total, maxBody int64) *bodyBudget {
	if total <= 0 {
		total = DefaultMaxPending
	}
	total = max(total, maxBody)
	n := (total + chunkSize - 1) / chunkSize
	return &bodyBudget{chunks: n, sem: semaphore.NewWeighted(n), free: make(chan []byte, n)}
}

// pendingBody is a body read into the budget's chunks.
type pendingBody struct {
	b        *bodyBudget
	reserved int64
	chunks   [][]byte
	n        int64 // bytes in chunks
}

// writeTo passes the body to w (a MAC).
func (p *pendingBody) writeTo(w io.Writer) {
	left := p.n
	for _, c := range p.chunks {
		k := min(left, int64(len(c)))
		w.Write(c[:k])
		left -= k
	}
}

// bytes copies the body out of the budget: only called once it is
// authenticated.
func (p *pendingBody) bytes() []byte {
	out := make([]byte, 0, p.n)
	left := p.n
	for _, c := range p.chunks {
		k := min(left, int64(len(c)))
		out = append(out, c[:k]...)
		left -= k
	}
	return out
}

// release hands the chunks back; the body must not be used afterwards.
func (p *pendingBody) release() {
	for _, c := range p.chunks {
		select {
		case p.b.free <- c:
		default:
		}
	}
	p.chunks = nil
	p.b.sem.Release(p.reserved)
	p.reserved = 0
}

// readPending reads the body of r (at most max bytes) into the budget. It
// answers itself and returns nil when the body is too large, cannot be read
// or the budget stays full; the caller releases a returned body.
func (b *bodyBudget) readPending(d *delivery, r *http.Request, limit int64) *pendingBody {
	if r.ContentLength > limit {
		d.reply(slog.LevelWarn, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("body too large: %d bytes, at most %d", r.ContentLength, limit))
		return nil
	}
	want := limit
	if r.ContentLength >= 0 {
		want = r.ContentLength
	}
	need := max(1, (want+chunkSize-1)/chunkSize)
	ctx, cancel := context.WithTimeout(r.Context(), pendingWait)
	err := b.sem.Acquire(ctx, need)
	cancel()
	if err != nil {
		d.reply(slog.LevelWarn, http.StatusServiceUnavailable, errBudget.Error()+": retry later")
		return nil
	}
	p := &pendingBody{b: b, reserved: need}
	// The server stops a body at its Content-Length; MaxBytesReader stops
	// a chunked one at max.
	body := http.MaxBytesReader(d.w, r.Body, limit)
	for {
		if int64(len(p.chunks)) == need {
			break
		}
		c := b.chunk()
		p.chunks = append(p.chunks, c)
		k, err := io.ReadFull(body, c)
		p.n += int64(k)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return p
		}
		if err != nil {
			p.release()
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				d.reply(slog.LevelWarn, http.StatusRequestEntityTooLarge,
					fmt.Sprintf("body too large: more than %d bytes", limit))
				return nil
			}
			d.reply(slog.LevelWarn, http.StatusBadRequest, "cannot read body", logKeyErr, err.Error())
			return nil
		}
	}
	// Every reserved chunk is full: anything more is past the limit (or
	// past the Content-Length, which the server does not let through).
	var one [1]byte
	if k, err := body.Read(one[:]); k > 0 || (err != nil && err != io.EOF) {
		p.release()
		d.reply(slog.LevelWarn, http.StatusRequestEntityTooLarge, fmt.Sprintf("body too large: more than %d bytes", limit))
		return nil
	}
	return p
}

// chunk takes a chunk from the free list, or makes one: the reservation
// guarantees that at most b.chunks exist.
func (b *bodyBudget) chunk() []byte {
	select {
	case c := <-b.free:
		return c
	default:
		return make([]byte, chunkSize)
	}
}
