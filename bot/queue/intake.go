package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/mpgate/mpgate/bot"
)

// Intake: Enqueue is called by every webhook request at once. Rather than
// one transaction per delivery, a committer goroutine takes whatever
// deliveries are waiting (up to maxBatch), inserts them in one transaction
// and then answers each caller: a group commit. No delivery waits for a
// timer; while one batch commits, the next one gathers. Each caller still
// returns only after its own row committed.
//
// When the database refuses the insert (it is down, unreachable, read-only
// or full), a delivery is written to the spool instead: one file per
// delivery in Config.SpoolDir, written to a temporary name, fsynced and
// renamed, the directory fsynced. Enqueue then succeeds, so the webhook is
// answered 2xx only once the delivery is durable in one place or the
// other. A replayer moves spooled deliveries into the queue, oldest first,
// every Config.SpoolRetry (and at Open, for a spool a crash left behind);
// the queue's uniqueness on (forge, delivery id) makes a replay after a
// crash between insert and removal harmless.

const (
	// maxBatch bounds the deliveries committed in one transaction.
	maxBatch = 256
	// insertTimeout bounds one batch insert.
	insertTimeout = 10 * time.Second
	// DefaultSpoolRetry is how often spooled deliveries are retried.
	DefaultSpoolRetry = 5 * time.Second
	// SpoolSubdir is the spool's directory in DataDir by default.
	SpoolSubdir = "spool"
	spoolExt    = ".json"
)

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("queue: closed")

type enqueueReq struct {
	ev   bot.Event
	done chan enqueueRes
}

type enqueueRes struct {
	dup bool
	err error
}

// intake owns the committer goroutines and the spool replayer.
type intake struct {
	q     *Queue
	reqs  chan enqueueReq
	stop  chan struct{}
	wg    sync.WaitGroup
	close sync.Once

	spoolMu sync.Mutex // one replay at a time
}

func (q *Queue) startIntake(ctx context.Context, committers int) {
	in := &intake{q: q, reqs: make(chan enqueueReq), stop: make(chan struct{})}
	q.intake = in
	for range committers {
		in.wg.Go(in.commitLoop)
	}
	if q.cfg.SpoolDir != "" {
		in.replay(ctx)
		in.wg.Go(in.replayLoop)
	}
}

// shutdown stops the committers and the replayer and waits for them.
func (in *intake) shutdown() {
	in.close.Do(func() { close(in.stop) })
	in.wg.Wait()
}

// enqueue hands ev to a committer and waits for its commit.
func (in *intake) enqueue(ctx context.Context, ev bot.Event) (bool, error) {
	req := enqueueReq{ev: ev, done: make(chan enqueueRes, 1)}
	select {
	case in.reqs <- req:
	case <-in.stop:
		return false, ErrClosed
	case <-ctx.Done():
		return false, ctx.Err()
	}
	// Once taken, the request is always answered: the committer does not
	// stop before answering what it took.
	res := <-req.done
	return res.dup, res.err
}

func (in *intake) commitLoop() {
	for {
		var first enqueueReq
		select {
		case first = <-in.reqs:
		case <-in.stop:
			return
		}
		batch := []enqueueReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-in.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		in.commit(batch)
	}
}

func eventInsert(ev bot.Event) river.InsertManyParams {
	opts := &river.InsertOpts{Queue: QueueEvents}
	if ev.DeliveryID != "" {
		// Default states: all but cancelled and discarded.
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true}
	}
	return river.InsertManyParams{Args: eventArgs{Forge: ev.Forge, DeliveryID: ev.DeliveryID, Event: ev}, InsertOpts: opts}
}

func deliveryKey(ev bot.Event) string {
	if ev.DeliveryID == "" {
		return ""
	}
	return ev.Forge + "\x00" + ev.DeliveryID
}

// commit inserts a batch and answers its callers. A delivery id twice in
// one batch is inserted once (the others are duplicates). When the batch
// fails, each delivery is tried alone, so one bad row fails only itself;
// what still fails goes to the spool.
func (in *intake) commit(batch []enqueueReq) {
	q := in.q
	ctx, cancel := context.WithTimeout(context.Background(), insertTimeout)
	defer cancel()
	results := make([]enqueueRes, len(batch))
	firstOf := map[string]int{} // delivery key → index of its first request
	var params []river.InsertManyParams
	var owners []int // params[i] belongs to batch[owners[i]]
	for i, r := range batch {
		if k := deliveryKey(r.ev); k != "" {
			if _, ok := firstOf[k]; ok {
				continue
			}
			firstOf[k] = i
		}
		params = append(params, eventInsert(r.ev))
		owners = append(owners, i)
	}
	res, err := q.client.InsertMany(ctx, params)
	if err == nil {
		for i, r := range res {
			results[owners[i]].dup = r.UniqueSkippedAsDuplicate
		}
	} else {
		for i, p := range params {
			r, err1 := q.client.Insert(ctx, p.Args, p.InsertOpts)
			if err1 == nil {
				results[owners[i]].dup = r.UniqueSkippedAsDuplicate
				continue
			}
			ev := batch[owners[i]].ev
			results[owners[i]].err = in.spool(ev, fmt.Errorf("queue: enqueue delivery %s %s: %w", ev.Forge, ev.DeliveryID, err1))
		}
	}
	// A duplicate within the batch shares its first's fate.
	for i, r := range batch {
		if j, ok := firstOf[deliveryKey(r.ev)]; ok && j != i {
			results[i] = enqueueRes{dup: results[j].err == nil, err: results[j].err}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// spool writes ev durably to the spool after the database refused it
// (cause). Without a spool, or when the spool cannot be written either, it
// returns the error: the webhook is answered 5xx.
func (in *intake) spool(ev bot.Event, cause error) error {
	q := in.q
	if q.cfg.SpoolDir == "" {
		return cause
	}
	if err := writeSpool(q.cfg.SpoolDir, ev); err != nil {
		return errors.Join(cause, fmt.Errorf("queue: spool: %w", err))
	}
	q.counters.spooled.Add(1)
	q.log.Warn("queue: database refused a delivery: spooled to disk, replayed when the database is back",
		"forge", ev.Forge, "delivery", ev.DeliveryID, "spool", q.cfg.SpoolDir, "error", cause)
	return nil
}

func writeSpool(dir string, ev bot.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	// Names sort by time: replay is oldest first.
	name := fmt.Sprintf("%020d-%s%s", time.Now().UnixNano(), hex.EncodeToString(rnd[:]), spoolExt)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (in *intake) replayLoop() {
	t := time.NewTicker(in.q.cfg.SpoolRetry)
	defer t.Stop()
	for {
		select {
		case <-in.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-in.stop:
			case <-ctx.Done():
			}
			cancel()
		}()
		in.replay(ctx)
		cancel()
	}
}

// replay moves spooled deliveries into the queue, oldest first, and stops
// at the first the database still refuses.
func (in *intake) replay(ctx context.Context) {
	in.spoolMu.Lock()
	defer in.spoolMu.Unlock()
	q := in.q
	entries, err := os.ReadDir(q.cfg.SpoolDir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			q.log.Error("queue: reading the spool", "spool", q.cfg.SpoolDir, "error", err)
		}
		return
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), spoolExt) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	replayed := 0
	for _, name := range names {
		if ctx.Err() != nil {
			return
		}
		path := filepath.Join(q.cfg.SpoolDir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			q.log.Error("queue: reading a spooled delivery", "file", path, "error", err)
			continue
		}
		var ev bot.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			// Never written by this code: keep it for a human, aside.
			q.log.Error("queue: a spooled delivery is not an event: moved aside", "file", path, "error", err)
			_ = os.Rename(path, path+".bad")
			continue
		}
		p := eventInsert(storable(ev))
		ictx, cancel := context.WithTimeout(ctx, insertTimeout)
		_, err = q.client.Insert(ictx, p.Args, p.InsertOpts)
		cancel()
		if err != nil {
			q.log.Warn("queue: the database still refuses spooled deliveries", "pending", len(names)-replayed, "error", err)
			return
		}
		// Counted once queued (before the file goes), so whoever sees the
		// spool empty sees the count.
		replayed++
		q.counters.replayed.Add(1)
		if err := os.Remove(path); err != nil {
			q.log.Error("queue: removing a replayed delivery from the spool", "file", path, "error", err)
			return
		}
	}
	if replayed > 0 {
		_ = syncDir(q.cfg.SpoolDir)
		q.log.Info("queue: spooled deliveries replayed into the queue", "deliveries", replayed)
	}
}
